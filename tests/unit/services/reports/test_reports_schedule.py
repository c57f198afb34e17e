"""The daily schedule against a real SMTP server: yesterday's PDFs are mailed once, failures are kept and retried."""

from __future__ import annotations

import io
import socket
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from report_data import DAY, build_report_world
from smtp_inbox import SmtpInbox
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import ReportRun
from qa_service.db.session import transaction
from qa_service.services.reports.daily import DailyReportsFailed, generate_daily_reports, generate_day

BEFORE_REPORT_TIME = datetime(2026, 11, 21, 3, 59, tzinfo=UTC)  # 06:59 in Moscow
AFTER_REPORT_TIME = datetime(2026, 11, 21, 4, 30, tzinfo=UTC)  # 07:30 in Moscow


def _runs(settings: Settings, tenant_id: int) -> list[ReportRun]:
    with transaction(settings.sqlalchemy_url) as session:
        return list(session.scalars(select(ReportRun).where(ReportRun.tenant_id == tenant_id)
                                    .order_by(ReportRun.kind)))


def test_yesterdays_reports_are_mailed_once_at_the_local_report_time(
    settings: Settings, smtp_server: tuple[str, SmtpInbox]
) -> None:
    url, inbox = smtp_server
    settings = settings.with_overrides(smtp_url=url)
    world = build_report_world(settings, recipients=("lead@airline.test",))
    assert generate_daily_reports(settings, BEFORE_REPORT_TIME) == []
    assert inbox.messages == []

    outcomes = generate_daily_reports(settings, AFTER_REPORT_TIME)
    assert {(o.tenant_id, o.day, o.status) for o in outcomes} >= {(world.tenant_id, DAY, "done")}
    [(envelope, message)] = inbox.messages  # the other airline has no recipients
    assert envelope.rcpt_tos == ["lead@airline.test"]
    pdfs = {p.get_filename(): p.get_payload(decode=True) for p in message.walk() if p.get_filename()}
    assert set(pdfs) == {"daily-operations-2026-11-20.pdf", "daily-quality-2026-11-20.pdf"}
    operations = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdfs["daily-operations-2026-11-20.pdf"]))
                         .pages)
    assert "Операционный отчёт" in operations and "Северный Ветер" in operations and "Поступило" in operations
    quality = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdfs["daily-quality-2026-11-20.pdf"])).pages)
    assert "Данные карты не запрашиваются голосом" in quality

    runs = _runs(settings, world.tenant_id)
    assert [(r.kind, r.day, r.status, r.attempts) for r in runs] == [
        ("daily-operations", DAY, "done", 1), ("daily-quality", DAY, "done", 1)]
    assert all(r.mailed_at is not None and r.blob_key for r in runs)
    assert runs[0].summary["totals"]["inbound_offered"] == 5

    # The next tick finds the day done: no second message.
    assert [o for o in generate_daily_reports(settings, AFTER_REPORT_TIME) if o.tenant_id == world.tenant_id] == []
    assert len(inbox.messages) == 1
    # A manual re-run replaces the day's rows instead of adding new ones.
    assert generate_day(settings, world.tenant_id, DAY, AFTER_REPORT_TIME).status == "done"
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(func.count(ReportRun.id)).where(ReportRun.tenant_id == world.tenant_id)) == 2


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_failed_run_is_recorded_raised_for_retry_and_then_succeeds(
    settings: Settings, smtp_server: tuple[str, SmtpInbox]
) -> None:
    url, inbox = smtp_server
    broken = settings.with_overrides(smtp_url=f"smtp://127.0.0.1:{_closed_port()}")
    world = build_report_world(broken, recipients=("lead@airline.test",))
    with pytest.raises(DailyReportsFailed):
        generate_daily_reports(broken, AFTER_REPORT_TIME)
    runs = _runs(broken, world.tenant_id)
    assert [(r.status, r.attempts) for r in runs] == [("failed", 1), ("failed", 1)]
    assert all("ConnectionRefusedError" in (r.error or "") for r in runs)

    working = settings.with_overrides(smtp_url=url)
    generate_daily_reports(working, AFTER_REPORT_TIME)
    runs = _runs(working, world.tenant_id)
    assert [(r.status, r.attempts, r.error) for r in runs] == [("done", 2, None), ("done", 2, None)]
    assert len(inbox.messages) == 1
    assert runs[0].day == date(2026, 11, 20)
