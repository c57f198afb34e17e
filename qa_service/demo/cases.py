"""The demo's case: one customer's refund over three channels, and another customer's sale.

Yesterday a customer calls to return a ticket (booking SVX4T2): the agent promises 7 850 ₽ back
and files the call under «info» (a wrong wrap-up code); no refund ever reaches the gateway.  The
customer writes in the chat that afternoon and by e-mail this morning — repeats across channels,
linked by the booking code and the phone.  Another customer buys a ticket by phone: the agent
reads back 12 400 ₽, the gateway captured 13 400 ₽.  Everything goes through ingestion (hashed
and masked like any contact) and scoring; the events through the same store the connector uses.
Idempotent: stable ids, a second run changes nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from qa_service.config import Settings
from qa_service.connectors.base import TransactionRecord
from qa_service.db.models import Tenant
from qa_service.db.session import transaction
from qa_service.services.cases.events import store_transaction_events
from qa_service.services.ingestion.intake import store_interaction
from qa_service.services.reports.scope import settings_of

SOURCE = "demo-cases"
REFUND_BOOKING = "SVX4T2"
SALE_BOOKING = "DMK7R3"
PHONE = "+7 921 555-47-18"


def _contact(external_id: str, channel: str, agent: str, agent_name: str, started: datetime,
             lines: list[tuple[str, str]], **fields: Any) -> dict[str, Any]:
    turns = []
    for i, (speaker, text) in enumerate(lines):
        turn: dict[str, Any] = {"speaker": speaker, "text": text}
        if channel == "call":
            turn.update(start=float(i * 12), end=float(i * 12 + 10))
        else:
            turn["at"] = (started + timedelta(minutes=2 * i)).isoformat()
        turns.append(turn)
    return {"external_id": external_id, "source": SOURCE, "channel": channel, "direction": "inbound",
            "agent_id": agent, "started_at": started.isoformat(),
            "ended_at": (started + timedelta(minutes=2 * len(lines))).isoformat(),
            "meta": {"agent_name": agent_name, **fields.pop("meta", {})}, "turns": turns, **fields}


def seed_demo_case(settings: Settings, tenant_id: int, now: datetime) -> list[int]:
    """Store the demo case's contacts and events; the interaction ids."""
    with transaction(settings.sqlalchemy_url) as session:
        zone = settings_of(session.get_one(Tenant, tenant_id)).zone
    today = now.astimezone(zone).date()
    yesterday = datetime.combine(today - timedelta(days=1), time(10, 5), tzinfo=zone)
    greeting = "Здравствуйте! Авиакомпания «Северный Ветер», меня зовут Ольга. Чем могу помочь?"
    documents = [
        _contact(f"C-DEMO-REFUND-{today:%Y%m%d}", "call", "A-102", "Ольга", yesterday, [
            ("agent", greeting),
            ("customer", f"Здравствуйте, хочу вернуть билет, бронь {REFUND_BOOKING}, поездка отменилась."),
            ("agent", "Сейчас проверю. Тариф возвратный, возврат возможен."),
            ("agent", "Оформила возврат, 7 850 рублей вернутся на карту в течение семи рабочих дней."),
            ("customer", "Спасибо."),
            ("agent", "Спасибо за обращение в авиакомпанию «Северный Ветер»! Всего доброго."),
        ], topic="info", meta={"customer_phone": PHONE, "booking_code": REFUND_BOOKING}),
        _contact(f"CH-DEMO-REFUND-{today:%Y%m%d}", "chat", "A-104", "Ирина", yesterday + timedelta(hours=6), [
            ("customer", f"Добрый день. Вчера оформили возврат по брони {REFUND_BOOKING}, деньги так и не пришли."),
            ("agent", "Здравствуйте! Меня зовут Ирина. Проверю статус возврата."),
            ("agent", "Передам вопрос специалисту по возвратам, мы вам перезвоним сегодня."),
        ], topic="refund", meta={"customer_phone": PHONE}),
        _contact(f"E-DEMO-REFUND-{today:%Y%m%d}", "email", "A-105", "Дмитрий",
                 datetime.combine(today, time(8, 40), tzinfo=zone), [
            ("customer", f"Пишу третий раз: возврат по брони {REFUND_BOOKING} не поступил. Телефон {PHONE}."),
            ("agent", "Здравствуйте! Приносим извинения, направили запрос в бухгалтерию, ответим в течение суток."),
        ], topic="refund"),
        _contact(f"C-DEMO-SALE-{today:%Y%m%d}", "call", "A-103", "Сергей", yesterday + timedelta(hours=2), [
            ("agent", greeting.replace("Ольга", "Сергей")),
            ("customer", "Хочу купить билет в Сочи на субботу."),
            ("agent", f"Забронировал, код брони {SALE_BOOKING}. Билет оформлен, к оплате 12 400 рублей, "
                      "ссылку на оплату отправил вам в СМС."),
            ("customer", "Спасибо, оплачу."),
            ("agent", "Спасибо за обращение в авиакомпанию «Северный Ветер»! Всего доброго."),
        ], topic="sale"),
    ]
    ids = []
    for document in documents:
        with transaction(settings.sqlalchemy_url) as session:
            ids.append(store_interaction(session, settings, tenant_id, document).interaction_id)
    sale_at = yesterday + timedelta(hours=2, minutes=5)
    with transaction(settings.sqlalchemy_url) as session:
        store_transaction_events(session, settings, tenant_id, SOURCE, [
            # The refund call's booking was issued weeks ago; its refund never reached the gateway.
            TransactionRecord("demo-ticket-refund-issued", "ticket_issued", yesterday - timedelta(days=20), 7850.0,
                              booking_code=REFUND_BOOKING, agent_id="A-101"),
            TransactionRecord("demo-sale-issued", "ticket_issued", sale_at, 13400.0, booking_code=SALE_BOOKING,
                              agent_id="A-103"),
            TransactionRecord("demo-sale-link", "payment_link_sent", sale_at + timedelta(minutes=1),
                              booking_code=SALE_BOOKING, agent_id="A-103"),
            TransactionRecord("demo-sale-captured", "payment_captured", sale_at + timedelta(minutes=9), 13400.0,
                              booking_code=SALE_BOOKING),
        ])
    return ids
