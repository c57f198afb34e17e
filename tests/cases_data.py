"""A small world of cases for tests: a refund over chat and e-mail, another customer's sale, their events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from qa_service.config import Settings
from qa_service.connectors.base import TransactionRecord
from qa_service.db.models import Interaction
from qa_service.db.session import transaction
from qa_service.services.cases.contacts import judge_stored_contact
from qa_service.services.cases.events import store_transaction_events
from qa_service.services.ingestion.intake import store_interaction

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


def store_judged(settings: Settings, tenant_id: int, document: dict[str, Any]) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        stored = store_interaction(session, settings, tenant_id, {k: v for k, v in document.items() if v is not None})
        judge_stored_contact(session, settings, session.get_one(Interaction, stored.interaction_id))
        return stored.interaction_id


def build_cases_world(settings: Settings, tenant_id: int) -> dict[str, int]:
    ids = {
        # Day 1: a refund promised by chat (booking code typed), wrong wrap-up code.
        "refund": store_judged(settings, tenant_id, chat(
            "c1", "2026-11-20T10:00:00+03:00", f"Хочу вернуть билет, бронь {BOOKING}, мой телефон {PHONE}",
            "Оформила возврат, деньги вернутся на карту в течение 7 дней, сумма 12 400 рублей.", topic="exchange")),
        # Day 2: the same customer calls back from the same phone (no code said): a repeat.
        "repeat": store_judged(settings, tenant_id, chat(
            "c2", "2026-11-21T09:00:00+03:00", f"Деньги так и не пришли, звоню с номера {PHONE}",
            "Передам вопрос специалисту, мы вам перезвоним.", channel="email")),
        # Day 1: another person, another booking, a sale with the wrong amount read back.
        "sale": store_judged(settings, tenant_id, chat(
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
