"""Calibration sessions: the facilitator picks items and invites people; each scores blind and submits.

Blindness is enforced here, not in the templates: `require_results` refuses (with
`CalibrationForbidden`, answered 403) anyone who would see others' answers — the machine's
included — before they have submitted or the facilitator has revealed the session.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from qa_service.core.errors import UserFacingError
from qa_service.db.models import (
    CalibrationAnswer,
    CalibrationItem,
    CalibrationParticipant,
    CalibrationSession,
    Interaction,
    Role,
    RubricVersion,
    Tenant,
    User,
)
from qa_service.services.access import Viewer, visible_interaction
from qa_service.services.audit import record
from qa_service.services.calibration.rubrics import chosen_versions
from qa_service.services.review.evaluations import ANSWERS, points_for

log = logging.getLogger(__name__)

FACILITATORS = (Role.ADMIN, Role.QA, Role.CUSTOMER)  # QA leads, and the customer's lead reviewer
PARTICIPANTS = (Role.ADMIN, Role.QA, Role.CUSTOMER)  # QA specialists and the customer's reviewers
LEADS = (Role.ADMIN, Role.QA)  # see every session of their tenant
# Judgement criteria (a person or a trained classifier decides): the standard allows them 80 %
# agreement instead of 90 %.  Every other kind is a checkable fact (a phrase, a time, a number).
SUBJECTIVE_KINDS = ("manual", "classifier")


class CalibrationError(UserFacingError):
    pass


class CalibrationNotFound(CalibrationError):
    pass


class CalibrationForbidden(CalibrationError):
    """A blind rule or a role rule refuses the request (HTTP 403)."""


@dataclass(frozen=True)
class CriterionInfo:
    id: str
    title: str
    section: str
    weight: float
    critical: bool
    subjective: bool
    scale: tuple[float, float, float] | None = None  # (min, max, step) of a scaled criterion

    def fraction(self, answer: str | None) -> str | float | None:
        """The answer as the scoring arithmetic takes it: a scaled number becomes its share of the weight."""
        if answer is None or answer in ANSWERS:
            return answer
        value = float(answer)
        if self.scale is None:
            return value
        low, high, _step = self.scale
        return (value - low) / (high - low)


def _scale(raw: object) -> tuple[float, float, float] | None:
    if not isinstance(raw, dict):
        return None
    low, high = float(raw.get("min", 0)), float(raw["max"])
    return (low, high, float(raw.get("step", 1))) if high > low else None


@lru_cache(maxsize=64)
def _outline(content: str) -> tuple[CriterionInfo, ...]:
    """The criteria of a rubric's YAML, read without compiling its phrases (no lemmatiser needed)."""
    data = yaml.safe_load(content) or {}
    result = []
    for section in data.get("sections") or []:
        for c in section.get("criteria") or []:
            kind = str((c.get("rule") or {}).get("kind", "manual"))
            result.append(CriterionInfo(
                id=str(c["id"]), title=str(c.get("title") or c["id"]), section=str(section.get("title", "")),
                weight=float(c.get("weight", 0)), critical=bool(c.get("critical", False)),
                subjective=kind in SUBJECTIVE_KINDS, scale=_scale(c.get("scale")),
            ))
    return tuple(result)


def item_criteria(session: Session, item: CalibrationItem, interaction: Interaction) -> tuple[CriterionInfo, ...]:
    """The criteria the item is scored on: its pinned rubric version, else the shipped standard of its channel."""
    # Imported here: the scoring service loads the lemmatiser, which the web pages never need.
    from qa_service.core.rubric import default_rubric_id
    from qa_service.services.ingestion.scoring import shipped_rubric_text

    version = session.get(RubricVersion, item.rubric_version_id) if item.rubric_version_id else None
    criteria = _outline(version.content) if version is not None else ()
    return criteria or _outline(shipped_rubric_text(default_rubric_id(interaction.channel.value)))


def valid_answer(value: str | None) -> str | None:
    """yes / no / na, a number for scaled criteria, or None (not answered yet)."""
    value = (value or "").strip().lower() or None
    if value is None or value in ANSWERS:
        return value
    if points_for(value, 1.0) is None:
        raise CalibrationError(f"недопустимый ответ {value!r}", f"invalid answer {value!r}")
    return value


def check_scale(criterion: CriterionInfo, value: str | None) -> None:
    """A scaled criterion takes a number within its range (or n/a); the others yes/no/n/a."""
    if value is None or value in ANSWERS:
        return
    if criterion.scale is None:
        raise CalibrationError(f"«{criterion.title}»: ответ да, нет или н/п",
                               f"“{criterion.title}”: answer yes, no or n/a")
    low, high, _step = criterion.scale
    if not low <= float(value) <= high:
        raise CalibrationError(f"«{criterion.title}»: число от {low:g} до {high:g}",
                               f"“{criterion.title}”: a number from {low:g} to {high:g}")


# --- who sees what -------------------------------------------------------------------------------

def participant_of(session: Session, calibration_id: int, user_id: int) -> CalibrationParticipant | None:
    return session.scalar(select(CalibrationParticipant).where(
        CalibrationParticipant.session_id == calibration_id, CalibrationParticipant.user_id == user_id))


def get_session(session: Session, viewer: Viewer, calibration_id: int) -> CalibrationSession:
    """The session if `viewer` takes part in it, runs it, or is a QA lead of its tenant."""
    row = session.scalar(select(CalibrationSession).where(
        CalibrationSession.id == calibration_id, CalibrationSession.tenant_id == viewer.tenant_id))
    if row is not None and (viewer.role in LEADS or row.facilitator_id == viewer.user_id
                            or participant_of(session, row.id, viewer.user_id) is not None):
        return row
    raise CalibrationNotFound("сессия калибровки не найдена", "calibration session not found")


def is_facilitator(calibration: CalibrationSession, viewer: Viewer) -> bool:
    return calibration.facilitator_id == viewer.user_id or viewer.role == Role.ADMIN


def results_visible(session: Session, viewer: Viewer, calibration: CalibrationSession) -> bool:
    """Blind rule: after the facilitator reveals; for a participant after they submit; for a
    non-participating lead or facilitator at once (they score nothing, so nothing can sway them)."""
    if calibration.revealed_at is not None:
        return True
    participant = participant_of(session, calibration.id, viewer.user_id)
    if participant is not None:
        return participant.completed_at is not None
    return viewer.role in LEADS or calibration.facilitator_id == viewer.user_id


def require_results(session: Session, viewer: Viewer, calibration_id: int) -> CalibrationSession:
    calibration = get_session(session, viewer, calibration_id)
    if not results_visible(session, viewer, calibration):
        raise CalibrationForbidden(
            "ответы других участников и машины видны только после отправки ваших ответов или раскрытия сессии",
            "others' answers, the machine's included, are shown only after you submit or the session is revealed",
        )
    return calibration


# --- listing and creating ------------------------------------------------------------------------

def list_sessions(session: Session, viewer: Viewer) -> list[tuple[CalibrationSession, CalibrationParticipant | None]]:
    """Sessions `viewer` may open (with their own participation), newest first."""
    mine = select(CalibrationParticipant.session_id).where(CalibrationParticipant.user_id == viewer.user_id)
    stmt = select(CalibrationSession).where(CalibrationSession.tenant_id == viewer.tenant_id)
    if viewer.role not in LEADS:
        stmt = stmt.where(or_(CalibrationSession.id.in_(mine), CalibrationSession.facilitator_id == viewer.user_id))
    rows = list(session.scalars(stmt.order_by(CalibrationSession.created_at.desc(), CalibrationSession.id.desc())))
    return [(row, participant_of(session, row.id, viewer.user_id)) for row in rows]


def pending_count(session: Session, viewer: Viewer) -> int:
    """Open sessions in which `viewer` still has to submit: the nav shows it."""
    stmt = (select(func.count()).select_from(CalibrationParticipant)
            .join(CalibrationSession, CalibrationSession.id == CalibrationParticipant.session_id)
            .where(CalibrationParticipant.user_id == viewer.user_id, CalibrationParticipant.completed_at.is_(None),
                   CalibrationSession.tenant_id == viewer.tenant_id, CalibrationSession.closed_at.is_(None)))
    return int(session.scalar(stmt) or 0)


def eligible_participants(session: Session, viewer: Viewer) -> list[User]:
    stmt = select(User).where(User.tenant_id == viewer.tenant_id, User.active.is_(True), User.role.in_(PARTICIPANTS))
    return list(session.scalars(stmt.order_by(User.role, User.name)))


def create_session(
    session: Session, viewer: Viewer, *, title: str, due_at: datetime | None, interaction_ids: Sequence[int],
    participant_ids: Sequence[int], benchmark_id: int | None = None, selection: Mapping[str, Any] | None = None,
    drawn_by_rule: bool = False, rubric_version_ids: Mapping[str, int] | None = None,
) -> CalibrationSession:
    """A new session; items pinned to the chosen rubric version of their channel (by default the
    channel's current one); participants invited.

    `drawn_by_rule`: the ids come from `pick_interactions` (not typed by the user), so they are
    checked against the tenant only — a customer's lead may draw from the airline's interactions.
    """
    if viewer.role not in FACILITATORS:
        raise CalibrationForbidden("создать сессию может руководитель контроля качества или заказчика",
                                   "only a QA lead or the customer's lead reviewer creates sessions")
    title = title.strip()
    if not title:
        raise CalibrationError("укажите название сессии", "give the session a title")
    ids = list(dict.fromkeys(interaction_ids))
    if drawn_by_rule:
        interactions = [session.scalar(select(Interaction).where(
            Interaction.id == i, Interaction.tenant_id == viewer.tenant_id)) for i in ids]
    else:
        interactions = [visible_interaction(session, viewer, i) for i in ids]
    if not ids or any(i is None for i in interactions):
        raise CalibrationError("выберите взаимодействия из списка (доступные вам)",
                               "pick interactions from the list (ones you can see)")
    people = {u.id: u for u in eligible_participants(session, viewer)}
    chosen = list(dict.fromkeys(participant_ids))
    if len(chosen) < 2 or any(p not in people for p in chosen):
        raise CalibrationError("пригласите хотя бы двух участников: контролёров и представителей заказчика",
                               "invite at least two participants: QA specialists and customer reviewers")
    if benchmark_id is None:
        benchmark_id = next((p for p in chosen if people[p].role == Role.CUSTOMER), chosen[0])
    if benchmark_id not in chosen:
        raise CalibrationError("эталонный участник должен быть среди приглашённых",
                               "the benchmark participant must be one of the invited")
    try:
        pinned = chosen_versions(session, viewer, rubric_version_ids or {})
    except UserFacingError as error:
        raise CalibrationError(error.ru, error.en) from None
    calibration = CalibrationSession(
        tenant_id=viewer.tenant_id, title=title[:200], due_at=due_at, created_by_id=viewer.user_id,
        facilitator_id=viewer.user_id, benchmark_user_id=benchmark_id, selection=dict(selection or {"rule": "manual"}),
    )
    session.add(calibration)
    session.flush()
    from qa_service.services.ingestion.scoring import current_rubric_version  # loads the lemmatiser: only when creating

    for interaction in interactions:
        assert interaction is not None
        version = pinned.get(interaction.channel.value) or current_rubric_version(
            session, viewer.tenant_id, interaction.channel.value)
        session.add(CalibrationItem(session_id=calibration.id, interaction_id=interaction.id,
                                    rubric_version_id=version.id))
    session.add_all(CalibrationParticipant(session_id=calibration.id, user_id=p) for p in chosen)
    session.flush()
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="calibration.create",
           entity="calibration_session", entity_id=calibration.id,
           details={"items": ids, "participants": chosen, "benchmark": benchmark_id,
                    "rubric_versions": {c: v.id for c, v in pinned.items()}})
    return calibration


# --- the deadline --------------------------------------------------------------------------------

def local_due(session: Session, calibration: CalibrationSession) -> str:
    """The deadline as people read it: in the tenant's time zone, never UTC."""
    if calibration.due_at is None:
        return "—"
    tenant = session.get(Tenant, calibration.tenant_id)
    try:
        zone = ZoneInfo(tenant.timezone if tenant is not None and tenant.timezone else "Europe/Moscow")
    except (ValueError, KeyError):
        zone = ZoneInfo("Europe/Moscow")
    return calibration.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def is_overdue(calibration: CalibrationSession, now: datetime | None = None) -> bool:
    return calibration.due_at is not None and (now or datetime.now(UTC)) > calibration.due_at


def _require_open(session: Session, calibration: CalibrationSession, now: datetime | None) -> None:
    """Answers are taken until the end of the deadline day; after it only an extension reopens them."""
    if calibration.closed_at is not None:
        raise CalibrationError("сессия закрыта", "the session is closed")
    if is_overdue(calibration, now):
        due = local_due(session, calibration)
        raise CalibrationError(
            f"срок сессии истёк ({due}): ответы больше не принимаются; ведущий может продлить срок",
            f"the session's deadline has passed ({due}): answers are no longer accepted; "
            "the facilitator can extend it",
        )


def facilitated_session(session: Session, viewer: Viewer, calibration_id: int) -> CalibrationSession:
    """The session, when `viewer` facilitates it; checked before a form is read, so others learn nothing."""
    calibration = get_session(session, viewer, calibration_id)
    if not is_facilitator(calibration, viewer):
        raise CalibrationForbidden("продлить срок может только ведущий", "only the facilitator extends the deadline")
    return calibration


def extend_deadline(session: Session, viewer: Viewer, calibration_id: int, due_at: datetime,
                    now: datetime | None = None) -> CalibrationSession:
    """The facilitator moves the deadline to a later moment (still in the future)."""
    calibration = facilitated_session(session, viewer, calibration_id)
    if due_at <= (now or datetime.now(UTC)):
        raise CalibrationError("новый срок должен быть в будущем", "the new deadline must be in the future")
    previous = calibration.due_at
    calibration.due_at = due_at
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="calibration.extend",
           entity="calibration_session", entity_id=calibration.id,
           details={"from": previous.isoformat() if previous else None, "to": due_at.isoformat()})
    return calibration


# --- scoring -------------------------------------------------------------------------------------

def session_items(session: Session, calibration: CalibrationSession) -> list[tuple[CalibrationItem, Interaction]]:
    stmt = (select(CalibrationItem, Interaction).join(Interaction, Interaction.id == CalibrationItem.interaction_id)
            .where(CalibrationItem.session_id == calibration.id).order_by(CalibrationItem.id))
    return [(i, x) for i, x in session.execute(stmt).all()]


def my_answers(session: Session, participant: CalibrationParticipant) -> dict[tuple[int, str], CalibrationAnswer]:
    """(item id, criterion id) -> the participant's own answer."""
    stmt = select(CalibrationAnswer).where(CalibrationAnswer.participant_id == participant.id)
    return {(a.item_id, a.criterion_id): a for a in session.scalars(stmt)}


def _participant(session: Session, viewer: Viewer, calibration_id: int) -> tuple[CalibrationSession,
                                                                                  CalibrationParticipant]:
    calibration = get_session(session, viewer, calibration_id)
    participant = participant_of(session, calibration.id, viewer.user_id)
    if participant is None:
        raise CalibrationForbidden("вы не участник этой сессии", "you are not a participant of this session")
    return calibration, participant


def save_answers(
    session: Session, viewer: Viewer, calibration_id: int, item_id: int,
    answers: Mapping[str, tuple[str | None, str]], now: datetime | None = None,
) -> int:
    """Save the participant's draft answers (criterion -> (answer, comment)) for one item."""
    calibration, participant = _participant(session, viewer, calibration_id)
    if participant.completed_at is not None:
        raise CalibrationError("ответы уже отправлены", "your answers are already submitted")
    _require_open(session, calibration, now)
    item = next((i for i, _x in session_items(session, calibration) if i.id == item_id), None)
    if item is None:
        raise CalibrationNotFound("элемент сессии не найден", "session item not found")
    interaction = session.get_one(Interaction, item.interaction_id)
    known = {c.id: c for c in item_criteria(session, item, interaction)}
    existing = my_answers(session, participant)
    saved = 0
    for criterion_id, (raw, comment) in answers.items():
        if criterion_id not in known:
            continue
        value = valid_answer(raw)
        check_scale(known[criterion_id], value)
        row = existing.get((item.id, criterion_id))
        if row is None:
            row = CalibrationAnswer(participant_id=participant.id, item_id=item.id, criterion_id=criterion_id)
            session.add(row)
        row.answer, row.comment, row.updated_at = value, comment.strip() or None, datetime.now(UTC)
        saved += 1
    session.flush()
    return saved


def missing_answers(session: Session, calibration: CalibrationSession, participant: CalibrationParticipant
                    ) -> list[tuple[Interaction, CriterionInfo]]:
    answered = {k for k, a in my_answers(session, participant).items() if a.answer is not None}
    return [(x, c) for item, x in session_items(session, calibration)
            for c in item_criteria(session, item, x) if (item.id, c.id) not in answered]


def submit(session: Session, viewer: Viewer, calibration_id: int, now: datetime | None = None
           ) -> CalibrationParticipant:
    """Submit every answer: from now on the participant sees the results (and can change nothing)."""
    calibration, participant = _participant(session, viewer, calibration_id)
    if participant.completed_at is not None:
        raise CalibrationError("ответы уже отправлены", "your answers are already submitted")
    _require_open(session, calibration, now)
    missing = missing_answers(session, calibration, participant)
    if missing:
        interaction, criterion = missing[0]
        raise CalibrationError(
            f"не отвечено {len(missing)} критериев, например «{criterion.title}» ({interaction.external_id})",
            f"{len(missing)} criteria unanswered, e.g. “{criterion.title}” ({interaction.external_id})",
        )
    for answer in my_answers(session, participant).values():
        answer.submitted = True
    participant.completed_at = datetime.now(UTC)
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="calibration.submit",
           entity="calibration_session", entity_id=calibration.id)
    return participant


def reveal(session: Session, viewer: Viewer, calibration_id: int) -> CalibrationSession:
    """The facilitator opens the results to every participant (discussion time)."""
    calibration = get_session(session, viewer, calibration_id)
    if not is_facilitator(calibration, viewer):
        raise CalibrationForbidden("раскрыть ответы может только ведущий", "only the facilitator reveals answers")
    if calibration.revealed_at is None:
        calibration.revealed_at = datetime.now(UTC)
        record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="calibration.reveal",
               entity="calibration_session", entity_id=calibration.id)
    return calibration


def participants(session: Session, calibration: CalibrationSession) -> list[tuple[CalibrationParticipant, User]]:
    """Who is invited and whether they submitted (never their answers: that is the results' business)."""
    stmt = (select(CalibrationParticipant, User).join(User, User.id == CalibrationParticipant.user_id)
            .where(CalibrationParticipant.session_id == calibration.id).order_by(User.role, User.name))
    return [(p, u) for p, u in session.execute(stmt).all()]
