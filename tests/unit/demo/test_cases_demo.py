"""The demo's case: repeats across three channels, a promised refund that never came, a wrong amount read
back and a wrong wrap-up code — found by the real pipeline (ingestion, scoring, matching), seeded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qa_service.config import Settings
from qa_service.db.session import session_factory
from qa_service.demo.cases import seed_demo_case
from qa_service.demo.tenant import prepare_demo_accounts
from qa_service.services.cases.timeline import timeline_of_interaction
from qa_service.services.reports.quality import quality_report
from qa_service.services.reports.scope import ReportScope


def test_the_demo_case_shows_repeats_a_missing_refund_and_a_wrong_amount(settings: Settings) -> None:
    accounts = prepare_demo_accounts(settings)
    now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
    refund_call, chat, email, sale_call = seed_demo_case(settings, accounts.tenant_id, now)
    assert seed_demo_case(settings, accounts.tenant_id, now) == [refund_call, chat, email, sale_call]
    yesterday = (now + timedelta(hours=3)).date() - timedelta(days=1)
    with session_factory(settings.sqlalchemy_url)() as session:
        case = timeline_of_interaction(session, accounts.tenant_id, refund_call, now)
        sale = timeline_of_interaction(session, accounts.tenant_id, sale_call, now)
        data = quality_report(session, ReportScope(accounts.tenant_id), yesterday, yesterday).to_json()
    assert [c.interaction_id for c in case.contacts] == [refund_call, chat, email]
    assert {c.channel for c in case.contacts} == {"call", "chat", "email"}
    first = case.contacts[0]
    assert first.reason == "refund" and first.wrapup == "info" and first.wrapup_mismatch
    assert [d.kind for d in case.discrepancies] == ["refund_missing"]
    assert "7 850" in case.discrepancies[0].said
    assert [(d.kind, d.interaction_id) for d in sale.discrepancies] == [("amount_mismatch", sale_call)]
    assert "13 400.00" in sale.discrepancies[0].done and "12 400" in sale.discrepancies[0].said
    # Yesterday: the refund call (followed by the chat: not resolved first time), the chat, the sale.
    assert data["contact_reasons"]["refund"] == 2 and data["contact_reasons"]["sale"] == 1
    assert data["fcr"]["n"] == 3 and data["fcr"]["rate"] == round(1 / 3, 4)
    assert data["repeat_contacts"] == 1
    assert {(d["interaction_id"], d["kind"]) for d in data["discrepancies"]} == {
        (refund_call, "refund_missing"), (sale_call, "amount_mismatch")}
