"""End-to-end pipeline throughput on real parts: simulator → HTTP connector → RQ workers → PostgreSQL.

    .venv/bin/python benchmarks/pipeline.py [--chats 600 --emails 200 --calls 3 --workers 2]

Text: interactions ingested + redacted + scored per second with N warm text workers, from
enqueueing the ingestion to the last evaluation stored (target ≥ 50/s with 2).  Calls: one
warm ASR worker (2 cores) transcribes the simulator's calls; the figure is calls per hour
at the simulator's call length.  Needs PostgreSQL and Redis (QA_TEST_POSTGRES /
QA_TEST_REDIS as in the tests).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from redis import Redis
from rq import Worker
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa_service.config import Settings
from qa_service.db.migrate import upgrade
from qa_service.db.models import Interaction, ProcessingState, Tenant
from qa_service.db.session import session_factory, transaction
from qa_service.jobs import ASR_QUEUE, TEXT_QUEUE, enqueue, ingest_connector
from qa_service.services.connectors.configuration import save_connector
from qa_service.simulator.data import generate
from qa_service.simulator.server import PlatformServer

PG_ADMIN = os.environ.get("QA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("QA_TEST_REDIS", "redis://127.0.0.1:6379/9")


def _database() -> str:
    name = f"qa_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _workers(settings: Settings, queues: str, count: int) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ, DATABASE_URL=settings.database_url, REDIS_URL=REDIS, QA_ENV="test",
               QA_INSTANCE_DIR=str(settings.instance_dir))
    return [
        subprocess.Popen([sys.executable, "-m", "qa_service", "worker", "--queues", queues], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]


def _scored(settings: Settings, tenant_id: int) -> int:
    with session_factory(settings.sqlalchemy_url)() as session:
        return session.scalar(select(func.count()).select_from(Interaction).where(
            Interaction.tenant_id == tenant_id, Interaction.state == ProcessingState.SCORED)) or 0


def _run(label: str, settings: Settings, simulator: PlatformServer, queues: str, workers: int,
         expected: int) -> tuple[int, float]:
    """Time from enqueueing the ingestion to the last evaluation stored, with warm workers."""
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug=f"bench-{label}-{uuid.uuid4().hex[:6]}", name="bench")
        session.add(tenant)
        session.flush()
        connector = save_connector(session, tenant.id, name="platform", kind="http",
                                   config={"base_url": simulator.url, "page_size": 200}, secrets={"token": "t"})
        tenant_id, connector_id = tenant.id, connector.id
    processes = _workers(settings, queues, workers)
    connection = Redis.from_url(REDIS)
    while len(Worker.all(connection=connection)) < workers:  # models loaded, loops running
        time.sleep(0.2)
    started = time.perf_counter()
    enqueue(settings, ingest_connector, connector_id, job_id=f"ingest-{connector_id}")
    deadline = started + 3600
    while (scored := _scored(settings, tenant_id)) < expected and time.perf_counter() < deadline:
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait()
    return scored, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=600)
    parser.add_argument("--emails", type=int, default=200)
    parser.add_argument("--calls", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    url = _database()
    Redis.from_url(REDIS).flushdb()
    try:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(environment="test", database_url=url, redis_url=REDIS,
                                instance_dir=Path(folder) / "instance")
            upgrade(settings.sqlalchemy_url)

            text_sim = PlatformServer(generate(seed=11, calls=0, chats=args.chats, emails=args.emails),
                                      "127.0.0.1", 0, Path(folder) / "audio", token="t")
            text_sim.start_in_thread()
            total = args.chats + args.emails
            scored, elapsed = _run("text", settings, text_sim, TEXT_QUEUE, args.workers, total)
            text_sim.shutdown()
            text_sim.server_close()
            print(f"text: {scored}/{total} scored in {elapsed:.1f} s with {args.workers} workers "
                  f"= {scored / elapsed:.1f} interactions/s end to end (fetch + redact + score + store)")

            if args.calls:
                call_sim = PlatformServer(generate(seed=12, calls=args.calls, chats=0, emails=0),
                                          "127.0.0.1", 0, Path(folder) / "audio", token="t")
                call_sim.prepare_recordings()
                call_sim.start_in_thread()
                recorded = [c for c in call_sim.data.calls if c["recording"]]
                scored, elapsed = _run("calls", settings, call_sim, f"{ASR_QUEUE},{TEXT_QUEUE}", 1, len(recorded))
                call_sim.shutdown()
                call_sim.server_close()
                with session_factory(settings.sqlalchemy_url)() as session:
                    rows = session.scalars(select(Interaction.metrics).where(Interaction.metrics.is_not(None)))
                    audio = sum(float((m or {}).get("asr", {}).get("audio_seconds") or 0) for m in rows)
                print(f"calls: {scored}/{len(recorded)} recorded calls scored in {elapsed:.1f} s "
                      f"({audio:.0f} s of audio) with 1 warm ASR worker "
                      f"= {3600 * scored / elapsed:.0f} calls/hour at {audio / max(scored, 1):.0f} s per call")
    finally:
        _drop(url)


if __name__ == "__main__":
    main()
