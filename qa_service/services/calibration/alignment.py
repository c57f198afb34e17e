"""Grader alignment over time: each reviewer against the reference answer, session after session.

The reference of a criterion on an item is the consensus recorded after discussion, else the
benchmark participant's answer.  Per reviewer: share of answers equal to the reference (with
its Wilson interval and the number of answers), strictness (mean signed difference of their
total score from the reference score: negative = stricter), and the per-session trend.
Agreement is split as the standard splits its targets: ≥ 90 % on objective criteria (a checkable
fact: a phrase said, a time kept, a number) and ≥ 80 % on judgement criteria — those whose rule
is of kind `manual` or `classifier` (`services.calibration.sessions.SUBJECTIVE_KINDS`).  A reviewer is
flagged when, for either kind, even the interval's upper end is below its target: the shortfall
is not chance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from scipy.stats import linregress
from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.core.agreement import wilson
from qa_service.core.scoring.arithmetic import summarize
from qa_service.db.models import (
    CalibrationAnswer,
    CalibrationConsensus,
    CalibrationItem,
    CalibrationParticipant,
    CalibrationSession,
    Role,
    User,
)
from qa_service.services.access import Viewer
from qa_service.services.calibration.results import OBJECTIVE_TARGET, SUBJECTIVE_TARGET
from qa_service.services.calibration.sessions import item_criteria, results_visible, session_items

SEES_EVERYONE = (Role.ADMIN, Role.QA, Role.CUSTOMER)


@dataclass
class SessionPoint:
    session_id: int
    title: str
    when: datetime
    agree: int
    compared: int
    deviation: float | None
    # (agree, compared) on judgement criteria; the objective ones are the rest.
    judgement_agree: int = 0
    judgement_compared: int = 0

    @property
    def rate(self) -> float | None:
        return self.agree / self.compared if self.compared else None


@dataclass
class KindShare:
    """Agreement on one kind of criteria (objective or judgement) against that kind's target."""

    target: float
    agree: int = 0
    compared: int = 0
    low: float | None = None
    high: float | None = None

    @property
    def rate(self) -> float | None:
        return self.agree / self.compared if self.compared else None

    @property
    def flagged(self) -> bool:
        return self.high is not None and self.high < self.target


@dataclass
class Alignment:
    user_id: int
    name: str
    role: Role
    points: list[SessionPoint] = field(default_factory=list)
    agree: int = 0
    compared: int = 0
    low: float | None = None
    high: float | None = None
    strictness: float | None = None  # mean (their score − reference score); negative = stricter
    trend: float | None = None  # change of the agreement rate per session (least squares), ≥ 3 sessions
    flagged: bool = False
    objective: KindShare = field(default_factory=lambda: KindShare(OBJECTIVE_TARGET))
    judgement: KindShare = field(default_factory=lambda: KindShare(SUBJECTIVE_TARGET))

    @property
    def rate(self) -> float | None:
        return self.agree / self.compared if self.compared else None


def _session_points(session: Session, calibration: CalibrationSession) -> dict[int, SessionPoint]:
    participants = {p.id: p.user_id for p in session.scalars(select(CalibrationParticipant).where(
        CalibrationParticipant.session_id == calibration.id, CalibrationParticipant.completed_at.is_not(None)))}
    given: dict[tuple[int, str], dict[int, str | None]] = {}
    for a in session.scalars(select(CalibrationAnswer).where(CalibrationAnswer.participant_id.in_(participants))):
        given.setdefault((a.item_id, a.criterion_id), {})[participants[a.participant_id]] = a.answer
    consensus = {(c.item_id, c.criterion_id): c.answer for c in session.scalars(
        select(CalibrationConsensus).join(CalibrationItem, CalibrationItem.id == CalibrationConsensus.item_id)
        .where(CalibrationItem.session_id == calibration.id))}
    bench = calibration.benchmark_user_id
    points = {u: SessionPoint(calibration.id, calibration.title, calibration.created_at, 0, 0, None)
              for u in participants.values()}
    deviations: dict[int, list[float]] = {u: [] for u in participants.values()}
    for item, interaction in session_items(session, calibration):
        criteria = item_criteria(session, item, interaction)
        reference: dict[str, str | None] = {}
        for c in criteria:
            by = given.get((item.id, c.id), {})
            reference[c.id] = consensus.get((item.id, c.id)) or (by.get(bench) if bench is not None else None)
            for user, answer in by.items():
                from_consensus = (item.id, c.id) in consensus
                if reference[c.id] is None or answer is None or (user == bench and not from_consensus):
                    continue
                points[user].compared += 1
                points[user].agree += answer == reference[c.id]
                if c.subjective:
                    points[user].judgement_compared += 1
                    points[user].judgement_agree += answer == reference[c.id]
        if any(v is None for v in reference.values()):
            continue  # no full reference score for this item
        ref_score = summarize((c.fraction(reference[c.id]), c.weight, c.critical) for c in criteria).score
        for user in participants.values():
            theirs = [given.get((item.id, c.id), {}).get(user) for c in criteria]
            if ref_score is None or any(a is None for a in theirs):
                continue
            score = summarize((c.fraction(a), c.weight, c.critical)
                              for a, c in zip(theirs, criteria, strict=True)).score
            if score is not None:
                deviations[user].append(score - ref_score)
    for user, values in deviations.items():
        points[user].deviation = round(sum(values) / len(values), 2) if values else None
    return points


def grader_alignment(session: Session, viewer: Viewer) -> list[Alignment]:
    """Every reviewer's alignment across the tenant's sessions (only their own for other roles)."""
    sessions = session.scalars(select(CalibrationSession).where(CalibrationSession.tenant_id == viewer.tenant_id)
                               .order_by(CalibrationSession.created_at, CalibrationSession.id))
    people: dict[int, Alignment] = {}
    users = {u.id: u for u in session.scalars(select(User).where(User.tenant_id == viewer.tenant_id))}
    for calibration in sessions:
        # Blind rule: a session the viewer still has to score tells them nothing about the others.
        mine = session.scalar(select(CalibrationParticipant.id).where(
            CalibrationParticipant.session_id == calibration.id, CalibrationParticipant.user_id == viewer.user_id))
        if mine is not None and not results_visible(session, viewer, calibration):
            continue
        for user_id, point in _session_points(session, calibration).items():
            if viewer.role not in SEES_EVERYONE and user_id != viewer.user_id:
                continue
            user = users[user_id]
            row = people.setdefault(user_id, Alignment(user_id, user.name, user.role))
            if point.compared or point.deviation is not None:
                row.points.append(point)
    for row in people.values():
        row.agree = sum(p.agree for p in row.points)
        row.compared = sum(p.compared for p in row.points)
        row.low, row.high = wilson(row.agree, row.compared)
        row.judgement.agree = sum(p.judgement_agree for p in row.points)
        row.judgement.compared = sum(p.judgement_compared for p in row.points)
        row.objective.agree = row.agree - row.judgement.agree
        row.objective.compared = row.compared - row.judgement.compared
        for share in (row.objective, row.judgement):
            share.low, share.high = wilson(share.agree, share.compared)
        deviations = [p.deviation for p in row.points if p.deviation is not None]
        row.strictness = round(sum(deviations) / len(deviations), 2) if deviations else None
        rates = [p.rate for p in row.points if p.rate is not None]
        if len(rates) >= 3:
            row.trend = round(float(linregress(range(len(rates)), rates).slope), 4)
        row.flagged = row.objective.flagged or row.judgement.flagged
    return sorted(people.values(), key=lambda r: (r.rate is None, r.rate or 0.0))
