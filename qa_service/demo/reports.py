"""The demo's report days: a full shift of status events for yesterday with one understaffed hour.

The platform simulator only covers the hours before the demo starts, so without this the
airline's reviewer would open yesterday's operational report and find no staffing at all.
Twelve shift agents are logged in around the clock, except 04:00–05:00 local, when nine of
them are in a training session (logged out) — three on the line against the minimum of four.
Idempotent: events carry stable keys, and yesterday's runs are regenerated in place.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import Agent, AgentStatusEvent, Tenant
from qa_service.db.session import transaction
from qa_service.services.ingestion.intake import StoredInteraction, store_interaction
from qa_service.services.reports.daily import store_day
from qa_service.services.reports.scope import settings_of
from qa_service.services.reports.tables import KINDS

SOURCE = "demo-reports"
SHIFT = 12
SHORT_HOUR = 4
ON_DUTY_IN_SHORT_HOUR = 3


def seed_demo_reports(settings: Settings, tenant_id: int, now: datetime) -> None:
    """Status events for yesterday and today, then yesterday's stored report runs."""
    with transaction(settings.sqlalchemy_url) as session:
        tenant = session.get_one(Tenant, tenant_id)
        zone = settings_of(tenant).zone
        today = now.astimezone(zone).date()
        yesterday = today - timedelta(days=1)
        agents = []
        for number in range(1, SHIFT + 1):
            external_id = f"D-{number:02d}"
            agent = session.scalar(select(Agent).where(Agent.tenant_id == tenant_id, Agent.external_id == external_id))
            if agent is None:
                agent = Agent(tenant_id=tenant_id, external_id=external_id, name=f"Оператор смены {number:02d}")
                session.add(agent)
                session.flush()
            agents.append(agent)
        existing = set(session.scalars(select(AgentStatusEvent.source_key).where(
            AgentStatusEvent.tenant_id == tenant_id, AgentStatusEvent.source == SOURCE)))
        start = datetime.combine(yesterday, time(0), tzinfo=zone)
        events: list[tuple[Agent, str, datetime, str]] = []
        for index, agent in enumerate(agents):
            events.append((agent, "ready", start, f"{yesterday}-{agent.external_id}-in"))
            if index >= ON_DUTY_IN_SHORT_HOUR:
                short = datetime.combine(yesterday, time(SHORT_HOUR), tzinfo=zone)
                events.append((agent, "logged_out", short, f"{yesterday}-{agent.external_id}-training"))
                events.append((agent, "ready", short + timedelta(hours=1), f"{yesterday}-{agent.external_id}-back"))
            # A call and a break each hour-ish, so the status tables show more than "ready".
            for hour in range(8, 20, 3):
                at = datetime.combine(yesterday, time(hour, (index * 7) % 60), tzinfo=zone)
                events.append((agent, "on_call", at, f"{yesterday}-{agent.external_id}-call{hour}"))
                events.append((agent, "ready", at + timedelta(minutes=12), f"{yesterday}-{agent.external_id}-r{hour}"))
            lunch = datetime.combine(yesterday, time(13, (index * 5) % 60), tzinfo=zone)
            # Lunch breaks are staggered so at most a few agents are away at once.
            events.append((agent, "break", lunch, f"{yesterday}-{agent.external_id}-lunch"))
            events.append((agent, "ready", lunch + timedelta(minutes=30), f"{yesterday}-{agent.external_id}-after"))
        for agent, status, at, key in events:
            if key not in existing:
                session.add(AgentStatusEvent(tenant_id=tenant_id, source=SOURCE, source_key=key, agent_id=agent.id,
                                             status=status, at=at))
    with transaction(settings.sqlalchemy_url) as session:
        tenant = session.get_one(Tenant, tenant_id)
        for kind in KINDS:
            store_day(settings, session, tenant, kind, yesterday, now)


def demo_card_chat(settings: Settings, tenant_id: int, now: datetime) -> StoredInteraction:
    """Today's chat in which agent A-106 asks for the card number in writing: a critical failure to find.

    The simulator's card fault only shows in sales calls and in the eighth chat, which the
    default demo does not reach; this chat goes through the same redaction and scoring as
    every other (the caller starts its pipeline), so the failure is found, not written in.
    """
    started = now - timedelta(minutes=40)

    def at(seconds: int) -> str:
        return (started + timedelta(seconds=seconds)).isoformat()

    document = {
        "external_id": f"CH-DEMO-CARD-{started:%Y%m%d}", "source": "demo-reports", "channel": "chat",
        "direction": "inbound", "agent_id": "A-106", "started_at": at(0), "ended_at": at(600), "outcome": "closed",
        "meta": {"agent_name": "Павел"},
        "turns": [
            {"speaker": "customer", "at": at(0), "text": "Здравствуйте, хочу оплатить багаж по бронированию."},
            {"speaker": "agent", "at": at(40), "text": "Здравствуйте! Меня зовут Павел. Назовите, пожалуйста, "
                                                     "код бронирования или фамилию пассажира."},
            {"speaker": "customer", "at": at(90), "text": "КЛМ123, Сидоров"},
            {"speaker": "agent", "at": at(130), "text": "Напишите номер карты, я проведу оплату."},
            {"speaker": "customer", "at": at(200), "text": "Понятно, спасибо."},
            {"speaker": "agent", "at": at(240), "text": "Спасибо за обращение в авиакомпанию «Северный Ветер»!"},
        ],
    }
    with transaction(settings.sqlalchemy_url) as session:
        return store_interaction(session, settings, tenant_id, document)
