"""The staffing alert fires once per episode, mails the supervisors, and the episode is in the day's report."""

from __future__ import annotations

import email.header
from datetime import UTC, datetime

from report_data import DAY, build_report_world, local
from smtp_inbox import SmtpInbox
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import AgentStatusEvent, StaffingEpisode
from qa_service.db.session import session_factory, transaction
from qa_service.services.reports.daily import build_report
from qa_service.services.reports.scope import ReportScope
from qa_service.services.reports.staffing import check_staffing


def _subject(message: object) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))  # type: ignore[index]


def test_alert_fires_once_per_episode(settings: Settings, smtp_server: tuple[str, SmtpInbox]) -> None:
    url, inbox = smtp_server
    settings = settings.with_overrides(smtp_url=url)
    world = build_report_world(settings, min_agents=2)
    with transaction(settings.sqlalchemy_url) as session:
        petr = world.agents["petr"]
        session.add_all([
            AgentStatusEvent(tenant_id=world.tenant_id, source="test", source_key="p-back", agent_id=petr,
                             status="ready", at=local(11, 0)),
            AgentStatusEvent(tenant_id=world.tenant_id, source="test", source_key="p-out", agent_id=petr,
                             status="logged_out", at=local(11, 20)),
        ])

    # 10:50: Пётр has logged out, only Анна is on the line; the plan asks for 3 this hour.
    [ours, theirs] = check_staffing(settings, local(10, 50))
    assert (ours.logged_in, ours.required, ours.notified) == (1, 3, True)
    assert theirs.notified is False  # the other airline's supervisors are not ours
    [(envelope, message)] = inbox.messages
    assert envelope.rcpt_tos == ["supervisor@severny.test"]
    assert "на линии 1 из 3" in _subject(message)
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "20.11.2026 10:50" in body and "Анна Смирнова (A-101)" in body and "Пётр" not in body

    # Still short five minutes later: the same episode, no second message.
    assert check_staffing(settings, local(10, 55))[0].episode_id == ours.episode_id
    assert len(inbox.messages) == 1
    # Пётр is back at 11:00 (2 ≥ the minimum of 2, no plan): the episode closes.
    assert check_staffing(settings, local(11, 1))[0].episode_id is None
    # He leaves again at 11:20: a new episode, a new message.
    again = check_staffing(settings, local(11, 30))[0]
    assert again.notified and again.episode_id != ours.episode_id
    assert len(inbox.messages) == 2

    with session_factory(settings.sqlalchemy_url)() as session:
        episodes = list(session.scalars(select(StaffingEpisode).where(StaffingEpisode.tenant_id == world.tenant_id)
                                        .order_by(StaffingEpisode.started_at)))
        assert [(e.started_at, e.ended_at, e.lowest) for e in episodes] == [
            (local(10, 50), local(11, 1), 1), (local(11, 30), None, 1)]
        report = build_report(session, "daily-operations", ReportScope(world.tenant_id), DAY, DAY,
                              datetime(2026, 11, 22, tzinfo=UTC))
        assert [(e.started_at, e.lowest, e.required) for e in report.episodes] == [
            (local(10, 50), 1, 3), (local(11, 30), 1, 2)]


def test_no_status_feed_is_no_alert(settings: Settings, smtp_server: tuple[str, SmtpInbox]) -> None:
    url, inbox = smtp_server
    settings = settings.with_overrides(smtp_url=url)
    build_report_world(settings, min_agents=4)
    # Three days after the last status event nobody's status is known: silence, not an alarm.
    results = check_staffing(settings, datetime(2026, 11, 24, tzinfo=UTC))
    assert all(r.episode_id is None for r in results) and inbox.messages == []
