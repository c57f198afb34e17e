"""Did the coaching work?  For each completed coaching: the agent's failure rate on the module's
criteria in equal windows before and after, against agents not coached on that module over the
same time (difference in differences, `core.coaching_stats.diff_in_diff`); per module, the
pooled effect of all coaching done.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from qa_service.core.coaching_modules import module_title
from qa_service.core.coaching_stats import (
    AnswerObservation,
    Effect,
    PooledEffect,
    diff_in_diff,
    pooled_effect,
)
from qa_service.db.models import Agent, CoachingStatus, CoachingTask
from qa_service.services.access import Viewer
from qa_service.services.coaching.current_answers import current_answers
from qa_service.services.coaching.tasks import scope_agents
from qa_service.services.rubrics.catalog import CriterionInfo, criterion_catalog, module_criteria

EFFECT_WINDOW_DAYS = 30  # at most this long before and after; shorter while the "after" is still young


@dataclass(frozen=True)
class MeasuredCoaching:
    task: CoachingTask
    agent: Agent
    effect: Effect
    window_days: float
    comparison_agents: int


def measure_effect(session: Session, tenant_id: int, task: CoachingTask, now: datetime,
                   catalog: dict[tuple[str, str], CriterionInfo]) -> tuple[Effect, float, int]:
    """(effect, window in days, comparison agents) for one completed coaching task."""
    assert task.completed_at is not None
    window = min(timedelta(days=EFFECT_WINDOW_DAYS), max(now - task.completed_at, timedelta(0)))
    start, end = task.completed_at - window, task.completed_at + window
    # Agents coached on the same module around then would blur the comparison: leave them out.
    coached_then = set(session.scalars(
        select(CoachingTask.agent_id).where(
            CoachingTask.tenant_id == tenant_id, CoachingTask.module == task.module,
            or_(CoachingTask.created_at.between(start, end), CoachingTask.completed_at.between(start, end)),
        )
    ))
    criteria = module_criteria(catalog, task.module)
    rows = current_answers(session, tenant_id, start, end)
    observations = []
    comparison = set()
    for row in rows:
        treated = row.agent_id == task.agent_id
        if not treated and row.agent_id in coached_then:
            continue
        for criterion_id, answer, _ in row.answers:
            if criterion_id in criteria and answer in ("yes", "no"):
                observations.append(AnswerObservation(
                    failed=answer == "no", treated=treated, post=row.started_at >= task.completed_at,
                    cluster=row.interaction_id,
                ))
                if not treated:
                    comparison.add(row.agent_id)
    return diff_in_diff(observations), window.total_seconds() / 86400, len(comparison)


def measured_coaching(session: Session, viewer: Viewer, now: datetime) -> list[MeasuredCoaching]:
    """Every completed coaching `viewer` may see, newest first, with its measured effect."""
    catalog = criterion_catalog(session, viewer.tenant_id)
    visible = scope_agents(select(Agent.id), viewer)
    rows = session.execute(
        select(CoachingTask, Agent)
        .join(Agent, Agent.id == CoachingTask.agent_id)
        .where(CoachingTask.tenant_id == viewer.tenant_id, CoachingTask.status == CoachingStatus.DONE,
               CoachingTask.completed_at.is_not(None), CoachingTask.agent_id.in_(visible))
        .order_by(CoachingTask.completed_at.desc())
    ).all()
    measured = []
    for task, agent in rows:
        effect, days, comparison = measure_effect(session, viewer.tenant_id, task, now, catalog)
        measured.append(MeasuredCoaching(task, agent, effect, days, comparison))
    return measured


@dataclass(frozen=True)
class ModuleEffect:
    module: str
    title: str
    coached: int
    pooled: PooledEffect


def effects_by_module(measured: list[MeasuredCoaching]) -> list[ModuleEffect]:
    by_module: dict[str, list[Effect]] = defaultdict(list)
    for item in measured:
        by_module[item.task.module].append(item.effect)
    return [ModuleEffect(m, module_title(m), len(e), pooled_effect(e)) for m, e in sorted(by_module.items())]
