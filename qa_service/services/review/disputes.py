"""Disputes: an agent contests one criterion of a released evaluation within a deadline; the team's
supervisor (or a QA specialist) accepts — the answer changes, as a new version of the evaluation,
and the dispute keeps both — or rejects.  A decision stands until someone reopens the dispute,
which is its own action with its own audit entry; a re-review never reverses it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qa_service.core.errors import UserFacingError
from qa_service.db.models import (
    CriterionAnswer,
    Dispute,
    DisputeStatus,
    Evaluation,
    EvaluationStatus,
    Interaction,
    Role,
)
from qa_service.services.access import Viewer, scope_interactions, visible_interaction
from qa_service.services.audit import record
from qa_service.services.calibration.blind import (
    blind_interactions,
)
from qa_service.services.evaluation_versions import (
    answers_of,
    record_version,
)
from qa_service.services.form_versions import (
    bump,
    require_version,
)
from qa_service.services.input_limits import (
    check_text,
)
from qa_service.services.review.evaluations import (
    ANSWERS,
    apply_to_interaction,
    points_for,
    score_answers,
)
from qa_service.services.trust.loop import (
    refresh_after_review,
)

DEFAULT_WINDOW_DAYS = 7


class DisputeError(UserFacingError):
    pass


def dispute_deadline(evaluation: Evaluation, window_days: int = DEFAULT_WINDOW_DAYS) -> datetime | None:
    """Until when the agent may dispute this evaluation (None when it is not released)."""
    if evaluation.released_at is None:
        return None
    return evaluation.released_at + timedelta(days=window_days)


def raise_dispute(
    session: Session, viewer: Viewer, evaluation_id: int, criterion_id: str, comment: str,
    *, window_days: int = DEFAULT_WINDOW_DAYS, now: datetime | None = None,
) -> Dispute:
    """The agent disputes one criterion of their own released evaluation."""
    now = now or datetime.now(UTC)
    evaluation = session.scalar(
        select(Evaluation).where(Evaluation.id == evaluation_id, Evaluation.tenant_id == viewer.tenant_id)
    )
    interaction = None if evaluation is None else visible_interaction(session, viewer, evaluation.interaction_id)
    if viewer.role != Role.AGENT or evaluation is None or interaction is None:
        raise DisputeError("оспорить можно только свою оценку", "you can dispute only your own evaluation")
    if evaluation.status != EvaluationStatus.RELEASED:
        raise DisputeError("оценка ещё не опубликована", "the evaluation is not released")
    deadline = dispute_deadline(evaluation, window_days)
    if deadline is None or now > deadline:
        raise DisputeError("срок для спора истёк", "the dispute deadline has passed")
    answer = next((a for a in evaluation.answers if a.criterion_id == criterion_id), None)
    if answer is None:
        raise DisputeError(f"нет критерия {criterion_id}", f"no criterion {criterion_id}")
    comment = check_text(comment.strip(), Dispute.comment, "комментарий к спору", "dispute comment")
    if not comment:
        raise DisputeError("объясните, с чем вы не согласны", "say what you disagree with")
    open_already = session.scalar(
        select(Dispute.id).where(
            Dispute.evaluation_id == evaluation.id,
            Dispute.criterion_id == criterion_id,
            Dispute.status == DisputeStatus.OPEN,
        )
    )
    if open_already:
        raise DisputeError("этот критерий уже оспорен", "this criterion is already disputed")
    dispute = Dispute(
        tenant_id=viewer.tenant_id, evaluation_id=evaluation.id, criterion_id=criterion_id,
        raised_by_id=viewer.user_id, comment=comment.strip(), answer_before=answer.answer,
    )
    session.add(dispute)
    session.flush()
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="dispute.create",
           entity="dispute", entity_id=dispute.id,
           details={"evaluation": evaluation.id, "interaction": interaction.id, "criterion": criterion_id,
                    "answer": answer.answer})
    return dispute


def _disputes_stmt(viewer: Viewer) -> Select[Dispute, Evaluation, Interaction]:
    visible = scope_interactions(select(Interaction.id), viewer)
    stmt = (
        select(Dispute, Evaluation, Interaction)
        .join(Evaluation, Evaluation.id == Dispute.evaluation_id)
        .join(Interaction, Interaction.id == Evaluation.interaction_id)
        .where(Dispute.tenant_id == viewer.tenant_id, Interaction.id.in_(visible))
        # Calibration blind rule: a dispute shows the evaluation's answers.
        .where(Interaction.id.not_in(blind_interactions(viewer)))
    )
    if viewer.role == Role.AGENT:
        stmt = stmt.where(Dispute.raised_by_id == viewer.user_id)
    return stmt


def list_disputes(
    session: Session, viewer: Viewer, status: DisputeStatus | None = None
) -> list[tuple[Dispute, Evaluation, Interaction]]:
    """Disputes `viewer` may see: resolvers their scope's, agents their own; open first."""
    if not (viewer.can_resolve_disputes or viewer.role == Role.AGENT):
        return []
    stmt = _disputes_stmt(viewer)
    if status is not None:
        stmt = stmt.where(Dispute.status == status)
    stmt = stmt.order_by((Dispute.status == DisputeStatus.OPEN).desc(), Dispute.created_at.desc(), Dispute.id.desc())
    return [(row[0], row[1], row[2]) for row in session.execute(stmt).all()]


def get_dispute(session: Session, viewer: Viewer, dispute_id: int) -> tuple[Dispute, Evaluation, Interaction]:
    row = session.execute(_disputes_stmt(viewer).where(Dispute.id == dispute_id)).first()
    if row is None or not (viewer.can_resolve_disputes or viewer.role == Role.AGENT):
        raise DisputeError("спор не найден", "dispute not found")
    return row[0], row[1], row[2]


def resolve_dispute(
    session: Session, viewer: Viewer, dispute_id: int, *, accept: bool, resolution: str, new_answer: str | None = None,
    form_version: str | None = None,
) -> Dispute:
    """Accept (change the answer, recompute the score) or reject (a reason is required) an open dispute."""
    if not viewer.can_resolve_disputes:
        raise DisputeError("решает спор руководитель группы оператора", "the agent's supervisor resolves disputes")
    dispute, evaluation, interaction = get_dispute(session, viewer, dispute_id)
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeError("спор уже решён: ничего не изменено", "the dispute is already resolved: nothing was changed")
    require_version(dispute.version, form_version, "спор", "the dispute")
    resolution = check_text(resolution.strip(), Dispute.resolution, "основание решения", "reason for the decision")
    if not resolution:
        raise DisputeError("укажите основание решения", "give the reason for the decision")
    answer: CriterionAnswer | None = next(
        (a for a in evaluation.answers if a.criterion_id == dispute.criterion_id), None
    )
    if answer is None:
        raise DisputeError("критерий не найден", "criterion not found")
    now = datetime.now(UTC)
    if accept:
        if new_answer not in ANSWERS or new_answer == answer.answer:
            raise DisputeError("выберите новый ответ по критерию", "choose the criterion's new answer")
        before, score_before = answers_of(evaluation), evaluation.score
        dispute.answer_before = answer.answer
        dispute.answer_after = new_answer
        answer.answer = new_answer
        answer.points = points_for(new_answer, answer.max_points)
        answer.override_reason = resolution  # the label names the dispute and who decided (`changed_by`)
        evaluation.score, evaluation.failed_critical = score_answers(evaluation.answers)
        record_version(session, evaluation, cause="dispute_accepted", user_id=viewer.user_id, reason=resolution,
                       before=before, score_before=score_before)
        apply_to_interaction(interaction, evaluation)
        # The review's human answer changed: the AutoQA trust loop measures the machine by the new one.
        refresh_after_review(session, evaluation, user_id=viewer.user_id)
        dispute.status = DisputeStatus.ACCEPTED
    else:
        dispute.status = DisputeStatus.REJECTED
        dispute.answer_after = answer.answer
    dispute.resolution = resolution
    dispute.resolved_by_id = viewer.user_id
    dispute.resolved_at = now
    bump(dispute)
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action=f"dispute.{dispute.status.value}",
           entity="dispute", entity_id=dispute.id,
           details={"evaluation": evaluation.id, "interaction": interaction.id, "criterion": dispute.criterion_id,
                    "before": dispute.answer_before, "after": dispute.answer_after, "score": evaluation.score,
                    "reason": resolution})
    return dispute


def reopen_dispute(
    session: Session, viewer: Viewer, dispute_id: int, *, reason: str, form_version: str | None = None
) -> Dispute:
    """Reopen a decided dispute: its own action, with a reason and an audit entry.

    An accepted dispute's answer goes back to the one disputed (a new version of the evaluation),
    so the reopened dispute is decided again from where it started.
    """
    if not viewer.can_resolve_disputes:
        raise DisputeError("переоткрывает спор руководитель группы оператора",
                           "the agent's supervisor reopens disputes")
    dispute, evaluation, interaction = get_dispute(session, viewer, dispute_id)
    if dispute.status == DisputeStatus.OPEN:
        raise DisputeError("спор и так открыт: ничего не изменено", "the dispute is already open: nothing was changed")
    require_version(dispute.version, form_version, "спор", "the dispute")
    reason = check_text(reason.strip(), Dispute.resolution, "причина", "reason")
    if not reason:
        raise DisputeError("укажите, почему спор открывается заново", "give the reason for reopening the dispute")
    was = dispute.status
    answer = next((a for a in evaluation.answers if a.criterion_id == dispute.criterion_id), None)
    if was == DisputeStatus.ACCEPTED and answer is not None and answer.answer != dispute.answer_before:
        before, score_before = answers_of(evaluation), evaluation.score
        answer.answer = dispute.answer_before
        answer.points = points_for(answer.answer, answer.max_points)
        answer.override_reason = None
        evaluation.score, evaluation.failed_critical = score_answers(evaluation.answers)
        record_version(session, evaluation, cause="dispute_reopened", user_id=viewer.user_id, reason=reason,
                       before=before, score_before=score_before)
        apply_to_interaction(interaction, evaluation)
        refresh_after_review(session, evaluation, user_id=viewer.user_id)
    dispute.status = DisputeStatus.OPEN
    dispute.answer_after = None
    dispute.resolution, dispute.resolved_by_id, dispute.resolved_at = None, None, None
    bump(dispute)
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="dispute.reopen",
           entity="dispute", entity_id=dispute.id,
           details={"evaluation": evaluation.id, "interaction": interaction.id, "criterion": dispute.criterion_id,
                    "status": {"from": was.value, "to": DisputeStatus.OPEN.value}, "reason": reason,
                    "score": evaluation.score})
    return dispute


def disputes_of_evaluation(session: Session, evaluation_id: int) -> list[Dispute]:
    stmt = select(Dispute).where(Dispute.evaluation_id == evaluation_id).order_by(Dispute.id)
    return list(session.scalars(stmt))
