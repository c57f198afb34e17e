"""The current answers: for each scored interaction, the answers that count for people decisions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.db.models import CriterionAnswer, Evaluation, EvaluationKind, EvaluationStatus, Interaction


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

    This is the single place that decides which answer is current (the AutoQA trust loop
    plugs in here to drop machine answers of criteria it does not trust yet).
    """
    stmt = (
        select(Evaluation.id, Evaluation.interaction_id, Evaluation.kind, Evaluation.score, Interaction.agent_id,
               Interaction.started_at, Interaction.channel)
        .join(Interaction, Interaction.id == Evaluation.interaction_id)
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
    answers: dict[int, list[tuple[str, str | None, bool]]] = defaultdict(list)
    ids = [row.id for row in chosen.values()]
    for start in range(0, len(ids), 500):
        for answer in session.execute(
            select(CriterionAnswer.evaluation_id, CriterionAnswer.criterion_id, CriterionAnswer.answer,
                   CriterionAnswer.critical)
            .where(CriterionAnswer.evaluation_id.in_(ids[start:start + 500]))
            .order_by(CriterionAnswer.evaluation_id, CriterionAnswer.position)
        ):
            answers[answer.evaluation_id].append((answer.criterion_id, answer.answer, bool(answer.critical)))
    return [
        ScoredInteraction(row.interaction_id, int(row.agent_id), row.started_at, str(row.channel), row.score,
                          tuple(answers[row.id]))
        for row in sorted(chosen.values(), key=lambda r: (r.started_at, r.interaction_id))
    ]
