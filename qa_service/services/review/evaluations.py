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

from sqlalchemy import func, select
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
from qa_service.services.calibration.blind import (
    blind_interactions,
    is_blind,
)
from qa_service.services.evaluation_versions import (
    answers_of,
    record_version,
)
from qa_service.services.form_versions import (
    bump,
    require_version,
    stale,
)
from qa_service.services.input_limits import (
    check_text,
)
from qa_service.services.rubrics.titles import (
    titles_for_evaluation,
)
from qa_service.services.trust.loop import (
    refresh_after_review,
)

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


def _shown_to_reviewer(session: Session, interaction_id: int) -> Evaluation | None:
    """The evaluation a reviewer's form is drawn from: the latest review (a draft too), else the machine's."""
    evaluations = [e for e in evaluations_of(session, interaction_id) if e.kind != EvaluationKind.CALIBRATION]
    reviews = [e for e in evaluations if e.kind == EvaluationKind.REVIEW]
    if reviews:
        return reviews[-1]
    autos = [e for e in evaluations if e.kind == EvaluationKind.AUTO]
    return autos[-1] if autos else None


ALREADY_RELEASED = (
    "оценка уже опубликована оператору: ничего не изменено. Чтобы изменить её, нажмите «Изменить опубликованную "
    "оценку» и укажите причину — оператор получит уведомление",
    "the evaluation is already released to the agent: nothing was changed. To change it, press “Change the "
    "released evaluation” and give a reason — the agent is notified",
)


def _require_current_form(
    session: Session, interaction_id: int, form_evaluation_id: int | None, form_version: str | None
) -> Evaluation | None:
    """Refuse a review form drawn from anything but the current evaluation at its current version."""
    shown = _shown_to_reviewer(session, interaction_id)
    if form_version is not None:
        if shown is None or form_evaluation_id != shown.id:
            raise stale("оценка", "the evaluation")
        require_version(shown.version, form_version, "оценка", "the evaluation")
    return shown


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
    latest_review = next((e for e in reversed(evaluations) if e.kind == EvaluationKind.REVIEW), None)
    if latest_review is not None and latest_review.status == EvaluationStatus.RELEASED:
        # A second released review would give the agent two scores for one interaction and
        # silently undo what was decided on the first (an accepted dispute): changes to a
        # released evaluation are versions of it (`amend_released`).
        raise ReviewError(*ALREADY_RELEASED)
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
    session: Session, viewer: Viewer, interaction_id: int, decisions: Mapping[str, Decision], *, release: bool = False,
    form_evaluation_id: int | None = None, form_version: str | None = None,
) -> Evaluation:
    """Record the reviewer's answers, recompute the score and submit (and optionally release) the review.

    `form_evaluation_id`/`form_version` are what the page's form was drawn from: a form from a
    stale page (the evaluation changed or was released since) is refused and changes nothing.
    """
    _reviewable(session, viewer, interaction_id)
    shown = _require_current_form(session, interaction_id, form_evaluation_id, form_version)
    if shown is not None and shown.kind == EvaluationKind.REVIEW and shown.status == EvaluationStatus.RELEASED:
        raise ReviewError(*ALREADY_RELEASED)
    evaluation = draft_review(session, viewer, interaction_id)
    interaction = session.get_one(Interaction, interaction_id)
    changed: dict[str, dict[str, str | None]] = {}
    _apply_decisions(evaluation, decisions, changed)
    if release:
        _require_critical_manual_answers(evaluation)
    evaluation.score, evaluation.failed_critical = score_answers(evaluation.answers)
    now = datetime.now(UTC)
    evaluation.status = EvaluationStatus.RELEASED if release else EvaluationStatus.SUBMITTED
    evaluation.evaluator_id = viewer.user_id
    evaluation.submitted_at = now
    evaluation.released_at = now if release else None
    if release:
        record_version(session, evaluation, cause="released", user_id=viewer.user_id, reason=None,
                       before=answers_of(evaluation), score_before=evaluation.score)
    else:
        bump(evaluation)
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


def _apply_decisions(
    evaluation: Evaluation, decisions: Mapping[str, Decision], changed: dict[str, dict[str, str | None]]
) -> None:
    """Write the reviewer's answers onto `evaluation`, noting each change in `changed`."""
    for answer in evaluation.answers:
        decision = decisions.get(answer.criterion_id)
        if decision is None:
            continue
        value = (decision.answer or "").strip() or None
        if value is not None and value not in ANSWERS and points_for(value, answer.max_points) is None:
            raise ReviewError(f"недопустимый ответ {value!r} ({answer.criterion_id})", f"bad answer {value!r}")
        reason = check_text(decision.reason.strip(), CriterionAnswer.override_reason,
                            "причина изменения ответа", "reason for the override")
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


def release_evaluation(
    session: Session, viewer: Viewer, evaluation_id: int, *, form_version: str | None = None
) -> Evaluation:
    """Make a submitted review visible to the agent."""
    evaluation = _evaluation_in_scope(session, viewer, evaluation_id)
    if not viewer.can_review:
        raise ReviewError("публиковать оценку могут только контролёры", "only QA specialists release")
    if evaluation.status == EvaluationStatus.RELEASED:
        raise ReviewError(*ALREADY_RELEASED)
    latest = _shown_to_reviewer(session, evaluation.interaction_id)
    if latest is None or latest.id != evaluation.id:  # a newer review was written since the page was drawn
        raise stale("оценка", "the evaluation")
    require_version(evaluation.version, form_version, "оценка", "the evaluation")
    if evaluation.kind != EvaluationKind.REVIEW or evaluation.status != EvaluationStatus.SUBMITTED:
        raise ReviewError("опубликовать можно только отправленную проверку", "only a submitted review can be released")
    _require_critical_manual_answers(evaluation)
    evaluation.status = EvaluationStatus.RELEASED
    evaluation.released_at = datetime.now(UTC)
    version = record_version(session, evaluation, cause="released", user_id=viewer.user_id, reason=None,
                             before=answers_of(evaluation), score_before=evaluation.score)
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="review.release",
           entity="evaluation", entity_id=evaluation.id,
           details={"interaction": evaluation.interaction_id, "score": evaluation.score, "version": version.number})
    return evaluation


def resolved_dispute_criteria(session: Session, evaluation: Evaluation) -> dict[str, Dispute]:
    """Criterion id → the dispute that decided it (accepted or rejected) or is open on it."""
    stmt = select(Dispute).where(Dispute.evaluation_id == evaluation.id).order_by(Dispute.id)
    return {d.criterion_id: d for d in session.scalars(stmt)}


def amend_released(
    session: Session, viewer: Viewer, evaluation_id: int, decisions: Mapping[str, Decision], reason: str,
    *, form_version: str | None = None, cause: str = "amended",
) -> Evaluation:
    """«Изменить опубликованную оценку»: a new version of a released review, with a reason; the agent is told.

    A criterion a dispute decided (accepted or rejected) or is deciding keeps its answer: only
    the dispute's own actions (reopen, resolve) change it, so a re-review never undoes a decision.
    """
    evaluation = _evaluation_in_scope(session, viewer, evaluation_id)
    _reviewable(session, viewer, evaluation.interaction_id)
    if evaluation.kind != EvaluationKind.REVIEW or evaluation.status != EvaluationStatus.RELEASED:
        raise ReviewError("изменить можно только опубликованную проверку", "only a released review can be changed")
    latest = _shown_to_reviewer(session, evaluation.interaction_id)
    if latest is None or latest.id != evaluation.id:
        raise stale("оценка", "the evaluation")
    require_version(evaluation.version, form_version, "оценка", "the evaluation")
    reason = check_text(reason.strip(), CriterionAnswer.override_reason, "причина изменения", "reason for the change")
    if not reason:
        raise ReviewError("укажите причину изменения опубликованной оценки",
                          "give the reason for changing the released evaluation")
    before, score_before = answers_of(evaluation), evaluation.score
    disputed = resolved_dispute_criteria(session, evaluation)
    named = titles_for_evaluation(session, evaluation)
    for criterion_id, decision in decisions.items():
        value = (decision.answer or "").strip() or None
        dispute = disputed.get(criterion_id)
        if dispute is not None and criterion_id in before and value != before[criterion_id]:
            title = named.get(criterion_id, criterion_id)
            if dispute.status == DisputeStatus.OPEN:
                raise ReviewError(
                    f"по критерию «{title}» открыт спор: ответ меняет руководитель, решая спор; ничего не изменено",
                    f"“{title}” is disputed: the supervisor changes it by deciding the dispute; nothing was changed")
            raise ReviewError(
                f"по критерию «{title}» спор уже решён руководителем; чтобы изменить ответ, переоткройте спор; "
                "ничего не изменено",
                f"the dispute on “{title}” is decided by the supervisor; reopen the dispute to change the answer; "
                "nothing was changed")
    changed: dict[str, dict[str, str | None]] = {}
    # The reason for the change stands in for a per-criterion reason the form left empty.
    _apply_decisions(
        evaluation,
        {c: Decision(d.answer, d.reason.strip() or reason) for c, d in decisions.items() if c not in disputed},
        changed,
    )
    if not changed:
        raise ReviewError("ни один ответ не изменён: новая версия не создана",
                          "no answer was changed: no new version was made")
    _require_critical_manual_answers(evaluation)
    evaluation.score, evaluation.failed_critical = score_answers(evaluation.answers)
    evaluation.evaluator_id = viewer.user_id
    evaluation.acknowledged_at = None  # the agent is told: the evaluation is unread again on «Мои оценки»
    version = record_version(session, evaluation, cause=cause, user_id=viewer.user_id, reason=reason,
                             before=before, score_before=score_before)
    apply_to_interaction(session.get_one(Interaction, evaluation.interaction_id), evaluation)
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="evaluation.amend",
           entity="evaluation", entity_id=evaluation.id,
           details={"interaction": evaluation.interaction_id, "version": version.number, "reason": reason,
                    "score": {"from": score_before, "to": evaluation.score}, "changed": changed})
    refresh_after_review(session, evaluation, user_id=viewer.user_id)
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
    text = check_text(text.strip(), ReviewComment.text, "комментарий", "comment")
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
    """An agent's released evaluations, one per interaction (its current one), newest first."""
    current = (
        select(func.max(Evaluation.id))
        .where(Evaluation.tenant_id == viewer.tenant_id, Evaluation.status == EvaluationStatus.RELEASED)
        .group_by(Evaluation.interaction_id)
    )
    stmt = (
        select(Evaluation, Interaction)
        .join(Interaction, Interaction.id == Evaluation.interaction_id)
        .where(
            Evaluation.tenant_id == viewer.tenant_id,
            Evaluation.status == EvaluationStatus.RELEASED,
            Interaction.agent_id.in_(viewer.agent_ids),
            Evaluation.interaction_id.not_in(blind_interactions(viewer)),  # the blind rule, for every role
            Evaluation.id.in_(current),
        )
        .order_by(Evaluation.released_at.desc(), Evaluation.id.desc())
    )
    return [(e, i) for e, i in session.execute(stmt).all()]
