"""The pipeline on real parts: RQ worker processes, the real Redis and PostgreSQL, the simulator.

The SIGKILL test kills a worker in the middle of a speech job: RQ counts the job abandoned once
its heartbeat expires (job timeout + 60 s) and retries it; the call ends with exactly one
evaluation.  Nothing here waits a fixed time: each step waits on the state it needs (the job's
place in RQ's registries, the row in PostgreSQL), with a deadline.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from connector_allowance import connectors_allowed_env
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry, clean_registries
from simulated_platform import running_simulator, tenant_with_connector
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.core.rubric import default_rubric_id
from qa_service.db.models import (
    Evaluation,
    EvaluationKind,
    Interaction,
    ProcessingState,
    Rubric,
    RubricVersion,
    Tenant,
)
from qa_service.db.session import session_factory, transaction
from qa_service.jobs import ASR_QUEUE, TEXT_QUEUE, enqueue, ingest_connector, queue_depths, redis_connection
from qa_service.services.ingestion.intake import store_interaction
from qa_service.simulator.server import PlatformServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
TOKEN = "sim-token"


def _worker_env(settings: Settings) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url or "",
        QA_ENV="test",
        QA_INSTANCE_DIR=str(settings.instance_dir),
        QA_JOB_RETRY_INTERVALS="0,0,0",
        **connectors_allowed_env(settings),
    )


def _start_worker(settings: Settings, queues: str, burst: bool = True) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "qa_service", "worker", "--queues", queues] + (["--burst"] if burst else [])
    # Own process group: a SIGKILL to the group takes the work-horse child down too.
    return subprocess.Popen(
        args,
        env=_worker_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _session_members(session_id: int) -> list[int]:
    """Every process in a session (RQ's work-horse leaves its worker's process group, not its session)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session_id and fields[0] != "Z":  # a zombie is already dead
            members.append(int(stat.parent.name))
    return members


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll `condition` (a state in Redis or PostgreSQL) until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _setup(pg_settings: Settings, redis_url: str, simulator: PlatformServer) -> tuple[Settings, int, int]:
    # A short job timeout: a dead worker's job counts as abandoned timeout + 60 s after it started.
    settings = pg_settings.with_overrides(redis_url=redis_url, retry_intervals=(0, 0, 0), job_timeout_seconds=40)
    tenant_id, connector_id = tenant_with_connector(settings, simulator)
    return settings, tenant_id, connector_id


@pytest.fixture
def text_simulator(tmp_path: Path) -> Iterator[PlatformServer]:
    with running_simulator(tmp_path / "audio", seed=5, calls=0, chats=8, emails=4) as server:
        yield server


@pytest.fixture
def call_simulator(tmp_path: Path) -> Iterator[PlatformServer]:
    with running_simulator(tmp_path / "audio", seed=5, calls=1, chats=0, emails=0) as server:
        yield server


def _evaluations_per_interaction(settings: Settings, tenant_id: int) -> dict[str, tuple[str, int]]:
    with session_factory(settings.sqlalchemy_url)() as session:
        rows = session.execute(
            select(Interaction.external_id, Interaction.state, func.count(Evaluation.id))
            .outerjoin(
                Evaluation, (Evaluation.interaction_id == Interaction.id) & (Evaluation.kind == EvaluationKind.AUTO)
            )
            .where(Interaction.tenant_id == tenant_id)
            .group_by(Interaction.external_id, Interaction.state)
        ).all()
    return {external_id: (state.value, count) for external_id, state, count in rows}


def test_two_real_workers_ingest_and_score_every_chat_and_email_once(
    pg_settings: Settings, redis_url: str, text_simulator: PlatformServer
) -> None:
    settings, tenant_id, connector_id = _setup(pg_settings, redis_url, text_simulator)
    enqueue(settings, ingest_connector, connector_id, job_id=f"ingest-{connector_id}")
    first = _start_worker(settings, TEXT_QUEUE)
    # Once the first has fanned the work out, the second shares the queue with it.
    ingest = Job.fetch(f"ingest-{connector_id}", connection=redis_connection(redis_url))
    _wait_for(lambda: ingest.get_status() == JobStatus.FINISHED or first.poll() is not None, "ingestion to finish")
    second = _start_worker(settings, TEXT_QUEUE)
    for worker in (first, second):
        output, _ = worker.communicate(timeout=300)
        assert worker.returncode == 0, output[-3000:]
    results = _evaluations_per_interaction(settings, tenant_id)
    expected = len(text_simulator.data.chats) + len(text_simulator.data.emails)
    assert len(results) == expected
    assert set(results.values()) == {("scored", 1)}
    assert queue_depths(settings)[TEXT_QUEUE] == 0


@pytest.mark.slow
def test_worker_killed_mid_transcription_is_retried_to_exactly_one_evaluation(
    pg_settings: Settings, redis_url: str, call_simulator: PlatformServer
) -> None:
    settings, tenant_id, connector_id = _setup(pg_settings, redis_url, call_simulator)
    # Ingest in-process: it stores the call and queues its transcription on the real Redis.
    from qa_service.jobs import using_settings

    with using_settings(settings):
        ingest_connector(connector_id)
    assert queue_depths(settings)[ASR_QUEUE] == 1

    victim = _start_worker(settings, ASR_QUEUE, burst=False)
    connection = redis_connection(redis_url)
    started = StartedJobRegistry(queue=Queue(ASR_QUEUE, connection=connection))
    _wait_for(lambda: started.count > 0 or victim.poll() is not None, "the worker to start the job", 180)
    assert victim.poll() is None, "the worker quit before starting the job"
    [job_id] = started.get_job_ids(cleanup=False)
    # The worker and anything it started (RQ's scheduler process): the whole session, until none is left.
    deadline = time.monotonic() + 10
    while members := _session_members(victim.pid):
        assert time.monotonic() < deadline, f"processes of the killed worker survive: {members}"
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)  # a retry interval for the kill loop, not a wait for something to happen
    victim.wait(timeout=30)
    assert victim.stdout is not None
    victim.stdout.close()

    with session_factory(settings.sqlalchemy_url)() as session:
        row = session.scalars(select(Interaction).where(Interaction.tenant_id == tenant_id)).one()
        assert row.state == ProcessingState.FETCHED  # nothing of the killed attempt was committed

    # RQ counts the job abandoned when its heartbeat TTL (job timeout + 60 s) runs out: wait for that
    # state, then run RQ's own registry clean-up (what any worker's maintenance does) so the retry is
    # queued *now*, before the rescuing burst worker starts — it cannot quit before the job is due.
    registry = connection.zrange(started.key, 0, -1, withscores=True)
    _wait_for(
        lambda: job_id in started.get_expired_job_ids(),
        f"the killed worker's job to be abandoned (registry {registry}, started at {time.time():.0f})",
        settings.job_timeout_seconds + 60 + 240,
    )
    clean_registries(Queue(ASR_QUEUE, connection=connection))
    retried = Job.fetch(job_id, connection=connection)
    assert retried.get_status() == JobStatus.QUEUED and retried.retries_left == settings.job_retries - 1
    # The short timeout only made the abandonment quick to detect; the retry gets the usual one,
    # so a loaded machine's slow transcription is not mistaken for a hung job.
    retried.timeout = Settings().job_timeout_seconds
    retried.save()
    assert Queue(ASR_QUEUE, connection=connection).job_ids == [job_id]

    rescuer = _start_worker(settings, f"{ASR_QUEUE},{TEXT_QUEUE}")
    output, _ = rescuer.communicate(timeout=600)
    assert rescuer.returncode == 0, output[-3000:]
    results = _evaluations_per_interaction(settings, tenant_id)
    assert list(results.values()) == [("scored", 1)], output[-3000:]


def test_a_job_failing_its_last_retry_leaves_the_interaction_failed_with_its_reason(
    pg_settings: Settings, redis_url: str
) -> None:
    """A tenant's published chat rubric is broken: scoring fails on every attempt, on a real worker."""
    settings = pg_settings.with_overrides(redis_url=redis_url, retry_intervals=(0, 0, 0))
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug=f"sv-{uuid.uuid4().hex[:8]}", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        rubric = Rubric(tenant_id=tenant.id, slug=default_rubric_id("chat"), channel="chat", title="Чат")
        session.add(rubric)
        session.flush()
        broken = "criteria: [unclosed"
        session.add(RubricVersion(rubric_id=rubric.id, content=broken, content_hash="broken-1",
                                  published_at=datetime.now(UTC)))
        session.flush()
        stored = store_interaction(session, settings, tenant.id, {
            "external_id": "chat-broken-rubric", "channel": "chat", "agent_id": "op-1",
            "started_at": "2026-11-20T10:00:00+03:00", "turns": [{"speaker": "customer", "text": "Здравствуйте"}],
        })
    job_id = f"score-{stored.interaction_id}"
    assert Queue(TEXT_QUEUE, connection=redis_connection(redis_url)).job_ids == [job_id]  # sent by the commit

    worker = _start_worker(settings, TEXT_QUEUE)
    output, _ = worker.communicate(timeout=300)
    assert worker.returncode == 0, output[-3000:]

    job = Job.fetch(job_id, connection=redis_connection(redis_url))
    assert job.get_status() == JobStatus.FAILED and job.retries_left == 0, output[-3000:]
    with session_factory(settings.sqlalchemy_url)() as session:
        row = session.get_one(Interaction, stored.interaction_id)
        assert row.state == ProcessingState.FAILED
        assert row.state_reason is not None and row.state_reason.startswith("score_interaction: ")
        assert "Traceback" not in row.state_reason
        assert session.scalar(select(func.count(Evaluation.id)).where(Evaluation.interaction_id == row.id)) == 0
