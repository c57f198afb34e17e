"""Results of a calibration session, the consensus (gold labels), the customer's sign-off.

Only submitted answers count.  Agreement figures come from `core.agreement` (Krippendorff's
alpha with a bootstrap interval, Fleiss' kappa, percent agreement); criteria and items below
the standard's targets (§5: 90 % objective, 80 % subjective, score spread ≤ 10 points) are
marked ambiguous — a wording problem in the rubric to discuss.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.core.agreement import Reliability, reliability, spread, wilson
from qa_service.core.scoring.arithmetic import summarize
from qa_service.db.models import (
    CalibrationAnswer,
    CalibrationConsensus,
    CalibrationItem,
    CalibrationParticipant,
    CalibrationSession,
    Evaluation,
    EvaluationKind,
    Interaction,
    Role,
    User,
)
from qa_service.services.access import Viewer
from qa_service.services.audit import record
from qa_service.services.calibration.gold_labels import consensus_answers  # noqa: F401  (re-exported: callers read gold labels here)
from qa_service.services.calibration.sessions import (
    CalibrationError,
    CalibrationForbidden,
    CalibrationNotFound,
    CriterionInfo,
    check_scale,
    is_facilitator,
    item_criteria,
    require_results,
    session_items,
    valid_answer,
)
from qa_service.services.trust.loop import refresh_after_consensus

OBJECTIVE_TARGET = 0.90
SUBJECTIVE_TARGET = 0.80
SPREAD_TARGET = 10.0
BOOTSTRAP = 300  # resamples for the pages' intervals: stable to ±0.02 on these sizes, and a page stays near a second


@dataclass
class Person:
    user_id: int
    name: str
    role: Role
    submitted_at: datetime | None
    benchmark: bool


@dataclass
class CriterionRow:
    """One criterion of one item: everyone's answers side by side."""

    criterion: CriterionInfo
    answers: dict[int, str | None]
    comments: dict[int, str]
    distribution: Counter[str]
    benchmark_answer: str | None
    agree_with_benchmark: int  # other raters who gave the benchmark's answer …
    compared_with_benchmark: int  # … out of this many
    machine_answer: str | None
    consensus: CalibrationConsensus | None
    unanimous: bool


@dataclass
class ItemResult:
    item: CalibrationItem
    interaction: Interaction
    rows: list[CriterionRow]
    scores: dict[int, float | None]
    spread: float | None
    std: float | None
    deviations: dict[int, float | None]  # score − the benchmark's score
    machine_score: float | None
    ambiguous: bool


@dataclass
class CriterionSummary:
    criterion: CriterionInfo
    figures: Reliability
    agree_with_benchmark: int
    compared_with_benchmark: int
    target: float
    ambiguous: bool

    @property
    def benchmark_rate(self) -> float | None:
        return self.agree_with_benchmark / self.compared_with_benchmark if self.compared_with_benchmark else None


@dataclass
class SessionResults:
    calibration: CalibrationSession
    people: list[Person]
    items: list[ItemResult]
    criteria: list[CriterionSummary]
    overall: Reliability
    scores: Reliability  # interval alpha of the total scores
    person_agreement: dict[int, tuple[int, int]] = field(default_factory=dict)  # user -> (agree, compared)
    person_deviation: dict[int, float | None] = field(default_factory=dict)  # mean score − benchmark
    facilitator: str | None = None
    signed_off_by: str | None = None


def _score(rows: list[CriterionRow], answers: dict[str, str | None]) -> float | None:
    if not answers or all(a is None for a in answers.values()):
        return None
    items = [(r.criterion.fraction(answers.get(r.criterion.id)), r.criterion.weight, r.criterion.critical)
             for r in rows]
    return summarize(items).score


def _machine_answers(session: Session, interaction_id: int) -> dict[str, str | None]:
    stmt = (select(Evaluation).where(Evaluation.interaction_id == interaction_id,
                                     Evaluation.kind == EvaluationKind.AUTO).order_by(Evaluation.id.desc()))
    evaluation = session.scalars(stmt).first()
    return {a.criterion_id: a.machine_answer for a in evaluation.answers} if evaluation else {}


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    return {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}


def session_results(session: Session, viewer: Viewer, calibration_id: int) -> SessionResults:
    """Everything the results page, the PDF and the XLSX show (refused while the viewer is blind)."""
    calibration = require_results(session, viewer, calibration_id)
    participants = session.execute(
        select(CalibrationParticipant, User).join(User, User.id == CalibrationParticipant.user_id)
        .where(CalibrationParticipant.session_id == calibration.id).order_by(User.role, User.name)
    ).all()
    people = [Person(u.id, u.name, u.role, p.completed_at, u.id == calibration.benchmark_user_id)
              for p, u in participants]
    submitted = {p.id: u.id for p, u in participants if p.completed_at is not None}
    answers = session.scalars(select(CalibrationAnswer).where(CalibrationAnswer.participant_id.in_(submitted)))
    given: dict[tuple[int, str], dict[int, CalibrationAnswer]] = {}
    for a in answers:
        given.setdefault((a.item_id, a.criterion_id), {})[submitted[a.participant_id]] = a
    consensus = {(c.item_id, c.criterion_id): c for c in session.scalars(
        select(CalibrationConsensus).join(CalibrationItem, CalibrationItem.id == CalibrationConsensus.item_id)
        .where(CalibrationItem.session_id == calibration.id))}
    bench = calibration.benchmark_user_id
    raters = sorted(submitted.values())
    items: list[ItemResult] = []
    per_criterion: dict[str, dict[int, dict[int, str | None]]] = {}
    info: dict[str, CriterionInfo] = {}
    for item, interaction in session_items(session, calibration):
        machine = _machine_answers(session, interaction.id)
        rows = []
        for criterion in item_criteria(session, item, interaction):
            by = given.get((item.id, criterion.id), {})
            answer_of = {u: a.answer for u, a in by.items()}
            bench_answer = answer_of.get(bench) if bench is not None else None
            others = [v for u, v in answer_of.items() if u != bench and v is not None]
            present = [v for v in answer_of.values() if v is not None]
            rows.append(CriterionRow(
                criterion=criterion, answers=answer_of,
                comments={u: a.comment for u, a in by.items() if a.comment},
                distribution=Counter(present), benchmark_answer=bench_answer,
                agree_with_benchmark=sum(v == bench_answer for v in others) if bench_answer else 0,
                compared_with_benchmark=len(others) if bench_answer else 0,
                machine_answer=machine.get(criterion.id), consensus=consensus.get((item.id, criterion.id)),
                unanimous=len(set(present)) <= 1,
            ))
            per_criterion.setdefault(criterion.id, {})[item.id] = answer_of
            info.setdefault(criterion.id, criterion)
        scores = {u: _score(rows, {r.criterion.id: r.answers.get(u) for r in rows}) for u in raters}
        low_high, std = spread(scores.values())
        bench_score = scores.get(bench) if bench is not None else None
        items.append(ItemResult(
            item=item, interaction=interaction, rows=rows, scores=scores, spread=low_high, std=std,
            deviations={u: None if s is None or bench_score is None else round(s - bench_score, 2)
                        for u, s in scores.items()},
            machine_score=_score(rows, machine) if machine else None,
            ambiguous=low_high is not None and low_high > SPREAD_TARGET,
        ))
    criteria = []
    for criterion_id, units in per_criterion.items():
        criterion = info[criterion_id]
        figures = reliability(units, "nominal", bootstrap=BOOTSTRAP)
        agree = sum(r.agree_with_benchmark for i in items for r in i.rows if r.criterion.id == criterion_id)
        compared = sum(r.compared_with_benchmark for i in items for r in i.rows if r.criterion.id == criterion_id)
        target = SUBJECTIVE_TARGET if criterion.subjective else OBJECTIVE_TARGET
        rate = figures.percent_agreement
        criteria.append(CriterionSummary(criterion, figures, agree, compared, target,
                                         ambiguous=rate is not None and rate < target))
    pooled = {(i, c): by for c, units in per_criterion.items() for i, by in units.items()}
    score_units = {i.item.id: {u: s for u, s in i.scores.items() if s is not None} for i in items}
    names = _names(session, {calibration.facilitator_id, calibration.signed_off_by_id})
    results = SessionResults(
        calibration=calibration, people=people, items=items, criteria=criteria,
        overall=reliability(pooled, "nominal", bootstrap=BOOTSTRAP),
        scores=reliability(score_units, "interval", bootstrap=BOOTSTRAP),
        facilitator=names.get(calibration.facilitator_id or 0),
        signed_off_by=names.get(calibration.signed_off_by_id or 0),
    )
    for u in raters:
        if u == bench:
            continue
        pairs = [(r.answers.get(u), r.benchmark_answer) for i in items for r in i.rows
                 if r.benchmark_answer is not None and r.answers.get(u) is not None]
        results.person_agreement[u] = (sum(a == b for a, b in pairs), len(pairs))
        deviations = [d for i in items if (d := i.deviations.get(u)) is not None]
        results.person_deviation[u] = round(sum(deviations) / len(deviations), 2) if deviations else None
    return results


def record_consensus(
    session: Session, viewer: Viewer, calibration_id: int, item_id: int, decisions: dict[str, tuple[str | None, str]]
) -> int:
    """The facilitator records the agreed answer per criterion after the discussion (gold labels)."""
    calibration = require_results(session, viewer, calibration_id)
    if not is_facilitator(calibration, viewer):
        raise CalibrationForbidden("согласованный ответ записывает ведущий", "only the facilitator records consensus")
    item = session.scalar(select(CalibrationItem).where(CalibrationItem.id == item_id,
                                                        CalibrationItem.session_id == calibration.id))
    if item is None:
        raise CalibrationNotFound("элемент сессии не найден", "session item not found")
    known = {c.id: c for c in item_criteria(session, item, session.get_one(Interaction, item.interaction_id))}
    existing = {c.criterion_id: c for c in session.scalars(
        select(CalibrationConsensus).where(CalibrationConsensus.item_id == item.id))}
    saved = 0
    for criterion_id, (raw, note) in decisions.items():
        answer = valid_answer(raw)
        if criterion_id not in known or answer is None:
            continue
        check_scale(known[criterion_id], answer)
        row = existing.get(criterion_id)
        if row is None:
            row = CalibrationConsensus(item_id=item.id, criterion_id=criterion_id, answer=answer)
            session.add(row)
        row.answer, row.note = answer, note.strip() or None
        row.decided_by_id, row.decided_at = viewer.user_id, datetime.now(UTC)
        saved += 1
    if not saved:
        raise CalibrationError("выберите согласованный ответ хотя бы по одному критерию",
                               "choose the agreed answer for at least one criterion")
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="calibration.consensus",
           entity="calibration_session", entity_id=calibration.id, details={"item": item.id, "criteria": saved})
    # Consensus answers are gold labels: the AutoQA trust loop measures the machine against them at once.
    refresh_after_consensus(session, viewer.tenant_id, item.interaction_id, decisions.keys(), user_id=viewer.user_id)
    return saved


def can_sign_off(calibration: CalibrationSession, viewer: Viewer) -> bool:
    """The customer's lead: a customer reviewer who runs the session or is its benchmark."""
    return viewer.role == Role.CUSTOMER and viewer.user_id in (calibration.facilitator_id,
                                                                calibration.benchmark_user_id)


def sign_off(session: Session, viewer: Viewer, calibration_id: int) -> CalibrationSession:
    calibration = require_results(session, viewer, calibration_id)
    if not can_sign_off(calibration, viewer):
        raise CalibrationForbidden("подписывает отчёт ведущий представитель заказчика",
                                   "the customer's lead reviewer signs the report off")
    if calibration.signed_off_at is not None:
        raise CalibrationError("отчёт уже подписан", "the report is already signed off")
    now = datetime.now(UTC)
    calibration.signed_off_by_id, calibration.signed_off_at = viewer.user_id, now
    calibration.closed_at = calibration.closed_at or now
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="calibration.sign_off",
           entity="calibration_session", entity_id=calibration.id)
    return calibration


def agreement_interval(agree: int, compared: int) -> tuple[float | None, float | None]:
    return wilson(agree, compared)
