"""Cases: linking on keyed digests across channels, repeats and FCR, said vs done, no identifier in clear."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.connectors.base import TransactionRecord
from qa_service.db.models import CaseContact, CaseKey, Interaction, Tenant, TransactionEvent
from qa_service.db.session import session_factory, transaction
from qa_service.services.cases.contacts import judge_stored_contact
from qa_service.services.cases.events import store_transaction_events
from qa_service.services.cases.outcomes import cases_section
from qa_service.services.cases.timeline import timeline_of_interaction
from qa_service.services.ingestion.intake import store_interaction
from qa_service.services.reports.quality import quality_report
from qa_service.services.reports.scope import ReportScope

BOOKING = "KX7P2Q"
PHONE = "+7 916 555-12-34"
TICKET = "555-2101234567"


def chat(external_id: str, started: str, customer: str, agent: str, *, topic: str | None = None,
         meta: dict[str, Any] | None = None, channel: str = "chat") -> dict[str, Any]:
    return {
        "external_id": external_id, "source": "site", "channel": channel, "agent_id": "op-1",
        "started_at": started, "ended_at": started.replace(":00+03:00", ":09+03:00", 1), "topic": topic,
        "meta": meta or {},
        "turns": [{"speaker": "customer", "text": customer, "at": started},
                  {"speaker": "agent", "text": agent, "at": started}],
    }


@pytest.fixture
def tenant_id(settings: Settings) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        return tenant.id


def _store(settings: Settings, tenant_id: int, document: dict[str, Any]) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        stored = store_interaction(session, settings, tenant_id, {k: v for k, v in document.items() if v is not None})
        judge_stored_contact(session, settings, session.get_one(Interaction, stored.interaction_id))
        return stored.interaction_id


def _world(settings: Settings, tenant_id: int) -> dict[str, int]:
    ids = {
        # Day 1: a refund promised by chat (booking code typed), wrong wrap-up code.
        "refund": _store(settings, tenant_id, chat(
            "c1", "2026-11-20T10:00:00+03:00", f"Хочу вернуть билет, бронь {BOOKING}, мой телефон {PHONE}",
            "Оформила возврат, деньги вернутся на карту в течение 7 дней, сумма 12 400 рублей.", topic="exchange")),
        # Day 2: the same customer calls back from the same phone (no code said): a repeat.
        "repeat": _store(settings, tenant_id, chat(
            "c2", "2026-11-21T09:00:00+03:00", f"Деньги так и не пришли, звоню с номера {PHONE}",
            "Передам вопрос специалисту, мы вам перезвоним.", channel="email")),
        # Day 1: another person, another booking, a sale with the wrong amount read back.
        "sale": _store(settings, tenant_id, chat(
            "c3", "2026-11-20T12:00:00+03:00", "Хочу купить билет до Сочи на завтра, код брони ZZ9A1B",
            "Билет оформлен, с вас 8 900 рублей, ссылка на оплату отправлена.", topic="sale")),
    }
    with transaction(settings.sqlalchemy_url) as session:
        store_transaction_events(session, settings, tenant_id, "asb", [
            TransactionRecord("asb:1", "ticket_issued", datetime(2026, 11, 20, 9, 3, tzinfo=UTC), 9800.0,
                              booking_code="ZZ9A1B"),
            TransactionRecord("asb:2", "payment_captured", datetime(2026, 11, 20, 9, 5, tzinfo=UTC), 9800.0,
                              booking_code="ZZ9A1B"),
            TransactionRecord("asb:2", "payment_captured", datetime(2026, 11, 20, 9, 5, tzinfo=UTC), 9800.0,
                              booking_code="ZZ9A1B"),  # a duplicate delivery: stored once
        ])
    return ids


def test_contacts_link_across_channels_repeats_and_fcr(settings: Settings, tenant_id: int) -> None:
    ids = _world(settings, tenant_id)
    with session_factory(settings.sqlalchemy_url)() as session:
        rows = {c.interaction_id: c for c in session.scalars(select(CaseContact))}
        assert rows[ids["refund"]].case_id == rows[ids["repeat"]].case_id != rows[ids["sale"]].case_id
        assert rows[ids["refund"]].reason == "refund" and rows[ids["refund"]].wrapup_mismatch
        assert rows[ids["sale"]].reason == "sale" and not rows[ids["sale"]].wrapup_mismatch
        assert rows[ids["repeat"]].outcome == "callback"
        assert session.query(TransactionEvent).count() == 2
        start, end = datetime(2026, 11, 19, 21, tzinfo=UTC), datetime(2026, 11, 20, 21, tzinfo=UTC)
        section = cases_section(session, tenant_id, start, end, datetime(2026, 12, 1, tzinfo=UTC))
    assert section.contact_reasons == {"refund": 1, "sale": 1}
    assert section.fcr["n"] == 2 and section.fcr["rate"] == 0.5
    assert 0 < section.fcr["low"] < 0.5 < section.fcr["high"] < 1
    assert section.wrapup_mismatches == 1
    kinds = {(d.interaction_id, d.kind) for d in section.discrepancies}
    # The agent says the link was sent; the platform has no payment_link_sent event: a flag too.
    assert kinds == {(ids["refund"], "refund_missing"), (ids["sale"], "amount_mismatch"),
                     (ids["sale"], "no_payment_link")}
    mismatch = next(d for d in section.discrepancies if d.kind == "amount_mismatch")
    assert "8 900" in mismatch.said and "9 800.00" in mismatch.done


def test_a_late_refund_clears_the_flag_and_the_case_json(settings: Settings, tenant_id: int) -> None:
    ids = _world(settings, tenant_id)
    with transaction(settings.sqlalchemy_url) as session:
        store_transaction_events(session, settings, tenant_id, "gateway", [
            TransactionRecord("gw:9", "payment_refunded", datetime(2026, 11, 21, 15, tzinfo=UTC), 12400.0,
                              booking_code=BOOKING.lower())])  # typed in lower case at the gateway
    with session_factory(settings.sqlalchemy_url)() as session:
        case = timeline_of_interaction(session, tenant_id, ids["repeat"], datetime(2026, 12, 1, tzinfo=UTC))
    data = case.to_json()
    assert [c["interaction_id"] for c in data["contacts"]] == [ids["refund"], ids["repeat"]]
    assert data["events"] == [{"kind": "payment_refunded", "at": "2026-11-21T15:00:00+00:00", "amount": 12400.0}]
    assert not any(d.kind == "refund_missing" for d in case.discrepancies)
    assert case.display == "KX***Q"


def test_no_identifier_is_stored_in_clear(settings: Settings, tenant_id: int) -> None:
    _world(settings, tenant_id)
    with transaction(settings.sqlalchemy_url) as session:
        document = chat("c4", "2026-11-22T10:00:00+03:00", f"Билет {TICKET}, пишите на ivan.petrov@mail.ru",
                        "Хорошо.", meta={"booking_code": BOOKING, "customer_phone": PHONE})
        store_interaction(session, settings, tenant_id, {k: v for k, v in document.items() if v is not None})
    clear = [BOOKING, "ZZ9A1B", "2101234567", "9165551234", "916 555-12-34", "ivan.petrov@mail.ru"]
    with session_factory(settings.sqlalchemy_url)() as session:
        connection = session.connection()
        from sqlalchemy import inspect, text

        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                dump = " ".join(str(v) for v in row)
                for value in clear:
                    assert value not in dump, f"{value} in {table}"
        assert session.query(CaseKey).count() >= 5


def test_the_daily_quality_json_gains_the_cases_keys(settings: Settings, tenant_id: int) -> None:
    _world(settings, tenant_id)
    with session_factory(settings.sqlalchemy_url)() as session:
        data = quality_report(session, ReportScope(tenant_id), date(2026, 11, 20), date(2026, 11, 20)).to_json()
    assert {"contact_reasons", "fcr", "repeat_contacts", "discrepancies"} <= set(data)
    assert set(data["fcr"]) == {"rate", "n", "low", "high"}
    assert all(set(d) == {"interaction_id", "kind", "said", "done"} for d in data["discrepancies"])
