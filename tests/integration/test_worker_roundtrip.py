"""A real `rq worker` process (burst) on the real Redis runs a job that writes to the real PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from connector_allowance import connectors_allowed_env
from rq import Queue
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import AuditLog, Tenant
from qa_service.db.session import session_factory
from qa_service.jobs import TEXT_QUEUE, enqueue, queue_depths, record_worker_heartbeat, redis_connection

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_burst_worker_runs_job_against_postgres(pg_settings: Settings, redis_url: str) -> None:
    settings = pg_settings.with_overrides(redis_url=redis_url)
    with session_factory(settings.sqlalchemy_url).begin() as session:
        tenant = Tenant(slug="sv-worker", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        tenant_id = tenant.id

    job = enqueue(settings, record_worker_heartbeat, tenant_id)
    assert not job.ran_in_process and job.id
    assert queue_depths(settings)[TEXT_QUEUE] == 1

    env = dict(os.environ, DATABASE_URL=settings.database_url, REDIS_URL=redis_url, QA_ENV="test",
               **connectors_allowed_env(settings))
    result = subprocess.run(
        [sys.executable, "-m", "qa_service", "worker", "--queues", TEXT_QUEUE, "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert queue_depths(settings)[TEXT_QUEUE] == 0

    with session_factory(settings.sqlalchemy_url)() as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.tenant_id == tenant_id)).all()
    assert [r.action for r in rows] == ["worker_heartbeat"]


def test_jobs_run_in_process_without_redis(settings: Settings) -> None:
    with session_factory(settings.sqlalchemy_url).begin() as session:
        tenant = Tenant(slug="sv-inproc", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        tenant_id = tenant.id
    job = enqueue(settings, record_worker_heartbeat, tenant_id)
    assert job.ran_in_process and job.id is None
    with session_factory(settings.sqlalchemy_url)() as session:
        assert session.scalar(select(AuditLog.action).where(AuditLog.tenant_id == tenant_id)) == "worker_heartbeat"


def test_polling_does_not_start_a_second_run_of_a_connector_still_queued(
    pg_settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    from qa_service.jobs import poll_connectors, using_settings
    from qa_service.services.connectors.configuration import save_connector

    settings = pg_settings.with_overrides(redis_url=redis_url)
    (tmp_path / "drop").mkdir()
    with session_factory(settings.sqlalchemy_url).begin() as session:
        tenant = Tenant(slug=f"sv-poll-{tmp_path.name[-6:]}", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        connector = save_connector(session, tenant.id, sandbox=None, name="drop", kind="dropfolder",
                                   config={"path": str(tmp_path / "drop")})
        connector_id = connector.id
    with using_settings(settings):
        poll_connectors()
        poll_connectors()  # the first run is still queued: no second one
    # Other tests' connectors in the shared database may be due as well: count this one's runs.
    queued = Queue(TEXT_QUEUE, connection=redis_connection(redis_url)).jobs
    assert [job.id for job in queued if job.args == (connector_id,)] == [f"ingest-{connector_id}"]
