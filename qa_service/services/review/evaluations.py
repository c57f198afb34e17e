"""The human review of an interaction: confirm or override the machine, answer manual criteria,
comment at a time offset, submit and release to the agent, and the agent's acknowledgement.

The machine's answer stays beside the human one on every `CriterionAnswer`, so agreement
between AutoQA and reviewers can be measured.  The score is recomputed with the scoring
engine's own arithmetic (`core.scoring.arithmetic.summarize`) over the weights stored on the
answers, so a review scores exactly as the machine would have.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from qa_service.core.errors import UserFacingError
from qa_service.core.scoring.arithmetic import points_for as engine_points_for
from qa_service.core.scoring.arithmetic import summarize
from qa_service.core.scoring.evidence import Answer
from qa_service.db.models import (
    CriterionAnswer,
    Dispute,
    DisputeStatus,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    Interaction,
    ReviewAssignment,
    ReviewComment,
    Role,
    User,
)
from qa_service.services.access import Viewer, visible_interaction
from qa_service.services.audit import record
from qa_service.services.calibration.blind import blind_interactions, is_blind
from qa_service.services.rubrics.titles import titles_for_evaluation
from qa_service.services.trust.loop import refresh_after_review

ANSWERS = ("yes", "no", "na")


class ReviewError(UserFacingError):
    pass


@dataclass(frozen=True)
class Decision:
    """A reviewer's answer to one criterion; `reason` is required when it overrides the machine."""

    answer: str | None
    reason: str = ""


def _as_engine_answer(answer: str | None) -> Answer:
    """Stored answers are text; the engine wants a number for scaled criteria."""
    if answer in (None, "", "yes", "no", "na"):
        return answer or None
    try:
        number = float(answer)
    except ValueError:
        return answer
    # "nan" and "inf" parse as floats; left as text they earn nothing and are refused as answers.
    return number if math.isfinite(number) else answer


def points_for(answer: str | None, max_points: float) -> float | None:
    """Points a criterion earns: full for yes, none for no, not counted for na or unanswered."""
    return engine_points_for(_as_engine_answer(answer), max_points)


def score_answers(answers: Iterable[CriterionAnswer]) -> tuple[float | None, bool]:
    """(score 0–100 or None, failed_critical) by the scoring engine's arithmetic, from the stored weights."""
    summary = summarize((_as_engine_answer(a.answer), a.max_points, a.critical) for a in answers)
    return summary.score, summary.failed_critical


def evaluations_of(session: Session, interaction_id: int) -> list[Evaluation]:
    stmt = select(Evaluation).where(Evaluation.interaction_id == interaction_id).order_by(Evaluation.id)
    return list(session.scalars(stmt))


def current_evaluation(session: Session, viewer: Viewer, interaction: Interaction) -> Evaluation | None:
    """The evaluation `viewer` should see: agents only a released one; customers none (they score blind)."""
    if not viewer.sees_evaluations:
        return None
    if is_blind(session, viewer, interaction.id):
        return None  # the viewer still scores this interaction blind in a calibration session
    evaluations = [e for e in evaluations_of(session, interaction.id) if e.kind != EvaluationKind.CALIBRATION]
    if viewer.role == Role.AGENT:
        released = [e for e in evaluations if e.status == EvaluationStatus.RELEASED]
        return released[-1] if released else None
    # A draft is a reviewer's unfinished work: only a reviewer, who is editing it, is shown it;
    # everyone else sees the last submitted review (or the machine's) as the score that counts.
    reviews = [
        e for e in evaluations
        if e.kind == EvaluationKind.REVIEW and (viewer.can_review or e.status != EvaluationStatus.DRAFT)
    ]
    if reviews:
        return reviews[-1]
    autos = [e for e in evaluations if e.kind == EvaluationKind.AUTO]
    return autos[-1] if autos else None


def _reviewable(session: Session, viewer: Viewer, interaction_id: int) -> Interaction:
    if not viewer.can_review:
        raise ReviewError("проверять могут только контролёры качества", "only QA specialists review")
    interaction = visible_interaction(session, viewer, interaction_id)
    if interaction is None:
        raise ReviewError("взаимодействие не найдено", "interaction not found")
    if is_blind(session, viewer, interaction.id):  # a review starts from the machine's answers
        raise ReviewError("вы оцениваете это взаимодействие вслепую в сессии калибровки: проверка доступна "
                          "после отправки ваших ответов", "you score this interaction blind in a calibration "
                          "session: review it after you submit your answers")
    return interaction


def draft_review(session: Session, viewer: Viewer, interaction_id: int) -> Evaluation:
    """The open review of this interaction, started from the machine's answers if there is none."""
    interaction = _reviewable(session, viewer, interaction_id)
    evaluations = evaluations_of(session, interaction.id)
    for evaluation in reversed(evaluations):
        if evaluation.kind == EvaluationKind.REVIEW and evaluation.status == EvaluationStatus.DRAFT:
            return evaluation
    base = next((e for e in reversed(evaluations) if e.kind == EvaluationKind.REVIEW), None)
    base = base or next((e for e in reversed(evaluations) if e.kind == EvaluationKind.AUTO), None)
    if base is None:
        raise ReviewError("у взаимодействия ещё нет оценки", "the interaction has not been scored yet")
    draft = Evaluation(
        tenant_id=interaction.tenant_id,
        interaction_id=interaction.id,
        rubric_version_id=base.rubric_version_id,
        kind=EvaluationKind.REVIEW,
        status=EvaluationStatus.DRAFT,
        evaluator_id=viewer.user_id,
        score=base.score,
        failed_critical=base.failed_critical,
        review_reasons=list(base.review_reasons or []),
    )
    for a in base.answers:
        draft.answers.append(
            CriterionAnswer(
                position=a.position, criterion_id=a.criterion_id, answer=a.answer, points=a.points,
                max_points=a.max_points, critical=a.critical, confidence=a.confidence, reason=a.reason,
                evidence=list(a.evidence or []), machine_answer=a.machine_answer,
                machine_confidence=a.machine_confidence, override_reason=a.override_reason,
                why=dict(a.why or {}),
            )
        )
    session.add(draft)
    session.flush()
    return draft


def apply_to_interaction(interaction: Interaction, evaluation: Evaluation) -> None:
    """Keep the list page's denormalised columns in step with the reviewed evaluation."""
    interaction.score = evaluation.score
    interaction.failed_critical = evaluation.failed_critical
    interaction.needs_review = False
    interaction.reviewed = True


def _require_critical_manual_answers(evaluation: Evaluation) -> None:
    """A critical criterion the machine leaves to people (data protection) must be answered before release."""
    missing = [
        a.criterion_id for a in evaluation.answers if a.critical and a.machine_answer is None and a.answer is None
    ]
    if missing:
        session = object_session(evaluation)
        named = titles_for_evaluation(session, evaluation) if session is not None else {}
        titles = ", ".join(f"«{named.get(c, c)}»" for c in missing)
        raise ReviewError(
            f"перед публикацией ответьте на критические критерии ручной проверки: {titles}",
            f"answer the critical manual criteria before releasing: {titles}",
        )


def submit_review(
    session: Session, viewer: Viewer, interaction_id: int, decisions: Mapping[str, Decision], *, release: bool = False
) -> Evaluation:
    """Record the reviewer's answers, recompute the score and submit (and optionally release) the review."""
    evaluation = draft_review(session, viewer, interaction_id)
    interaction = session.get_one(Interaction, interaction_id)
    changed: dict[str, dict[str, str | None]] = {}
    for answer in evaluation.answers:
        decision = decisions.get(answer.criterion_id)
        if decision is None:
            continue
        value = (decision.answer or "").strip() or None
        if value is not None and value not in ANSWERS and points_for(value, answer.max_points) is None:
            raise ReviewError(f"недопустимый ответ {value!r} ({answer.criterion_id})", f"bad answer {value!r}")
        reason = decision.reason.strip()
        # A machine answer withheld by the trust loop (answer empty, machine's kept) left empty is no override.
        withheld_left_empty = value is None and answer.answer is None
        overrides = answer.machine_answer is not None and value != answer.machine_answer and not withheld_left_empty
        if overrides and not reason:
            raise ReviewError(
                f"укажите причину изменения ответа машины по критерию {answer.criterion_id}",
                f"give a reason for overriding the machine on {answer.criterion_id}",
            )
        if value != answer.answer:
            changed[answer.criterion_id] = {"from": answer.answer, "to": value}
        answer.answer = value
        answer.points = points_for(value, answer.max_points)
        answer.override_reason = reason if overrides else None
    if release:
        _require_critical_manual_answers(evaluation)
    evaluation.score, evaluation.failed_critical = score_answers(evaluation.answers)
    now = datetime.now(UTC)
    evaluation.status = EvaluationStatus.RELEASED if release else EvaluationStatus.SUBMITTED
    evaluation.evaluator_id = viewer.user_id
    evaluation.submitted_at = now
    evaluation.released_at = now if release else None
    apply_to_interaction(interaction, evaluation)
    for assignment in session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.interaction_id == interaction.id, ReviewAssignment.completed_at.is_(None)
        )
    ):
        assignment.completed_at = now
    record(
        session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="review.submit",
        entity="evaluation", entity_id=evaluation.id,
        details={"interaction": interaction.id, "score": evaluation.score, "changed": changed, "released": release},
    )
    # Every confirmation or override is a human answer the AutoQA trust loop measures the machine by.
    refresh_after_review(session, evaluation, user_id=viewer.user_id)
    return evaluation


def release_evaluation(session: Session, viewer: Viewer, evaluation_id: int) -> Evaluation:
    """Make a submitted review visible to the agent."""
    evaluation = _evaluation_in_scope(session, viewer, evaluation_id)
    if not viewer.can_review:
        raise ReviewError("публиковать оценку могут только контролёры", "only QA specialists release")
    if evaluation.kind != EvaluationKind.REVIEW or evaluation.status != EvaluationStatus.SUBMITTED:
        raise ReviewError("опубликовать можно только отправленную проверку", "only a submitted review can be released")
    _require_critical_manual_answers(evaluation)
    evaluation.status = EvaluationStatus.RELEASED
    evaluation.released_at = datetime.now(UTC)
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="review.release",
           entity="evaluation", entity_id=evaluation.id)
    return evaluation


def _commented_evaluation(session: Session, viewer: Viewer, interaction_id: int) -> Evaluation:
    """The review a comment belongs to: the open draft, else the last submitted or released review.

    A comment on a released evaluation is meant for the agent who reads it; opening a new draft
    for it would hide it from them (and from everyone but reviewers) until someone re-released.
    """
    interaction = _reviewable(session, viewer, interaction_id)
    reviews = [e for e in evaluations_of(session, interaction.id) if e.kind == EvaluationKind.REVIEW]
    if reviews and reviews[-1].status != EvaluationStatus.DRAFT:
        return reviews[-1]
    return draft_review(session, viewer, interaction_id)


def add_comment(
    session: Session, viewer: Viewer, interaction_id: int, text: str, offset_seconds: float | None,
    criterion_id: str | None = None,
) -> ReviewComment:
    """A reviewer's comment on the open review, pinned to a moment of the recording."""
    text = text.strip()
    if not text:
        raise ReviewError("комментарий пуст", "the comment is empty")
    if offset_seconds is not None and offset_seconds < 0:
        raise ReviewError("время комментария не может быть отрицательным", "the comment's time cannot be negative")
    evaluation = _commented_evaluation(session, viewer, interaction_id)
    comment = ReviewComment(
        tenant_id=viewer.tenant_id, evaluation_id=evaluation.id, author_id=viewer.user_id,
        criterion_id=criterion_id or None, offset_seconds=offset_seconds, text=text,
    )
    session.add(comment)
    session.flush()
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="comment.create",
           entity="evaluation", entity_id=evaluation.id, details={"offset": offset_seconds})
    return comment


def changed_by(session: Session, evaluation: Evaluation) -> dict[str, str]:
    """Criterion id → the name of who last changed its answer away from the machine's.

    A dispute accepted by a supervisor changes the answer on the released review: the label must
    name that supervisor, not the reviewer who wrote the review.
    """
    names: dict[str, str] = {}
    reviewer = session.get(User, evaluation.evaluator_id) if evaluation.evaluator_id else None
    for answer in evaluation.answers:
        if answer.override_reason and reviewer is not None:
            names[answer.criterion_id] = reviewer.name
    accepted = session.execute(
        select(Dispute.criterion_id, User.name)
        .join(User, User.id == Dispute.resolved_by_id)
        .where(Dispute.evaluation_id == evaluation.id, Dispute.status == DisputeStatus.ACCEPTED)
        .order_by(Dispute.resolved_at, Dispute.id)
    )
    for criterion_id, name in accepted:
        names[criterion_id] = name
    return names


def comments_of(session: Session, evaluation: Evaluation) -> list[ReviewComment]:
    stmt = (
        select(ReviewComment)
        .where(ReviewComment.evaluation_id == evaluation.id)
        .order_by(ReviewComment.offset_seconds.is_(None), ReviewComment.offset_seconds, ReviewComment.id)
    )
    return list(session.scalars(stmt))


def evaluation_for(session: Session, viewer: Viewer, evaluation_id: int) -> Evaluation | None:
    """The evaluation if its interaction is within `viewer`'s scope, else None."""
    evaluation = session.scalar(
        select(Evaluation).where(Evaluation.id == evaluation_id, Evaluation.tenant_id == viewer.tenant_id)
    )
    if evaluation is None or visible_interaction(session, viewer, evaluation.interaction_id) is None:
        return None
    return evaluation


def _evaluation_in_scope(session: Session, viewer: Viewer, evaluation_id: int) -> Evaluation:
    evaluation = evaluation_for(session, viewer, evaluation_id)
    if evaluation is None:
        raise ReviewError("оценка не найдена", "evaluation not found")
    return evaluation


def acknowledge(session: Session, viewer: Viewer, evaluation_id: int) -> Evaluation:
    """The agent confirms they have read a released evaluation of their own."""
    evaluation = _evaluation_in_scope(session, viewer, evaluation_id)
    if viewer.role != Role.AGENT or evaluation.status != EvaluationStatus.RELEASED:
        raise ReviewError("подтвердить можно только свою опубликованную оценку", "only your released evaluation")
    if evaluation.acknowledged_at is None:
        evaluation.acknowledged_at = datetime.now(UTC)
        record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="evaluation.acknowledge",
               entity="evaluation", entity_id=evaluation.id)
    return evaluation


def agent_evaluations(session: Session, viewer: Viewer) -> list[tuple[Evaluation, Interaction]]:
    """An agent's released evaluations, newest first."""
    stmt = (
        select(Evaluation, Interaction)
        .join(Interaction, Interaction.id == Evaluation.interaction_id)
        .where(
            Evaluation.tenant_id == viewer.tenant_id,
            Evaluation.status == EvaluationStatus.RELEASED,
            Interaction.agent_id.in_(viewer.agent_ids),
            Evaluation.interaction_id.not_in(blind_interactions(viewer)),  # the blind rule, for every role
        )
        .order_by(Evaluation.released_at.desc(), Evaluation.id.desc())
    )
    return [(e, i) for e, i in session.execute(stmt).all()]
