"""The demo's tenant and sign-ins: one airline and a user for every role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.db.migrate import upgrade
from qa_service.db.models import CalibrationParticipant, CalibrationSession, Role, User
from qa_service.db.session import transaction
from qa_service.services.access import Viewer, viewer_for
from qa_service.services.accounts.tenants import create_user, get_or_create_tenant
from qa_service.services.search.trackers import install_starter_trackers

DEMO_TENANT = ("severny-veter", "Авиакомпания «Северный Ветер»")
DEMO_PASSWORD = "demo-password-1"  # noqa: S105 - the demo's published sign-in, never used in production
DEMO_USERS = (
    ("admin@demo.local", "Администратор", Role.ADMIN),
    ("qa@demo.local", "Ольга Контролёр", Role.QA),
    ("trainer@demo.local", "Игорь Тренер", Role.TRAINER),
    ("supervisor@demo.local", "Марина Руководитель", Role.SUPERVISOR),
    ("agent@demo.local", "Анна Смирнова", Role.AGENT),
    ("customer@demo.local", "Представитель авиакомпании", Role.CUSTOMER),
)


@dataclass(frozen=True)
class DemoAccounts:
    tenant_id: int
    emails: tuple[str, ...]
    password: str


def prepare_demo_accounts(settings: Settings) -> DemoAccounts:
    """Migrate the database and make sure the demo tenant and its users exist (idempotent)."""
    upgrade(settings.sqlalchemy_url)
    with transaction(settings.sqlalchemy_url) as session:
        tenant = get_or_create_tenant(session, *DEMO_TENANT)
        existing = set(session.scalars(select(User.email).where(User.tenant_id == tenant.id)))
        for email, name, role in DEMO_USERS:
            if email not in existing:
                create_user(session, tenant, email=email, name=name, role=role, password=DEMO_PASSWORD)
        # Before the first ingestion, so every demo call is tagged as it is scored.
        install_starter_trackers(session, tenant.id)
        return DemoAccounts(tenant.id, tuple(u[0] for u in DEMO_USERS), DEMO_PASSWORD)


def configure_demo_connector(settings: Settings, tenant_id: int, base_url: str, token: str) -> int:
    """The demo tenant's HTTP connector, pointed at the local platform simulator."""
    from qa_service.services.connectors.configuration import save_connector

    with transaction(settings.sqlalchemy_url) as session:
        row = save_connector(
            session,
            tenant_id,
            sandbox=None,  # the demo's own simulator on loopback; cli/demo.py allows it for runs
            name="platform-simulator",
            kind="http",
            # The platform's booking and payment events too: the cases page compares them with what was said.
            config={"base_url": base_url, "timezone": "+03:00", "endpoints": {"transaction": "/api/v1/transactions"}},
            secrets={"token": token},
            poll_interval_seconds=60,
        )
        return row.id


DEMO_AGENT_LINK = ("agent@demo.local", "A-101")  # Анна, the simulator's first agent


def link_demo_agent(settings: Settings, tenant_id: int) -> bool:
    """Tie the demo agent's sign-in to the simulator's agent, once it has been ingested."""
    from qa_service.services.accounts.users import link_user_to_agent

    with transaction(settings.sqlalchemy_url) as session:
        return link_user_to_agent(session, tenant_id, *DEMO_AGENT_LINK) is not None


def seed_demo_calibration(settings: Settings, tenant_id: int) -> int | None:
    """A calibration session with one scored call, chat and e-mail, joined by QA and the airline's reviewer;
    the QA specialist has already submitted, so the reviewer (the benchmark) scores blind, submits and signs.

    The customer reviewer sees the items of their airline's calibration sessions: without one the
    demo would show them an empty list.  Idempotent: one demo session, created once.
    """
    from qa_service.db.models import (
        CalibrationItem,
        Evaluation,
        EvaluationKind,
        Interaction,
        ProcessingState,
    )

    title = "Калибровка недели (демо)"
    with transaction(settings.sqlalchemy_url) as session:
        existing = session.scalar(
            select(CalibrationSession).where(
                CalibrationSession.tenant_id == tenant_id, CalibrationSession.title == title
            )
        )
        if existing is not None:
            return existing.id
        picks = []
        for channel in ("call", "chat", "email"):
            row = session.scalar(
                select(Interaction)
                .where(
                    Interaction.tenant_id == tenant_id,
                    Interaction.channel == channel,
                    Interaction.state == ProcessingState.SCORED,
                )
                .order_by(Interaction.started_at.desc())
                .limit(1)
            )
            if row is not None:
                version = session.scalar(select(Evaluation.rubric_version_id).where(
                    Evaluation.interaction_id == row.id, Evaluation.kind == EvaluationKind.AUTO).limit(1))
                picks.append((row.id, version))
        if not picks:
            return None
        users = {u.role: u for u in session.scalars(select(User).where(User.tenant_id == tenant_id))}
        calibration = CalibrationSession(
            tenant_id=tenant_id, title=title, created_by_id=users[Role.ADMIN].id, facilitator_id=users[Role.ADMIN].id,
            benchmark_user_id=users[Role.CUSTOMER].id, selection={"rule": "random", "per_channel": 1},
            due_at=datetime.now(UTC) + timedelta(days=7),
        )
        session.add(calibration)
        session.flush()
        session.add_all(CalibrationItem(session_id=calibration.id, interaction_id=i, rubric_version_id=v)
                        for i, v in picks)
        session.flush()
        qa = CalibrationParticipant(session_id=calibration.id, user_id=users[Role.QA].id,
                                    completed_at=datetime.now(UTC))
        session.add_all([qa, CalibrationParticipant(session_id=calibration.id, user_id=users[Role.CUSTOMER].id)])
        session.flush()
        _seed_submitted_answers(session, calibration, qa)
        return calibration.id


def seed_demo_coaching(settings: Settings, tenant_id: int) -> bool:
    """Constructed coaching data: flagged needs, one coaching done with its effect, a task for the agent."""
    from datetime import UTC, datetime

    from qa_service.db.models import Tenant
    from qa_service.demo.coaching import seed_coaching_demo

    with transaction(settings.sqlalchemy_url) as session:
        return seed_coaching_demo(session, session.get_one(Tenant, tenant_id), datetime.now(UTC))
def _seed_submitted_answers(session: Session, calibration: CalibrationSession, participant: CalibrationParticipant
                            ) -> None:
    """The QA specialist has already scored: the machine's answers, with judgement criteria answered yes
    and one greeting judged stricter, so the customer's results show a real disagreement to discuss."""
    from qa_service.db.models import CalibrationAnswer, Evaluation, EvaluationKind
    from qa_service.services.calibration.sessions import item_criteria, session_items

    for item, interaction in session_items(session, calibration):
        auto = session.scalar(select(Evaluation).where(Evaluation.interaction_id == interaction.id,
                                                       Evaluation.kind == EvaluationKind.AUTO).limit(1))
        machine = {a.criterion_id: a.machine_answer for a in auto.answers} if auto else {}
        for criterion in item_criteria(session, item, interaction):
            answer = machine.get(criterion.id) or "yes"
            comment = None
            if criterion.id == "greeting" and interaction.channel.value == "call":
                answer, comment = "no", "название компании прозвучало неразборчиво"
            session.add(CalibrationAnswer(participant_id=participant.id, item_id=item.id, criterion_id=criterion.id,
                                          answer=answer, comment=comment, submitted=True))


DEMO_TEAMS = (
    # (team, supervisor's e-mail or None, the simulator's agents in it)
    ("Команда Марины", "supervisor@demo.local", ("A-101", "A-102", "A-103", "A-104")),
    ("Вечерняя смена", None, ("A-105", "A-106", "A-107", "A-108")),
)


@dataclass(frozen=True)
class DemoWork:
    """What the demo left waiting for each role."""

    queued_for_review: int
    released: int
    open_disputes: int


def interaction_outcome(settings: Settings, interaction_id: int) -> tuple[str, str]:
    """(label, outcome) of one processed interaction for the demo's progress lines."""
    from qa_service.db.models import Interaction
    from qa_service.db.session import session_factory

    with session_factory(settings.sqlalchemy_url)() as session:
        row = session.get_one(Interaction, interaction_id)
        label = f"{row.channel.value:5} {row.external_id}"
        if row.score is not None:
            outcome = f"балл {row.score:.0f}"
        elif row.state.value == "skipped":
            outcome = "потерянный вызов, оценивать нечего"
        else:
            outcome = f"состояние {row.state.value}"
        outcome += " · критическая ошибка" if row.failed_critical else ""
        outcome += " · на проверку" if row.needs_review else ""
        return label, outcome


def seed_demo_teams(settings: Settings, tenant_id: int) -> int:
    """Teams with the simulator's agents; the supervisor@ sign-in supervises the first. Returns agents placed."""
    from qa_service.db.models import Agent, Team

    placed = 0
    with transaction(settings.sqlalchemy_url) as session:
        for name, supervisor_email, agent_ids in DEMO_TEAMS:
            team = session.scalar(select(Team).where(Team.tenant_id == tenant_id, Team.name == name))
            if team is None:
                team = Team(tenant_id=tenant_id, name=name)
                session.add(team)
            if supervisor_email:
                team.supervisor_id = session.scalar(
                    select(User.id).where(User.tenant_id == tenant_id, User.email == supervisor_email)
                )
            session.flush()
            for agent in session.scalars(
                select(Agent).where(Agent.tenant_id == tenant_id, Agent.external_id.in_(agent_ids))
            ):
                agent.team_id = team.id
                placed += 1
    return placed


def _viewer_by_email(session: Any, tenant_id: int, email: str) -> Viewer:
    user = session.scalar(select(User).where(User.tenant_id == tenant_id, User.email == email))
    return viewer_for(session, user)


def seed_demo_work(settings: Settings, tenant_id: int, *, now: datetime | None = None) -> DemoWork:
    """Work for every role the moment the demo serves (idempotent).

    The QA queue: this week's (and last week's) sample drawn.  The agent: two of Анна's
    evaluations reviewed and released, to read, acknowledge and dispute.  The supervisor: one
    of those disputed, waiting for a decision.
    """
    from qa_service.db.models import (
        Agent,
        Dispute,
        DisputeStatus,
        Evaluation,
        EvaluationStatus,
        Interaction,
        ReviewAssignment,
    )
    from qa_service.services.review.disputes import raise_dispute
    from qa_service.services.review.evaluations import Decision, submit_review
    from qa_service.services.review.sampling import run_sampling

    now = now or datetime.now(UTC)
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction(settings.sqlalchemy_url) as session:
        qa = _viewer_by_email(session, tenant_id, "qa@demo.local")
        drawn = session.scalar(select(func.count()).select_from(ReviewAssignment)
                               .where(ReviewAssignment.tenant_id == tenant_id)) or 0
        # Drawn once, on the first start: later starts would sample the constructed coaching and
        # report interactions (no transcript to review) into the QA specialist's queue.
        if not drawn:
            for week in (monday - timedelta(days=7), monday):
                run_sampling(session, qa, week, seed=7, now=now)
    agent_email, agent_external_id = DEMO_AGENT_LINK
    with transaction(settings.sqlalchemy_url) as session:
        qa = _viewer_by_email(session, tenant_id, "qa@demo.local")
        anna = session.scalar(
            select(Agent.id).where(Agent.tenant_id == tenant_id, Agent.external_id == agent_external_id)
        )
        released = session.scalar(
            select(func.count()).select_from(Evaluation)
            .join(Interaction, Interaction.id == Evaluation.interaction_id)
            .where(Interaction.agent_id == anna, Evaluation.status == EvaluationStatus.RELEASED)
        ) or 0
        if anna is not None and released == 0:
            picks = list(session.scalars(
                select(Interaction).where(
                    Interaction.tenant_id == tenant_id, Interaction.agent_id == anna, Interaction.score.is_not(None)
                ).order_by(Interaction.started_at.desc()).limit(2)
            ))
            for interaction in picks:
                auto = session.scalars(
                    select(Evaluation).where(Evaluation.interaction_id == interaction.id).order_by(Evaluation.id)
                ).first()
                # The reviewer listens and confirms the machine; critical manual criteria get their answer.
                decisions = {
                    a.criterion_id: Decision("yes")
                    for a in (auto.answers if auto else []) if a.machine_answer is None and a.critical
                }
                submit_review(session, qa, interaction.id, decisions, release=True)
                released += 1
    with transaction(settings.sqlalchemy_url) as session:
        agent = _viewer_by_email(session, tenant_id, agent_email)
        open_disputes = session.scalar(
            select(func.count()).select_from(Dispute)
            .where(Dispute.tenant_id == tenant_id, Dispute.status == DisputeStatus.OPEN)
        ) or 0
        if open_disputes == 0 and agent.agent_ids:
            evaluation = session.scalars(
                select(Evaluation)
                .join(Interaction, Interaction.id == Evaluation.interaction_id)
                .where(Interaction.agent_id.in_(agent.agent_ids), Evaluation.status == EvaluationStatus.RELEASED)
                .order_by(Evaluation.id)
            ).first()
            if evaluation is not None:
                answered = [a for a in evaluation.answers if a.answer in ("yes", "no")]
                target = next((a for a in answered if a.answer == "no"), answered[0] if answered else None)
                if target is not None:
                    raise_dispute(session, agent, evaluation.id, target.criterion_id,
                                  "Я выполнила этот пункт — прослушайте, пожалуйста, запись ещё раз.", now=now)
                    open_disputes = 1
        queued = session.scalar(
            select(func.count()).select_from(ReviewAssignment)
            .where(ReviewAssignment.tenant_id == tenant_id, ReviewAssignment.completed_at.is_(None))
        ) or 0
    return DemoWork(queued_for_review=queued, released=released, open_disputes=open_disputes)
