"""Constructed days for the report tests: every figure in them is counted by hand in the tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import (
    Agent,
    AgentStatusEvent,
    Channel,
    CriterionAnswer,
    Evaluation,
    EvaluationKind,
    Interaction,
    ProcessingState,
    Role,
    Rubric,
    RubricVersion,
    StaffingPlan,
    Team,
    Tenant,
    Turn,
    User,
)
from qa_service.db.session import transaction
from qa_service.services.accounts.tenants import hash_password

MSK = ZoneInfo("Europe/Moscow")
DAY = date(2026, 11, 20)
PASSWORD = "correct-horse-1"
RUBRIC = """id: airline-call
title: Звонки
sections:
  - id: opening
    title: Открытие
    criteria:
      - id: greeting
        title: Приветствие и название компании
      - id: farewell
        title: Прощание по стандарту
      - id: no_card_by_voice
        title: Данные карты не запрашиваются голосом
"""


def local(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=MSK).astimezone(UTC)


@dataclass
class ReportWorld:
    tenant_id: int
    other_tenant_id: int
    slug: str
    agents: dict[str, int] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # role -> e-mail
    teams: dict[str, int] = field(default_factory=dict)
    critical_call_id: int = 0


def _call(tenant_id: int, key: str, at: datetime, *, agent: int | None, outcome: str, wait: float | None,
          direction: str = "inbound", talk: float = 100.0, sale: float | None = None,
          holds: list[list[float]] | None = None) -> Interaction:
    return Interaction(
        tenant_id=tenant_id, source="test", external_id=key, channel=Channel.CALL, direction=direction,
        agent_id=agent, started_at=at, ended_at=at + timedelta(seconds=(wait or 0) + talk) if agent else at,
        outcome=outcome, wait_seconds=wait, sale_amount=sale, metrics={"holds": holds or []},
    )


def build_report_world(settings: Settings, *, min_agents: int = 1, recipients: tuple[str, ...] = ()) -> ReportWorld:
    """One airline's day of 2026-11-20 (Moscow) and a second airline that must never show up."""
    password_hash = hash_password(PASSWORD)
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="severny-veter", name="Авиакомпания «Северный Ветер»",
                        settings={"min_agents_on_line": min_agents, "report_recipients": list(recipients),
                                  "report_time": "07:00"})
        other = Tenant(slug="yuzhny-bereg", name="Авиакомпания «Южный Берег»")
        session.add_all([tenant, other])
        session.flush()
        world = ReportWorld(tenant.id, other.id, tenant.slug)
        for role in Role:
            email = f"{role.value}@severny.test"
            session.add(User(tenant_id=tenant.id, email=email, name=f"{role.value} пользователь", role=role,
                             password_hash=password_hash))
            world.users[role.value] = email
        session.add(User(tenant_id=other.id, email="customer@yuzhny.test", name="Заказчик Юга", role=Role.CUSTOMER,
                         password_hash=password_hash))
        world.users["other_customer"] = "customer@yuzhny.test"
        session.flush()
        supervisor = session.scalar(select(User).where(User.email == world.users["supervisor"]))
        alpha = Team(tenant_id=tenant.id, name="Альфа", supervisor_id=supervisor.id if supervisor else None)
        beta = Team(tenant_id=tenant.id, name="Бета")
        south_team = Team(tenant_id=other.id, name="Юг")
        session.add_all([alpha, beta, south_team])
        session.flush()
        world.teams = {"alpha": alpha.id, "beta": beta.id, "south": south_team.id}
        anna = Agent(tenant_id=tenant.id, external_id="A-101", name="Анна Смирнова", team_id=alpha.id)
        petr = Agent(tenant_id=tenant.id, external_id="A-102", name="Пётр Иванов", team_id=beta.id)
        south = Agent(tenant_id=other.id, external_id="S-1", name="Южный Оператор")
        session.add_all([anna, petr, south])
        session.flush()
        world.agents = {"anna": anna.id, "petr": petr.id, "south": south.id}

        t = tenant.id
        calls = [
            # The evening before in Moscow (20:59:59 UTC on the 19th = 23:59:59 local): not this day.
            _call(t, "C-prev", local(23, 59, 59, day=DAY - timedelta(days=1)), agent=anna.id, outcome="answered",
                  wait=5),
            # Local 00:00:00 — hour 0, answered at exactly 20 s: within the target.
            _call(t, "C-0000", local(0, 0, 0), agent=anna.id, outcome="answered", wait=20, talk=100,
                  holds=[[10.0, 40.0]]),
            # Hour 0: answered at 21 s: answered, not within 20 s.
            _call(t, "C-0010", local(0, 10), agent=petr.id, outcome="answered", wait=21, talk=200),
            # Hour 0: abandoned in the queue.
            _call(t, "C-0020", local(0, 20), agent=None, outcome="abandoned", wait=50),
            # Hour 10: answered in 3 s with a sale; an outbound call.
            _call(t, "C-1000", local(10, 0), agent=anna.id, outcome="answered", wait=3, talk=300, sale=12500.0),
            _call(t, "C-1005", local(10, 5), agent=anna.id, outcome="answered", wait=None, direction="outbound"),
            # Local 23:59:59 — still this day, hour 23: a missed call.
            _call(t, "C-2359", local(23, 59, 59), agent=None, outcome="missed", wait=30),
            # Local 00:00 the next day: not this day.
            _call(t, "C-next", local(0, 0, 0, day=DAY + timedelta(days=1)), agent=anna.id, outcome="answered", wait=1),
        ]
        session.add_all(calls)
        # The other airline's call in the same hour: must never be counted.
        session.add(_call(other.id, "S-0000", local(0, 5), agent=south.id, outcome="answered", wait=1))
        session.flush()

        # A chat answered in 60 s (in SLA) and one answered in 61 s; an e-mail answered after 25 h.
        for key, at, delay, channel in (("CH-1", local(9, 0), 60, Channel.CHAT), ("CH-2", local(9, 30), 61,
                                        Channel.CHAT), ("M-1", local(11, 0), 25 * 3600, Channel.EMAIL)):
            item = Interaction(tenant_id=t, source="test", external_id=key, channel=channel, agent_id=petr.id,
                               started_at=at, sale_amount=3000.0 if key == "CH-1" else None)
            session.add(item)
            session.flush()
            session.add_all([
                Turn(interaction_id=item.id, position=0, speaker="customer", text="Здравствуйте", at=at),
                Turn(interaction_id=item.id, position=1, speaker="agent", text="Добрый день",
                     at=at + timedelta(seconds=delay)),
            ])

        # Statuses: Анна logged in yesterday evening and never logs out; Пётр works 09:50–10:40.
        events = [
            (anna.id, "ready", local(22, 0, day=DAY - timedelta(days=1))),
            (anna.id, "break", local(0, 15)),
            (anna.id, "ready", local(1, 0)),
            (petr.id, "ready", local(9, 50)),
            (petr.id, "on_call", local(10, 10)),
            (petr.id, "logged_out", local(10, 40)),
        ]
        session.add_all(AgentStatusEvent(tenant_id=t, source="test", source_key=f"e{i}", agent_id=a, status=s, at=at)
                        for i, (a, s, at) in enumerate(events))
        session.add(AgentStatusEvent(tenant_id=other.id, source="test", source_key="s0", agent_id=south.id,
                                     status="ready", at=local(0, 0)))
        # The plan asks for 3 agents at 10:00 and 1 at 09:00.
        session.add_all([StaffingPlan(tenant_id=t, hour_start=local(10), queue="", planned_agents=3),
                         StaffingPlan(tenant_id=t, hour_start=local(9), queue="", planned_agents=1)])

        # Quality: three scored interactions of the day.
        rubric = Rubric(tenant_id=t, slug="airline-call", channel="call", title="Звонки")
        session.add(rubric)
        session.flush()
        version = RubricVersion(rubric_id=rubric.id, content=RUBRIC,
                                content_hash="sha256:" + hashlib.sha256(RUBRIC.encode()).hexdigest())
        session.add(version)
        session.flush()
        scored: list[tuple[Interaction, float, dict[str, str | None], list[dict[str, Any]]]] = [
            (calls[1], 80.0, {"greeting": "no", "farewell": "yes", "no_card_by_voice": "yes"}, []),
            (calls[2], 60.0, {"greeting": "no", "farewell": "na", "no_card_by_voice": "no"},
             [{"turn": 3, "quote": "назовите номер карты"}]),
            (calls[4], 100.0, {"greeting": "yes", "farewell": "no", "no_card_by_voice": "yes"}, []),
        ]
        for interaction, score, answers, evidence in scored:
            evaluation = Evaluation(tenant_id=t, interaction_id=interaction.id, rubric_version_id=version.id,
                                    kind=EvaluationKind.AUTO, score=score,
                                    failed_critical=answers["no_card_by_voice"] == "no")
            evaluation.answers.extend(
                CriterionAnswer(position=i, criterion_id=c, answer=a, max_points=10, critical=c == "no_card_by_voice",
                                evidence=evidence if c == "no_card_by_voice" else [])
                for i, (c, a) in enumerate(answers.items())
            )
            session.add(evaluation)
            interaction.score, interaction.failed_critical = score, evaluation.failed_critical
            interaction.state = ProcessingState.SCORED
        world.critical_call_id = calls[2].id
    return world
