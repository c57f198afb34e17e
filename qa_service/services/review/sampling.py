"""Fill the review queue: apply the tenant's sampling rule to a week of scored interactions,
assign the picks to QA specialists round-robin with a due date, and read the queue back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_service.core.errors import UserFacingError
from qa_service.core.sampling import Candidate, Pick, select_sample
from qa_service.db.models import (
    Agent,
    CriterionAnswer,
    Evaluation,
    EvaluationKind,
    Interaction,
    ReviewAssignment,
    Role,
    SamplingRule,
    User,
)
from qa_service.services.access import Viewer
from qa_service.services.audit import record
from qa_service.services.trust.loop import awaiting_human

UNTRUSTED = "untrusted"  # assignment reason: a withheld machine answer waits for a person


@dataclass(frozen=True)
class SamplingResult:
    considered: int
    assigned: int


def active_rule(session: Session, tenant_id: int) -> SamplingRule:
    """The tenant's active rule, or the defaults (5 per agent per week, 30 % random, 3 days)."""
    rule = session.scalar(
        select(SamplingRule)
        .where(SamplingRule.tenant_id == tenant_id, SamplingRule.active.is_(True))
        .order_by(SamplingRule.id.desc())
        .limit(1)
    )
    return rule or SamplingRule(
        tenant_id=tenant_id, per_agent_per_week=5, random_share=0.3, channels=["call", "chat", "email"], due_days=3
    )


class InvalidSamplingRule(UserFacingError, ValueError):
    """A sampling rule out of range (a `ValueError` too, as callers have always caught)."""


def save_rule(
    session: Session, tenant_id: int, *, per_agent: int, random_share: float, channels: list[str], due_days: int
) -> SamplingRule:
    """Replace the tenant's active rule (the old one is kept, switched off); `InvalidSamplingRule` names the field."""
    # Bounded above too: a rule is applied every week, so a due date 3,000,000 days away would
    # overflow the date arithmetic of every later sampling run, not just this request.
    if not 0 <= per_agent <= 100:
        raise InvalidSamplingRule("выборка: от 0 до 100 взаимодействий на оператора в неделю",
                                  "sampling: 0–100 interactions per agent per week")
    if not 0 <= random_share <= 1:
        raise InvalidSamplingRule("выборка: доля случайных от 0 до 100 %", "sampling: random share 0–100 %")
    if not 1 <= due_days <= 30:
        raise InvalidSamplingRule("выборка: срок проверки от 1 до 30 дней", "sampling: review due in 1–30 days")
    if not channels:
        raise InvalidSamplingRule("выборка: выберите хотя бы один канал", "sampling: choose at least one channel")
    for old in session.scalars(select(SamplingRule).where(SamplingRule.tenant_id == tenant_id)):
        old.active = False
    rule = SamplingRule(
        tenant_id=tenant_id, per_agent_per_week=per_agent, random_share=random_share, channels=channels,
        due_days=due_days, active=True,
    )
    session.add(rule)
    session.flush()
    return rule


def _longest_hold(metrics: dict[str, Any] | None) -> float:
    spans = (metrics or {}).get("holds") or []
    return max((float(end) - float(start) for start, end in spans), default=0.0)


def candidates_for_week(session: Session, tenant_id: int, week_start: datetime) -> list[Candidate]:
    """Scored, not yet assigned interactions of the week, with their risk signals."""
    assigned = select(ReviewAssignment.interaction_id).where(ReviewAssignment.tenant_id == tenant_id)
    min_confidence = (
        select(func.min(CriterionAnswer.machine_confidence))
        .join(Evaluation, Evaluation.id == CriterionAnswer.evaluation_id)
        .where(Evaluation.interaction_id == Interaction.id, Evaluation.kind == EvaluationKind.AUTO)
        .scalar_subquery()
    )
    stmt = select(Interaction, min_confidence).where(
        Interaction.tenant_id == tenant_id,
        Interaction.started_at >= week_start,
        Interaction.started_at < week_start + timedelta(days=7),
        Interaction.agent_id.is_not(None),
        Interaction.score.is_not(None) | Interaction.needs_review.is_(True),
        Interaction.id.not_in(assigned),
    )
    return [
        Candidate(
            interaction_id=row.id, agent_id=row.agent_id or 0, channel=row.channel.value, score=row.score,
            failed_critical=row.failed_critical, min_confidence=confidence,
            longest_hold=_longest_hold(row.metrics), needs_review=row.needs_review,
        )
        for row, confidence in session.execute(stmt).all()
    ]


def run_sampling(
    session: Session, viewer: Viewer, week_start: datetime, *, seed: int | None = None, now: datetime | None = None
) -> SamplingResult:
    """Pick the week's review sample and assign it; re-running skips what is already assigned."""
    now = now or datetime.now(UTC)
    rule = active_rule(session, viewer.tenant_id)
    candidates = candidates_for_week(session, viewer.tenant_id, week_start)
    # Already-sampled interactions of the week count against each agent's quota.
    done: dict[int | None, int] = dict(
        session.execute(
            select(Interaction.agent_id, func.count())
            .join(ReviewAssignment, ReviewAssignment.interaction_id == Interaction.id)
            .where(
                Interaction.tenant_id == viewer.tenant_id,
                Interaction.started_at >= week_start,
                Interaction.started_at < week_start + timedelta(days=7),
                ReviewAssignment.reason != UNTRUSTED,  # those come on top of the quota (below)
            )
            .group_by(Interaction.agent_id)
        ).all()
    )
    picks = []
    for agent_id in sorted({c.agent_id for c in candidates}):
        quota = max(0, rule.per_agent_per_week - int(done.get(agent_id, 0)))
        own = [c for c in candidates if c.agent_id == agent_id]
        picks += select_sample(
            own, per_agent=quota, random_share=rule.random_share, channels=list(rule.channels),
            seed=(seed if seed is not None else int(week_start.timestamp())) + agent_id,
        )
    # The AutoQA trust loop: an interaction whose machine answer was withheld has no final score until a
    # person answers, so it is always queued, on top of the random and risk-weighted quota.
    picked = {p.interaction_id for p in picks}
    awaiting = awaiting_human(session, viewer.tenant_id, week_start, week_start + timedelta(days=7))
    picks += [
        Pick(c.interaction_id, c.agent_id, c.channel, UNTRUSTED, 1.0)
        for c in candidates
        if c.interaction_id in awaiting and c.interaction_id not in picked
    ]
    reviewers = list(
        session.scalars(
            select(User.id).where(User.tenant_id == viewer.tenant_id, User.role == Role.QA, User.active.is_(True))
            .order_by(User.id)
        )
    )
    for index, pick in enumerate(picks):
        session.add(
            ReviewAssignment(
                tenant_id=viewer.tenant_id, interaction_id=pick.interaction_id,
                reviewer_id=reviewers[index % len(reviewers)] if reviewers else None,
                due_at=now + timedelta(days=rule.due_days), reason=pick.reason,
            )
        )
    session.flush()
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="sampling.run", entity="sampling",
           details={"week": week_start.date().isoformat(), "assigned": len(picks), "considered": len(candidates)})
    return SamplingResult(considered=len(candidates), assigned=len(picks))


@dataclass
class QueueItem:
    assignment: ReviewAssignment
    interaction: Interaction
    agent_name: str | None
    reviewer_name: str | None
    overdue: bool


def review_queue(session: Session, viewer: Viewer, *, include_done: bool = False) -> list[QueueItem]:
    """What is due: a QA specialist's own and unassigned items, everything for an admin."""
    if not viewer.can_review:
        return []
    stmt = (
        select(ReviewAssignment, Interaction, Agent.name, User.name)
        .join(Interaction, Interaction.id == ReviewAssignment.interaction_id)
        .outerjoin(Agent, Agent.id == Interaction.agent_id)
        .outerjoin(User, User.id == ReviewAssignment.reviewer_id)
        .where(ReviewAssignment.tenant_id == viewer.tenant_id, Interaction.tenant_id == viewer.tenant_id)
    )
    if viewer.role == Role.QA:
        stmt = stmt.where((ReviewAssignment.reviewer_id == viewer.user_id) | ReviewAssignment.reviewer_id.is_(None))
    if not include_done:
        stmt = stmt.where(ReviewAssignment.completed_at.is_(None))
    stmt = stmt.order_by(ReviewAssignment.due_at.is_(None), ReviewAssignment.due_at, ReviewAssignment.id)
    now = datetime.now(UTC)
    return [
        QueueItem(a, i, agent, reviewer, a.completed_at is None and a.due_at is not None and a.due_at < now)
        for a, i, agent, reviewer in session.execute(stmt).all()
    ]
