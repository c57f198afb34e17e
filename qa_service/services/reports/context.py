"""What the quality report says beside the scores: the AutoQA trust loop, calibration, coaching.

Kept apart from `reports_quality` (the scores themselves): these are counts of other nouns'
rows in the report's period, each read by one small query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from qa_service.db.models import (
    CalibrationSession,
    CoachingStatus,
    CoachingTask,
    CriterionAnswer,
    Evaluation,
    EvaluationKind,
    Interaction,
    TrainingNeed,
)


def withheld_interactions(session: Session, in_period: list[Any]) -> int:
    """Interactions whose machine answer to some criterion the trust loop withheld and no person has given yet.

    They count as unreviewed: their score leaves that criterion out until a reviewer answers.
    """
    answer = aliased(CriterionAnswer)
    review = aliased(Evaluation)
    withheld = exists().where(
        answer.evaluation_id == Evaluation.id, answer.answer.is_(None), answer.machine_answer.is_not(None)
    )
    reviewed = exists().where(review.interaction_id == Interaction.id, review.kind == EvaluationKind.REVIEW)
    return session.scalar(
        select(func.count(func.distinct(Interaction.id)))
        .join(Evaluation, and_(Evaluation.interaction_id == Interaction.id, Evaluation.kind == EvaluationKind.AUTO))
        .where(*in_period, withheld, ~reviewed)
    ) or 0


def activity(session: Session, tenant_id: int, start: datetime, end: datetime) -> dict[str, int]:
    """Calibration and coaching of the period (and the open needs now), as counts for the summary."""
    def count(stmt: Any) -> int:
        return int(session.scalar(stmt) or 0)

    sessions = select(func.count(CalibrationSession.id)).where(CalibrationSession.tenant_id == tenant_id)
    tasks = select(func.count(CoachingTask.id)).where(CoachingTask.tenant_id == tenant_id)
    return {
        "calibration_open": count(sessions.where(CalibrationSession.closed_at.is_(None),
                                                 CalibrationSession.created_at < end)),
        "calibration_signed": count(sessions.where(CalibrationSession.signed_off_at >= start,
                                                   CalibrationSession.signed_off_at < end)),
        "needs_open": count(select(func.count(TrainingNeed.id)).where(TrainingNeed.tenant_id == tenant_id,
                                                                      TrainingNeed.resolved_at.is_(None))),
        "coaching_done": count(tasks.where(CoachingTask.status == CoachingStatus.DONE,
                                           CoachingTask.completed_at >= start, CoachingTask.completed_at < end)),
    }
