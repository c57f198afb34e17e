"""Which interactions go into a calibration session: by hand, or by a rule.

Rules: `random` (N per channel over a period, scored ones), `disputed` (interactions whose
evaluation an agent disputed), `disagreed` (a reviewer changed the machine's answer).  Every
rule runs inside the facilitator's scope (`scope_interactions`), so a customer's lead picks
only what they may see.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_service.db.models import (
    Channel,
    CriterionAnswer,
    Dispute,
    Evaluation,
    EvaluationKind,
    Interaction,
    ProcessingState,
    Role,
)
from qa_service.services.access import AnySelect, Viewer, scope_interactions
from qa_service.services.calibration.sessions import CalibrationError

RULES = ("manual", "random", "disputed", "disagreed")
MAX_ITEMS = 50


def parse_ids(text: str) -> list[int]:
    """Interaction ids typed or pasted from the list: numbers separated by commas or spaces."""
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    if not all(p.isdigit() for p in parts):
        raise CalibrationError("номера взаимодействий: числа через запятую",
                               "interaction ids: numbers separated by commas")
    return [int(p) for p in parts]


def _period(stmt: AnySelect, date_from: datetime | None, date_to: datetime | None) -> AnySelect:
    if date_from is not None:
        stmt = stmt.where(Interaction.started_at >= date_from)
    if date_to is not None:
        stmt = stmt.where(Interaction.started_at < date_to)
    return stmt


def pick_interactions(
    session: Session, viewer: Viewer, rule: str, *, ids_text: str = "", per_channel: int = 2,
    date_from: datetime | None = None, date_to: datetime | None = None,
) -> list[int]:
    """Interaction ids for a new session by `rule` (at most MAX_ITEMS)."""
    if rule not in RULES:
        raise CalibrationError(f"неизвестное правило отбора {rule!r}", f"unknown selection rule {rule!r}")
    if rule == "manual":
        ids = parse_ids(ids_text)
    elif rule == "random":
        if not 1 <= per_channel <= 20:
            raise CalibrationError("на канал: от 1 до 20", "per channel: 1 to 20")
        ids = []
        for channel in Channel:
            stmt = select(Interaction.id).where(Interaction.channel == channel,
                                                Interaction.state == ProcessingState.SCORED)
            # The customer's lead draws from all of the airline's own scored interactions (their scope
            # is only what is already in calibration); the other rules read our evaluations: scoped.
            stmt = stmt.where(Interaction.tenant_id == viewer.tenant_id) if viewer.role == Role.CUSTOMER \
                else scope_interactions(stmt, viewer)
            stmt = _period(stmt, date_from, date_to)
            ids += list(session.scalars(stmt.order_by(func.random()).limit(per_channel)))
    elif rule == "disputed":
        stmt = (select(Interaction.id).join(Evaluation, Evaluation.interaction_id == Interaction.id)
                .join(Dispute, Dispute.evaluation_id == Evaluation.id).distinct())
        ids = list(session.scalars(_period(scope_interactions(stmt, viewer), date_from, date_to).limit(MAX_ITEMS)))
    else:
        stmt = (select(Interaction.id).join(Evaluation, Evaluation.interaction_id == Interaction.id)
                .join(CriterionAnswer, CriterionAnswer.evaluation_id == Evaluation.id)
                .where(Evaluation.kind == EvaluationKind.REVIEW, CriterionAnswer.machine_answer.is_not(None),
                       CriterionAnswer.answer != CriterionAnswer.machine_answer).distinct())
        ids = list(session.scalars(_period(scope_interactions(stmt, viewer), date_from, date_to).limit(MAX_ITEMS)))
    if not ids:
        raise CalibrationError("по этому правилу не нашлось ни одного взаимодействия",
                               "the rule found no interactions")
    return ids[:MAX_ITEMS]
