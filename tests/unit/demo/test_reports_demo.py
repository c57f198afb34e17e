"""The demo's report days: yesterday has exactly one understaffed hour and stored runs, seeded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import AgentStatusEvent, ReportRun
from qa_service.db.session import session_factory
from qa_service.demo.reports import seed_demo_reports
from qa_service.demo.tenant import prepare_demo_accounts
from qa_service.services.reports.daily import build_report
from qa_service.services.reports.scope import ReportScope


def test_yesterday_has_one_understaffed_hour_and_stored_runs(settings: Settings) -> None:
    accounts = prepare_demo_accounts(settings)
    now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
    seed_demo_reports(settings, accounts.tenant_id, now)
    seed_demo_reports(settings, accounts.tenant_id, now)  # the demo started twice
    yesterday = (now + timedelta(hours=3)).date() - timedelta(days=1)
    with session_factory(settings.sqlalchemy_url)() as session:
        report = build_report(session, "daily-operations", ReportScope(accounts.tenant_id), yesterday, yesterday, now)
        assert report.understaffed_hours == [4]
        assert report.hours[4].agents_logged_in == 3 and report.hours[5].agents_logged_in == 12
        events = session.scalar(select(func.count(AgentStatusEvent.id)))
        runs = list(session.scalars(select(ReportRun).where(ReportRun.tenant_id == accounts.tenant_id)))
    assert sorted((r.kind, r.day, r.status) for r in runs) == [
        ("daily-operations", yesterday, "done"), ("daily-quality", yesterday, "done")]
    # Per agent: logged in, four calls (on call + back), lunch (break + back); nine go to training and back.
    assert events == 12 * (1 + 8 + 2) + 9 * 2  # seeded once: the second start added nothing


def test_the_demo_card_chat_is_scored_as_a_critical_failure(settings: Settings) -> None:
    from qa_service.db.models import Interaction
    from qa_service.demo.reports import demo_card_chat

    accounts = prepare_demo_accounts(settings)
    now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    # Storing requests scoring after the commit; without Redis it runs at once in this process.
    assert demo_card_chat(settings, accounts.tenant_id, now).created
    assert not demo_card_chat(settings, accounts.tenant_id, now).created  # a second demo start adds nothing
    with session_factory(settings.sqlalchemy_url)() as session:
        row = session.scalar(select(Interaction).where(Interaction.source == "demo-reports"))
        assert row is not None and row.failed_critical  # found by the real scorer, not written in
        today = (now + timedelta(hours=3)).date()
        report = build_report(session, "daily-quality", ReportScope(accounts.tenant_id), today, today, now)
        assert [f.agent for f in report.critical_failures] == ["Павел (A-106)"]
