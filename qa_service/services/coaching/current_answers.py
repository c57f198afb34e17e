"""The current answers: for each scored interaction, the answers that count for people decisions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.db.models import (
    CriterionAnswer,
    CriterionTrust,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    Interaction,
    RubricVersion,
)


@dataclass(frozen=True)
class ScoredInteraction:
    interaction_id: int
    agent_id: int
    started_at: datetime
    channel: str
    score: float | None
    answers: tuple[tuple[str, str | None, bool], ...]  # (criterion id, answer, critical)


def current_answers(
    session: Session, tenant_id: int, since: datetime, until: datetime | None = None,
    agent_ids: Iterable[int] | None = None,
) -> list[ScoredInteraction]:
    """Scored interactions of the period with the answers that count: the latest submitted review, else the machine's.

    This is the single place that decides which answer is current: a machine answer to a
    criterion the AutoQA trust loop withholds now does not count (as if no one had answered).
    """
    stmt = (
        select(Evaluation.id, Evaluation.interaction_id, Evaluation.kind, Evaluation.score, Interaction.agent_id,
               Interaction.started_at, Interaction.channel, RubricVersion.rubric_id)
        .join(Interaction, Interaction.id == Evaluation.interaction_id)
        .join(RubricVersion, RubricVersion.id == Evaluation.rubric_version_id)
        .where(
            Evaluation.tenant_id == tenant_id, Interaction.tenant_id == tenant_id,
            Interaction.agent_id.is_not(None), Interaction.started_at >= since,
            Evaluation.kind.in_([EvaluationKind.AUTO, EvaluationKind.REVIEW]),
            Evaluation.status != EvaluationStatus.DRAFT,
        )
        .order_by(Evaluation.id)
    )
    if until is not None:
        stmt = stmt.where(Interaction.started_at < until)
    if agent_ids is not None:
        stmt = stmt.where(Interaction.agent_id.in_(list(agent_ids)))
    chosen: dict[int, Any] = {}
    for row in session.execute(stmt):
        previous = chosen.get(row.interaction_id)
        # A review beats the machine; a later one of the same kind beats an earlier one.
        if previous is None or row.kind == EvaluationKind.REVIEW or previous.kind == EvaluationKind.AUTO:
            chosen[row.interaction_id] = row
    withheld = {(rubric_id, criterion_id) for rubric_id, criterion_id in session.execute(
        select(CriterionTrust.rubric_id, CriterionTrust.criterion_id)
        .where(CriterionTrust.tenant_id == tenant_id, CriterionTrust.suppressed.is_(True))
    )}
    untrusted = {row.id: row.rubric_id for row in chosen.values() if row.kind == EvaluationKind.AUTO}
    answers: dict[int, list[tuple[str, str | None, bool]]] = defaultdict(list)
    ids = [row.id for row in chosen.values()]
    for start in range(0, len(ids), 500):
        for answer in session.execute(
            select(CriterionAnswer.evaluation_id, CriterionAnswer.criterion_id, CriterionAnswer.answer,
                   CriterionAnswer.critical)
            .where(CriterionAnswer.evaluation_id.in_(ids[start:start + 500]))
            .order_by(CriterionAnswer.evaluation_id, CriterionAnswer.position)
        ):
            value = answer.answer
            if (untrusted.get(answer.evaluation_id), answer.criterion_id) in withheld:
                value = None
            answers[answer.evaluation_id].append((answer.criterion_id, value, bool(answer.critical)))
    return [
        ScoredInteraction(row.interaction_id, int(row.agent_id), row.started_at, str(row.channel), row.score,
                          tuple(answers[row.id]))
        for row in sorted(chosen.values(), key=lambda r: (r.started_at, r.interaction_id))
    ]
