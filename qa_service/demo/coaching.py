"""Constructed coaching data for the demo: scored calls of a few agents over six weeks, one
coaching already done (the coached agent fails less afterwards), flagged needs, and a task
waiting for the demo agent.  The interactions are constructed, not simulated conversations:
they carry scores and answers only (source `coaching-demo`), which is all coaching reads.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.db.models import (
    Agent,
    Channel,
    CoachingFormat,
    CoachingMaterial,
    CoachingStatus,
    CoachingTask,
    CriterionAnswer,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    Interaction,
    ProcessingState,
    Role,
    Team,
    Tenant,
    User,
)
from qa_service.services.coaching.training_needs import compute_training_needs
from qa_service.services.ingestion.scoring import current_rubric_version
from qa_service.services.review.evaluations import score_answers

SOURCE = "coaching-demo"
# (criterion, points, critical) of the call standard that the constructed calls answer.
CALL_CRITERIA = (
    ("greeting", 10.0, False), ("agent_name", 5.0, False), ("identify_booking", 10.0, False),
    ("fare_rules", 15.0, False), ("politeness", 10.0, False), ("further_help", 5.0, False),
    ("farewell", 5.0, False), ("no_card_by_voice", 0.0, True),
)


def add_scored_call(session: Session, tenant_id: int, agent_id: int, started_at: datetime,
                    answers: dict[str, str], external_id: str, *, rubric_version_id: int,
                    source: str = SOURCE) -> Interaction:
    """One constructed call with a machine evaluation giving `answers` ("yes"/"no"/"na"; missing = "yes")."""
    interaction = Interaction(
        tenant_id=tenant_id, source=source, external_id=external_id, channel=Channel.CALL, agent_id=agent_id,
        started_at=started_at, ended_at=started_at + timedelta(minutes=4), state=ProcessingState.SCORED,
        topic="exchange",
    )
    session.add(interaction)
    session.flush()
    rows = []
    for position, (criterion_id, points, critical) in enumerate(CALL_CRITERIA):
        answer = answers.get(criterion_id, "yes")
        rows.append(CriterionAnswer(
            position=position, criterion_id=criterion_id, answer=answer, max_points=points, critical=critical,
            points=None if answer == "na" else (points if answer == "yes" else 0.0), confidence=0.9,
            machine_answer=answer, machine_confidence=0.9,
        ))
    evaluation = Evaluation(tenant_id=tenant_id, interaction_id=interaction.id, rubric_version_id=rubric_version_id,
                            kind=EvaluationKind.AUTO, status=EvaluationStatus.SUBMITTED, created_at=started_at)
    evaluation.answers.extend(rows)
    evaluation.score, evaluation.failed_critical = score_answers(rows)
    interaction.score, interaction.failed_critical = evaluation.score, evaluation.failed_critical
    session.add(evaluation)
    return interaction


def _agent(session: Session, tenant_id: int, external_id: str, name: str, team_id: int) -> Agent:
    agent = session.scalar(select(Agent).where(Agent.tenant_id == tenant_id, Agent.external_id == external_id))
    if agent is None:
        agent = Agent(tenant_id=tenant_id, external_id=external_id, name=name)
        session.add(agent)
    agent.team_id = agent.team_id or team_id
    session.flush()
    return agent


# external id, name, {criterion: failure probability before the coaching, after it}
_PEOPLE = (
    ("D-201", "Виктор Орлов", {"greeting": (0.6, 0.1), "farewell": (0.5, 0.0)}),  # coached on T-OPEN
    ("D-202", "Елена Кузнецова", {"fare_rules": (0.1, 0.75)}),  # flagged: fare rules vs the team
    ("D-203", "Сергей Павлов", {"greeting": (0.2, 0.2)}),  # a recent critical failure
    ("D-204", "Мария Лебедева", {"greeting": (0.2, 0.2), "fare_rules": (0.1, 0.7)}),  # T-FARES too: a group
    ("D-205", "Дмитрий Соколов", {"greeting": (0.2, 0.2), "fare_rules": (0.1, 0.7), "identify_booking": (0.1, 0.1)}),
)


def seed_coaching_demo(session: Session, tenant: Tenant, now: datetime) -> bool:
    """Seed once (False when the demo coaching is already there); the caller commits."""
    if session.scalar(select(CoachingTask.id).where(CoachingTask.tenant_id == tenant.id).limit(1)):
        return False
    team = session.scalar(select(Team).where(Team.tenant_id == tenant.id, Team.name == "Альфа"))
    if team is None:
        team = Team(tenant_id=tenant.id, name="Альфа")
        session.add(team)
        session.flush()
    version_id = current_rubric_version(session, tenant.id, "call").id
    trainer = session.scalar(select(User).where(User.tenant_id == tenant.id, User.role == Role.TRAINER))
    agent_user = session.scalar(select(User).where(User.tenant_id == tenant.id, User.email == "agent@demo.local"))
    rng = random.Random(14)
    completed = now - timedelta(days=20)
    agents = {}
    for external_id, name, rates in _PEOPLE:
        agent = _agent(session, tenant.id, external_id, name, team.id)
        agents[external_id] = agent
        for day in range(40, 0, -1):
            for slot in range(3):
                at = now - timedelta(days=day, hours=slot * 3 + 1)
                answers = {}
                for criterion_id, (before, after) in rates.items():
                    chance = after if at >= completed else before
                    answers[criterion_id] = "no" if rng.random() < chance else "yes"
                if external_id == "D-203" and day == 2 and slot == 0:
                    answers["no_card_by_voice"] = "no"  # asked for the card number by voice
                add_scored_call(session, tenant.id, agent.id, at, answers, f"{SOURCE}-{external_id}-{day}-{slot}",
                                rubric_version_id=version_id)
    done = CoachingTask(
        tenant_id=tenant.id, agent_id=agents["D-201"].id, trainer_id=trainer.id if trainer else None,
        module="T-OPEN", format=CoachingFormat.ONE_TO_ONE, status=CoachingStatus.DONE,
        created_at=completed - timedelta(days=3), due_at=completed + timedelta(days=1), scheduled_at=completed,
        completed_at=completed, attended=True, acknowledged_at=completed - timedelta(days=2),
        session_notes="Разобрали приветствие с названием компании и прощание; отработали на трёх звонках.",
        notes="Повторить скрипт открытия и завершения разговора.",
    )
    session.add(done)
    anna = None
    if agent_user is not None:
        anna = session.scalar(select(Agent).where(Agent.tenant_id == tenant.id, Agent.user_id == agent_user.id))
        if anna is None:
            anna = _agent(session, tenant.id, "A-101", "Анна Смирнова", team.id)
            anna.user_id = agent_user.id
    if anna is not None:
        waiting = CoachingTask(
            tenant_id=tenant.id, agent_id=anna.id, trainer_id=trainer.id if trainer else None, module="T-HOLD",
            format=CoachingFormat.SELF_STUDY, created_at=now - timedelta(hours=3), due_at=now + timedelta(days=5),
            notes="Прочитайте памятку об удержании вызова и прослушайте пример.",
        )
        waiting.materials.append(CoachingMaterial(
            tenant_id=tenant.id, title="Этикет удержания — стандарт §1", created_at=now,
            url="https://example.org/severny-veter/standard#hold_etiquette"))
        session.add(waiting)
    session.flush()
    compute_training_needs(session, tenant.id, now)
    return True
