"""The versions of a released evaluation: every human change after release is one numbered version
with who, when, why and the answers before and after, so the agent reads one current evaluation
per interaction and its history («изменено …, было …»).

The evaluation row always holds the current version (reports, training needs, the trust loop and
coaching effects read it and nothing else); earlier versions live here only as their differences.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_service.db.models import Evaluation, EvaluationVersion, User
from qa_service.services.form_versions import bump

CAUSES = ("released", "amended", "dispute_accepted", "dispute_reopened", "calibration_consensus", "correction")


def answers_of(evaluation: Evaluation) -> dict[str, str | None]:
    """Criterion id → answer, the state a version's difference is taken against."""
    return {a.criterion_id: a.answer for a in evaluation.answers}


def record_version(
    session: Session, evaluation: Evaluation, *, cause: str, user_id: int | None, reason: str | None,
    before: Mapping[str, str | None], score_before: float | None,
) -> EvaluationVersion:
    """Add the next version of `evaluation` (already changed in place) and raise its form version."""
    assert cause in CAUSES, cause
    after = answers_of(evaluation)
    changes = [
        {"criterion": criterion, "before": before.get(criterion), "after": answer}
        for criterion, answer in after.items() if before.get(criterion) != answer
    ]
    number = (session.scalar(
        select(func.max(EvaluationVersion.number)).where(EvaluationVersion.evaluation_id == evaluation.id)
    ) or 0) + 1
    version = EvaluationVersion(
        tenant_id=evaluation.tenant_id, evaluation_id=evaluation.id, number=number, cause=cause,
        changed_by_id=user_id, changed_at=datetime.now(UTC), reason=reason, score_before=score_before,
        score_after=evaluation.score, changes=changes,
    )
    session.add(version)
    bump(evaluation)
    session.flush()
    return version


@dataclass(frozen=True)
class VersionRow:
    version: EvaluationVersion
    author: str | None


def history(session: Session, evaluation: Evaluation) -> list[VersionRow]:
    """The evaluation's versions, newest first, with the name of who made each."""
    stmt = (
        select(EvaluationVersion, User.name)
        .outerjoin(User, User.id == EvaluationVersion.changed_by_id)
        .where(EvaluationVersion.evaluation_id == evaluation.id, EvaluationVersion.tenant_id == evaluation.tenant_id)
        .order_by(EvaluationVersion.number.desc())
    )
    return [VersionRow(v, name) for v, name in session.execute(stmt).all()]


def changed_after_release(session: Session, evaluation_ids: list[int]) -> dict[int, EvaluationVersion]:
    """Evaluation id → its latest version when it was changed after release (for the agent's list)."""
    if not evaluation_ids:
        return {}
    stmt = (
        select(EvaluationVersion)
        .where(EvaluationVersion.evaluation_id.in_(evaluation_ids), EvaluationVersion.cause != "released")
        .order_by(EvaluationVersion.number)
    )
    return {v.evaluation_id: v for v in session.scalars(stmt)}
