"""The AutoQA trust loop: measure each automatic criterion against people, and stop publishing
the machine's answer where people keep overturning it.

Human answers come from sources (see `human_answer_sources`): today the submitted reviews
(confirmations and overrides, disputes included since an accepted dispute edits the review);
calibration consensus answers join there.  After every review the touched criteria are
recomputed over the newest `trust_window` answers (a few indexed queries, inside the review's
own transaction); `recompute_tenant` does all of them on demand.  A criterion below its
threshold is *withheld*: new machine evaluations leave its answer empty for a person (the
machine's answer is kept beside it, so agreement keeps being measured) and need review.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import and_, exists, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from qa_service.core.scoring.arithmetic import summarize
from qa_service.core.tenant_settings import TenantSettings
from qa_service.core.trust import TrustRule, agreement, next_suppressed
from qa_service.db.models import (
    CriterionAnswer,
    CriterionTrust,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    Interaction,
    RubricVersion,
    Tenant,
)
from qa_service.services.audit import record
from qa_service.services.calibration.gold_labels import consensus_answers

# Written into `Evaluation.review_reasons` like the engine's own reasons ("low_confidence:a,b").
NEEDS_HUMAN = "needs_human"
DONE = (EvaluationStatus.SUBMITTED, EvaluationStatus.RELEASED)
# Reviews read per page: the window plus a margin for reviews that left a criterion unanswered.
PAGE_EXTRA = 50
PAGE_ALL = 1000  # when reading everything since a date (the weekly trend)


@dataclass(frozen=True)
class HumanAnswer:
    """A person's answer to a criterion of an interaction, beside the machine's answer to it."""

    interaction_id: int
    criterion_id: str
    machine: str
    human: str
    answered_at: datetime
    source: str  # "review" | "calibration"


class HumanAnswerSource(Protocol):
    """Human answers to these criteria, newest first, at most `limit` per criterion, answered at or after `since`."""

    def __call__(
        self, session: Session, tenant_id: int, rubric_id: int, criterion_ids: Collection[str], *,
        limit: int | None = None, since: datetime | None = None,
    ) -> list[HumanAnswer]: ...


def review_answers(
    session: Session, tenant_id: int, rubric_id: int, criterion_ids: Collection[str], *,
    limit: int | None = None, since: datetime | None = None,
) -> list[HumanAnswer]:
    """Submitted reviews' answers where the machine had answered: one per interaction (its latest review).

    Reads reviews newest first in pages and stops once every criterion has `limit` answers, so the
    cost follows the window, not the tenant's whole history (every review answers nearly every
    criterion: one page is the usual case).
    """
    wanted = set(criterion_ids)
    if not wanted:
        return []
    later = aliased(Evaluation)
    newer_review = exists().where(
        later.interaction_id == Evaluation.interaction_id, later.kind == EvaluationKind.REVIEW,
        later.status.in_(DONE), later.id > Evaluation.id,
    )
    reviews = (
        select(Evaluation.id, Evaluation.interaction_id, Evaluation.submitted_at)
        .join(RubricVersion, RubricVersion.id == Evaluation.rubric_version_id)
        .where(
            Evaluation.tenant_id == tenant_id, Evaluation.kind == EvaluationKind.REVIEW,
            Evaluation.status.in_(DONE), Evaluation.submitted_at.is_not(None), RubricVersion.rubric_id == rubric_id,
            ~newer_review,
        )
        .order_by(Evaluation.submitted_at.desc(), Evaluation.id.desc())
        .limit(page_size := (limit + PAGE_EXTRA if limit is not None else PAGE_ALL))
    )
    if since is not None:
        reviews = reviews.where(Evaluation.submitted_at >= since)
    found: dict[str, list[HumanAnswer]] = {c: [] for c in wanted}
    cursor: tuple[datetime, int] | None = None
    while True:
        page = session.execute(
            reviews if cursor is None else reviews.where(tuple_(Evaluation.submitted_at, Evaluation.id) < cursor)
        ).all()
        open_criteria = [c for c in wanted if limit is None or len(found[c]) < limit]
        answers: dict[int, list[tuple[str, str, str]]] = {}
        for evaluation_id, criterion, machine, human in session.execute(
            select(CriterionAnswer.evaluation_id, CriterionAnswer.criterion_id, CriterionAnswer.machine_answer,
                   CriterionAnswer.answer)
            .where(
                CriterionAnswer.evaluation_id.in_([row.id for row in page]),
                CriterionAnswer.criterion_id.in_(open_criteria),
                CriterionAnswer.machine_answer.is_not(None), CriterionAnswer.answer.is_not(None),
            )
        ).all() if page else ():
            answers.setdefault(evaluation_id, []).append((criterion, machine or "", human or ""))
        for row in page:
            for criterion, machine, human in answers.get(row.id, ()):
                if limit is None or len(found[criterion]) < limit:
                    found[criterion].append(
                        HumanAnswer(row.interaction_id, criterion, machine, human, row.submitted_at, "review")
                    )
        if len(page) < page_size or all(limit is not None and len(found[c]) >= limit for c in wanted):
            break
        cursor = (page[-1].submitted_at, page[-1].id)
    merged = [a for c in found.values() for a in c]
    merged.sort(key=lambda a: a.answered_at, reverse=True)
    return merged


# What `services.calibration.gold_labels.consensus_answers(session, tenant_id)` returns:
# (interaction_id, criterion_id, answer, decided_at) per consensus answer.
ConsensusRows = Callable[[Session, int], Iterable[tuple[int, str, str | None, datetime]]]


def consensus_source(consensus_answers: ConsensusRows) -> HumanAnswerSource:
    """A source of calibration consensus answers, each paired with the machine's answer to that interaction."""

    def source(
        session: Session, tenant_id: int, rubric_id: int, criterion_ids: Collection[str], *,
        limit: int | None = None, since: datetime | None = None,
    ) -> list[HumanAnswer]:
        wanted = set(criterion_ids)
        decided = {
            (interaction_id, criterion): (answer, at)
            for interaction_id, criterion, answer, at in consensus_answers(session, tenant_id)
            if criterion in wanted and answer is not None and (since is None or at >= since)
        }
        if not decided:
            return []
        machine: dict[tuple[int, str], str | None] = {
            (interaction_id, criterion): answer
            for interaction_id, criterion, answer in session.execute(
                select(Evaluation.interaction_id, CriterionAnswer.criterion_id, CriterionAnswer.machine_answer)
                .join(CriterionAnswer, CriterionAnswer.evaluation_id == Evaluation.id)
                .join(RubricVersion, RubricVersion.id == Evaluation.rubric_version_id)
                .where(
                    Evaluation.tenant_id == tenant_id, Evaluation.kind == EvaluationKind.AUTO,
                    Evaluation.interaction_id.in_({i for i, _ in decided}), RubricVersion.rubric_id == rubric_id,
                    CriterionAnswer.criterion_id.in_(wanted), CriterionAnswer.machine_answer.is_not(None),
                )
                .order_by(Evaluation.id)  # the newest machine evaluation wins in the dict
            ).all()
        }
        found = [
            HumanAnswer(key[0], key[1], machine_answer, answer or "", at, "calibration")
            for key, (answer, at) in decided.items()
            if (machine_answer := machine.get(key)) is not None
        ]
        found.sort(key=lambda a: (a.answered_at, a.interaction_id), reverse=True)
        if limit is None:
            return found
        per_criterion: dict[str, list[HumanAnswer]] = {}
        for answer in found:
            per_criterion.setdefault(answer.criterion_id, []).append(answer)
        return [a for answers in per_criterion.values() for a in answers[:limit]]

    return source


def human_answer_sources() -> tuple[HumanAnswerSource, ...]:
    """Where human answers come from, the first source winning for an interaction answered by several.

    Calibration consensus comes first: the gold label agreed after discussion outranks a single
    reviewer's answer to the same interaction.
    """
    return (consensus_source(consensus_answers), review_answers)


def human_answers(
    session: Session, tenant_id: int, rubric_id: int, criterion_ids: Collection[str], *,
    limit: int | None = None, since: datetime | None = None,
    sources: Sequence[HumanAnswerSource] | None = None,
) -> dict[str, list[HumanAnswer]]:
    """Per criterion, the newest human answers from every source (newest first), one per interaction."""
    merged: dict[str, list[HumanAnswer]] = {c: [] for c in criterion_ids}
    seen: set[tuple[int, str]] = set()
    for source in sources if sources is not None else human_answer_sources():
        for answer in source(session, tenant_id, rubric_id, criterion_ids, limit=limit, since=since):
            key = (answer.interaction_id, answer.criterion_id)
            if key not in seen and answer.criterion_id in merged:
                seen.add(key)
                merged[answer.criterion_id].append(answer)
    for criterion, answers in merged.items():
        answers.sort(key=lambda a: (a.answered_at, a.interaction_id), reverse=True)
        merged[criterion] = answers[:limit] if limit is not None else answers
    return merged


def tenant_settings(session: Session, tenant_id: int) -> TenantSettings:
    return TenantSettings.from_mapping(session.get_one(Tenant, tenant_id).settings)


def rule_for(settings: TenantSettings, row: CriterionTrust | None) -> TrustRule:
    threshold = settings.trust_threshold
    if row is not None and row.threshold_override is not None:
        threshold = row.threshold_override
    return TrustRule(threshold=threshold, min_answers=settings.trust_min_answers)


def trust_row(session: Session, tenant_id: int, rubric_id: int, criterion_id: str) -> CriterionTrust:
    stmt = select(CriterionTrust).where(
        CriterionTrust.tenant_id == tenant_id, CriterionTrust.rubric_id == rubric_id,
        CriterionTrust.criterion_id == criterion_id,
    )
    row = session.scalar(stmt)
    if row is not None:
        return row
    try:  # two reviews saved at once may both create it: the loser reads the winner's row
        with session.begin_nested():
            row = CriterionTrust(tenant_id=tenant_id, rubric_id=rubric_id, criterion_id=criterion_id)
            session.add(row)
        return row
    except IntegrityError:
        return session.scalars(stmt).one()


def recompute(
    session: Session, tenant_id: int, rubric_id: int, criterion_ids: Iterable[str], *,
    now: datetime | None = None, user_id: int | None = None,
) -> list[CriterionTrust]:
    """Measure each criterion over its window and flip its state where the rule says so."""
    now = now or datetime.now(UTC)
    settings = tenant_settings(session, tenant_id)
    criteria = sorted(set(criterion_ids))
    session.flush()
    with session.no_autoflush:  # nothing below reads what it writes: skip a flush per query
        windows = human_answers(session, tenant_id, rubric_id, criteria, limit=settings.trust_window)
        stored = {
            row.criterion_id: row
            for row in session.scalars(select(CriterionTrust).where(
                CriterionTrust.tenant_id == tenant_id, CriterionTrust.rubric_id == rubric_id,
                CriterionTrust.criterion_id.in_(criteria),
            ))
        }
        rows = []
        for criterion_id in criteria:
            row = stored.get(criterion_id) or trust_row(session, tenant_id, rubric_id, criterion_id)
            _update(session, row, windows[criterion_id], settings, now, user_id)
            rows.append(row)
    session.flush()
    return rows


def _update(
    session: Session, row: CriterionTrust, answers: list[HumanAnswer], settings: TenantSettings, now: datetime,
    user_id: int | None,
) -> None:
    figures = agreement((a.machine, a.human) for a in answers)
    suppressed = next_suppressed(bool(row.suppressed), figures, rule_for(settings, row))
    if suppressed != bool(row.suppressed):
        row.changed_at = now
        record(
            session, tenant_id=row.tenant_id, user_id=user_id,
            action="autoqa.withhold" if suppressed else "autoqa.publish", entity="criterion_trust",
            entity_id=f"{row.rubric_id}:{row.criterion_id}",
            details={"agreement": figures.rate, "n": figures.n, "lower": figures.lower, "upper": figures.upper},
        )
    row.suppressed = suppressed
    row.agreed, row.n, row.agreement = figures.agreed, figures.n, figures.rate
    row.lower, row.upper, row.computed_at = figures.lower, figures.upper, now


def rubric_of_version(session: Session, rubric_version_id: int) -> int:
    return session.get_one(RubricVersion, rubric_version_id).rubric_id


def refresh_after_review(session: Session, evaluation: Evaluation, user_id: int | None = None) -> list[CriterionTrust]:
    """Recompute the criteria a just-saved review answered where the machine had answered too."""
    criteria = [a.criterion_id for a in evaluation.answers if a.machine_answer is not None and a.answer is not None]
    if not criteria:
        return []
    rubric_id = rubric_of_version(session, evaluation.rubric_version_id)
    return recompute(session, evaluation.tenant_id, rubric_id, criteria, user_id=user_id)


def refresh_after_consensus(
    session: Session, tenant_id: int, interaction_id: int, criterion_ids: Iterable[str], user_id: int | None = None
) -> list[CriterionTrust]:
    """Recompute the criteria a calibration consensus just decided, for the rubric the machine scored them with."""
    rubric_ids = set(session.scalars(
        select(RubricVersion.rubric_id)
        .join(Evaluation, Evaluation.rubric_version_id == RubricVersion.id)
        .where(Evaluation.tenant_id == tenant_id, Evaluation.interaction_id == interaction_id,
               Evaluation.kind == EvaluationKind.AUTO)
    ))
    return [row for rubric_id in sorted(rubric_ids)
            for row in recompute(session, tenant_id, rubric_id, criterion_ids, user_id=user_id)]


def withheld_criteria(session: Session, tenant_id: int, rubric_id: int) -> frozenset[str]:
    return frozenset(
        session.scalars(
            select(CriterionTrust.criterion_id).where(
                CriterionTrust.tenant_id == tenant_id, CriterionTrust.rubric_id == rubric_id,
                CriterionTrust.suppressed.is_(True),
            )
        )
    )


def _engine_answer(answer: str | None) -> str | float | None:
    if answer in (None, "yes", "no", "na"):
        return answer
    try:
        return float(answer)  # a scaled criterion's share, as the engine wants it
    except ValueError:
        return answer


def withhold_untrusted(session: Session, evaluation: Evaluation, rubric_id: int) -> list[str]:
    """Empty the machine's answers of withheld criteria in a new machine evaluation; rescore without them.

    Like a manual criterion, an empty answer leaves both sums until a person answers; the machine's
    answer stays in `machine_answer`, and the evaluation needs review.  Returns the criteria withheld.
    """
    untrusted = withheld_criteria(session, evaluation.tenant_id, rubric_id)
    withheld = [a for a in evaluation.answers if a.criterion_id in untrusted and a.machine_answer is not None]
    if not withheld:
        return []
    for answer in withheld:
        answer.answer = None
        answer.points = None
    summary = summarize((_engine_answer(a.answer), a.max_points, a.critical) for a in evaluation.answers)
    evaluation.score, evaluation.failed_critical = summary.score, summary.failed_critical
    evaluation.needs_review = True
    ids = [a.criterion_id for a in withheld]
    evaluation.review_reasons = [*(evaluation.review_reasons or []), f"{NEEDS_HUMAN}:{','.join(ids)}"]
    return ids


def awaiting_human(session: Session, tenant_id: int, started_from: datetime, started_before: datetime) -> set[int]:
    """Interactions started in [from, before) with a withheld machine answer that no person has answered yet."""
    stmt = (
        select(Evaluation.interaction_id)
        .join(CriterionAnswer, CriterionAnswer.evaluation_id == Evaluation.id)
        .join(Interaction, Interaction.id == Evaluation.interaction_id)
        .where(
            Evaluation.tenant_id == tenant_id, Evaluation.kind == EvaluationKind.AUTO,
            Interaction.tenant_id == tenant_id, Interaction.reviewed.is_(False),
            Interaction.started_at >= started_from, Interaction.started_at < started_before,
            and_(CriterionAnswer.answer.is_(None), CriterionAnswer.machine_answer.is_not(None)),
        )
        .distinct()
    )
    return set(session.scalars(stmt))
