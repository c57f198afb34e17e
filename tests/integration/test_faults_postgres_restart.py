"""Fault on real parts: PostgreSQL goes down mid-run and comes back; the app recovers by itself.

A private PostgreSQL cluster of this test (the machine's server is shared by every test run,
so it is never restarted), gunicorn serving the app, a supervised `qa-service worker`, and
the real Redis (on this run's own database index).  Chats are pushed through the API and
scored; the database is stopped at once (`pg_ctl -m immediate`: every connection cut, as a
crash or a failover would); `/healthz` must answer 503 naming the database, and a push
must fail cleanly; the database returns and, with the same gunicorn processes (the pool
checks a connection before using it), `/healthz` answers 200 and pushes are stored and
scored again.  A chat whose push failed during the outage is stored once when it is sent again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fault_parts import PrivatePostgres, Supervisor, free_port, pipeline_counts, private_postgres, wait_for

from qa_service.config import Settings
from qa_service.db.migrate import upgrade
from qa_service.db.models import Tenant
from qa_service.db.session import transaction
from qa_service.jobs import enqueue, resume_stalled_pipeline
from qa_service.services.accounts.tokens import issue_token

pytestmark = [pytest.mark.redis]

BEFORE, AFTER = 15, 15


def _chat(n: int) -> dict[str, Any]:
    return {
        "external_id": f"pg-fault-chat-{n}", "channel": "chat", "agent_id": f"op-{n % 3}",
        "started_at": "2026-11-20T10:00:00+03:00",
        "turns": [
            {"speaker": "customer", "text": "Здравствуйте, хочу поменять дату вылета"},
            {"speaker": "agent", "text": "Здравствуйте, авиакомпания Северный ветер, меня зовут Анна. Помогу."},
        ],
    }


def _children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(p) for p in path.read_text().split()} if path.exists() else set()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[PrivatePostgres, str]]:
    with private_postgres() as server:
        import psycopg

        with psycopg.connect(server.admin_url(), autocommit=True) as admin:
            admin.execute('CREATE DATABASE "qa"')
        url = server.admin_url("qa")
        upgrade(Settings(database_url=url).sqlalchemy_url)
        yield server, url


def test_postgres_restart_answers_503_meanwhile_and_the_app_recovers_without_a_restart(
    database: tuple[PrivatePostgres, str], redis_url: str, tmp_path: Path
) -> None:
    server, url = database
    settings = Settings(environment="test", database_url=url, redis_url=redis_url, instance_dir=tmp_path / "instance",
                        secret_key="test-secret", retry_intervals=(0, 0, 0), pipeline_resume_age_seconds=10)
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug=f"sv-{uuid.uuid4().hex[:8]}", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        tenant_id, token = tenant.id, issue_token(session, tenant)

    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, REDIS_URL=redis_url, QA_ENV="test", SECRET_KEY="test-secret",
               QA_INSTANCE_DIR=str(settings.instance_dir))
    with (tmp_path / "gunicorn.log").open("wb") as log:
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60",
             "qa_service.web:create_app()"],
            env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
        )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                          headers={"Authorization": f"Bearer {token}"})

    def health() -> httpx.Response | None:
        try:
            return client.get("/healthz")
        except httpx.TransportError:
            return None

    try:
        wait_for(lambda: (r := health()) is not None and r.status_code == 200, "gunicorn to answer /healthz", 120)
        web_workers = _children(gunicorn.pid)
        with Supervisor(settings, "text", count=1, log_dir=tmp_path / "workers") as workers:
            for n in range(BEFORE):
                assert client.post("/api/v1/interactions", json=_chat(n)).status_code == 201
            wait_for(lambda: pipeline_counts(settings, tenant_id)["scored"] == BEFORE, "the first chats scored", 300)

            server.stop()
            during = [health() for _ in range(3)]
            assert all(r is not None and r.status_code == 503 for r in during), during
            body = during[0].json() if during[0] is not None else {}
            assert body["database"]["ok"] is False and body["queue"]["ok"] is True, body
            refused = client.post("/api/v1/interactions", json=_chat(BEFORE))
            assert refused.status_code >= 500 and "Traceback" not in refused.text

            server.start()
            wait_for(lambda: (r := health()) is not None and r.status_code == 200, "/healthz to recover", 60)
            assert gunicorn.poll() is None and _children(gunicorn.pid) == web_workers, "gunicorn restarted"
            # The push refused during the outage is sent again: stored now, once.
            for n in range(BEFORE, BEFORE + AFTER):
                assert client.post("/api/v1/interactions", json=_chat(n)).status_code == 201
            assert client.post("/api/v1/interactions", json=_chat(BEFORE)).status_code == 200  # a repeat

            total = BEFORE + AFTER

            def all_scored() -> bool:
                enqueue(settings, resume_stalled_pipeline)  # the scheduler's periodic job
                return pipeline_counts(settings, tenant_id)["scored"] == total

            wait_for(all_scored, f"every chat scored ({pipeline_counts(settings, tenant_id)})", 300, every=1)
            counts = pipeline_counts(settings, tenant_id)
            log_tail = workers.logs_tail()
        listed = client.get("/api/v1/interactions", params={"limit": 200})
        assert listed.status_code == 200 and len(listed.json()["items"]) == total
    finally:
        client.close()
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    print(f"\n/healthz during the outage: {[r.status_code for r in during if r]}; push refused with "
          f"{refused.status_code}; counts {counts}")
    assert counts == {
        "stored": total, "distinct": total, "scored": total, "failed": 0, "evaluations": total, "evaluated": total
    }, log_tail
