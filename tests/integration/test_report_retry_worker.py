"""Daily reports retried by a real RQ worker: the real Redis, PostgreSQL (a database of this test's
own, so no other test's tenants are due), weasyprint PDFs and a real SMTP server (aiosmtpd) that
refuses the first delivery the way an overloaded relay does (451).

Nothing waits a fixed time: each burst worker runs until its queue is empty; the retry RQ
schedules is waited for on its scheduled time in RQ's registry, with a deadline.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from factories import PASSWORD, sign_in
from pypdf import PdfReader
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from smtp_inbox import SmtpInbox
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import ReportRun, Role, Tenant, User
from qa_service.db.session import transaction
from qa_service.jobs import TEXT_QUEUE, enqueue, generate_daily_reports, redis_connection
from qa_service.services.accounts.tenants import hash_password
from qa_service.services.reports.daily import generate_day
from qa_service.web import create_app

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]  # three worker processes, ~2 min
RETRY_SECONDS = 2  # RQ's retry interval in the worker (QA_JOB_RETRY_INTERVALS)


def _run_burst_worker(settings: Settings) -> str:
    """Run one burst worker until its queue is empty; its log (JSON lines)."""
    env = dict(os.environ, DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url or "",
               QA_ENV="test", QA_INSTANCE_DIR=str(settings.instance_dir), QA_SMTP_URL=settings.smtp_url or "",
               QA_JOB_RETRY_INTERVALS=f"{RETRY_SECONDS},{RETRY_SECONDS},{RETRY_SECONDS}")
    result = subprocess.run([sys.executable, "-m", "qa_service", "worker", "--queues", TEXT_QUEUE, "--burst"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


def _runs(settings: Settings, tenant_id: int) -> list[ReportRun]:
    with transaction(settings.sqlalchemy_url) as session:
        rows = list(session.scalars(select(ReportRun).where(ReportRun.tenant_id == tenant_id).order_by(ReportRun.kind)))
        session.expunge_all()
        return rows


def _wait_until_retry_is_due(settings: Settings, job_id: str, deadline_seconds: float = 60) -> None:
    """The failed job is in RQ's scheduled registry; wait until its retry time has come."""
    assert settings.redis_url is not None
    registry = ScheduledJobRegistry(TEXT_QUEUE, connection=redis_connection(settings.redis_url))
    assert job_id in registry.get_job_ids(), "the failed job was not scheduled for a retry"
    due = registry.get_scheduled_time(job_id)
    deadline = time.monotonic() + deadline_seconds
    while datetime.now(UTC) < due:
        assert time.monotonic() < deadline, f"retry of {job_id} not due by its scheduled time {due}"
        time.sleep(0.1)


def _zone_far_from_midnight() -> str:
    """A time zone where it is day now: the report day ("yesterday") cannot change mid-test."""
    for zone in ("Europe/Moscow", "Asia/Vladivostok"):  # UTC+3 or UTC+10: one of them is between 03 and 21
        if 3 <= datetime.now(ZoneInfo(zone)).hour <= 20:
            return zone
    raise AssertionError("unreachable: Moscow and Vladivostok are seven hours apart")


def test_daily_reports_fail_once_are_visible_then_retried_by_the_worker_and_delivered(
    own_pg_settings: Settings, redis_url: str, smtp_server: tuple[str, SmtpInbox]
) -> None:
    url, inbox = smtp_server
    settings = own_pg_settings.with_overrides(redis_url=redis_url, smtp_url=url)
    with transaction(settings.sqlalchemy_url) as session:
        # Report time 00:00: yesterday is due whenever the test runs.
        tenant = Tenant(slug="sv-reports", name="Авиакомпания «Северный Ветер»",
                        settings={"report_recipients": ["lead@airline.test"], "report_time": "00:00",
                                  "timezone": _zone_far_from_midnight()})
        session.add(tenant)
        session.flush()
        session.add(User(tenant_id=tenant.id, email="lead@airline.test", name="Ольга Заказчик", role=Role.CUSTOMER,
                         password_hash=hash_password(PASSWORD)))
        tenant_id = tenant.id
    inbox.refuse_next = 1  # the relay refuses the first delivery

    queued = enqueue(settings, generate_daily_reports)
    assert queued.id and not queued.ran_in_process
    log = _run_burst_worker(settings)

    # Attempt 1: the relay refused; both runs of the day are failed, with the relay's reason, and visible.
    assert inbox.refused == 1 and inbox.messages == []
    failed = _runs(settings, tenant_id)
    assert [(r.kind, r.status, r.attempts) for r in failed] == [
        ("daily-operations", "failed", 1), ("daily-quality", "failed", 1)]
    assert all("SMTPDataError" in (r.error or "") and "451" in (r.error or "") for r in failed)
    day = failed[0].day
    app = create_app(settings)
    client = app.test_client()
    sign_in(client, "lead@airline.test")
    page = client.get("/reports/history").get_data(as_text=True)
    assert "SMTPDataError" in page and "451" in page and day.strftime("%d.%m.%Y") in page
    job = Job.fetch(queued.id, connection=redis_connection(redis_url))
    assert job.get_status() == JobStatus.SCHEDULED and job.retries_left == 2  # RQ will retry it
    # The worker's log says when (the redacting log filter once took a third of such times for cards).
    retry_line = next(line for line in log.splitlines() if "scheduled for retry at" in line)
    assert "[карта]" not in retry_line and "2 remaining" in retry_line

    # Attempt 2, by the worker: the retry RQ scheduled runs once it is due, and the day is delivered.
    _wait_until_retry_is_due(settings, queued.id)
    _run_burst_worker(settings)
    assert Job.fetch(queued.id, connection=redis_connection(redis_url)).get_status() == JobStatus.FINISHED
    done = _runs(settings, tenant_id)
    assert [(r.kind, r.day, r.status, r.attempts, r.error) for r in done] == [
        ("daily-operations", day, "done", 2, None), ("daily-quality", day, "done", 2, None)]
    assert all(r.mailed_at is not None and r.blob_key for r in done)
    [(envelope, message)] = inbox.messages
    assert envelope.rcpt_tos == ["lead@airline.test"]
    pdfs = {p.get_filename(): p.get_payload(decode=True) for p in message.walk() if p.get_filename()}
    assert set(pdfs) == {f"daily-operations-{day.isoformat()}.pdf", f"daily-quality-{day.isoformat()}.pdf"}
    operations = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdfs[f"daily-operations-{day}.pdf"])).pages)
    assert "Операционный отчёт" in operations and "Северный Ветер" in operations
    assert day.strftime("%d.%m.%Y") in operations
    page = client.get("/reports/history").get_data(as_text=True)
    assert "SMTPDataError" not in page  # the reason is gone with the failure

    # The job again (the next scheduler tick): the day is done, nothing is sent or added.
    enqueue(settings, generate_daily_reports)
    _run_burst_worker(settings)
    assert len(inbox.messages) == 1
    assert [(r.id, r.status, r.attempts) for r in _runs(settings, tenant_id)] == [(r.id, "done", 2) for r in done]

    # Re-running the same day by hand replaces that day's runs: still one per tenant, day and kind.
    assert generate_day(settings, tenant_id, day, datetime.now(UTC)).status == "done"
    again = _runs(settings, tenant_id)
    assert [(r.id, r.kind, r.day, r.status, r.attempts) for r in again] == [
        (r.id, r.kind, day, "done", 3) for r in done]
    assert all(a.generated_at is not None and b.generated_at is not None and a.generated_at >= b.generated_at
               for a, b in zip(again, done, strict=True))
    assert len(inbox.messages) == 2
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(Tenant.id).where(Tenant.slug == "sv-reports")) == tenant_id
    assert Queue(TEXT_QUEUE, connection=redis_connection(redis_url)).count == 0
