"""The interaction list: filters, sorting, keyset pagination and transcript search.

Keyset pagination (`WHERE (started_at, id) < (:last_started, :last_id)`) costs the same on
page 1 and page 10 000, backed by `ix_interactions_tenant_started`.  Search uses PostgreSQL
full-text with the Russian configuration (stemming: «билеты» finds «билет»); on SQLite,
the embedded default, it falls back to a substring match.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from qa_service.config import Settings
from qa_service.core import json_input
from qa_service.core.errors import UserFacingError
from qa_service.core.interaction import parse_time
from qa_service.core.json_input import INT4_MAX
from qa_service.db.models import (
    Agent,
    CriterionAnswer,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    Interaction,
    Role,
    Rubric,
    RubricVersion,
    Team,
    Turn,
)
from qa_service.db.session import session_factory
from qa_service.services.access import Viewer, scope_interactions
from qa_service.services.calibration.blind import (
    blind_interaction_ids,
    blind_interactions,
    is_blind,
)

SORTS = ("newest", "oldest", "score_asc", "score_desc")
PAGE_SIZE = 50


@dataclass
class ListFilters:
    date_from: datetime | None = None
    date_to: datetime | None = None
    channel: str | None = None
    agent_id: int | None = None
    team_id: int | None = None
    queue: str | None = None
    topic: str | None = None
    score_min: float | None = None
    score_max: float | None = None
    failed_critical: bool | None = None
    needs_review: bool | None = None
    reviewed: bool | None = None
    criterion_failed: str | None = None
    text: str | None = None
    sort: str = "newest"


@dataclass
class ListRow:
    interaction: Interaction
    agent_name: str | None
    team_name: str | None
    agent_external_id: str | None = None


@dataclass
class ListPage:
    rows: list[ListRow] = field(default_factory=list)
    next_cursor: str | None = None


class BadCursor(UserFacingError):
    """A `cursor` that this service did not hand out."""


# The one keyset cursor codec (UI pages and the API): an opaque [sort value, id] pair.
def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        # Strict: a forged cursor may be deep, non-UTF-8, or carry NaN and NUL.
        values = json_input.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, UserFacingError):
        return None
    return values if isinstance(values, list) and len(values) == 2 else None


def _cursor_position(cursor: str, sort: str) -> tuple[Any, int] | None:
    """The (sort value, id) a cursor points after, or None when it is not one of ours."""
    last = decode_cursor(cursor)
    if last is None:
        return None
    try:
        value = parse_time(last[0], "cursor") if sort in ("newest", "oldest") else float(last[0])
        row_id = last[1]
    except (ValueError, TypeError, UserFacingError):
        return None
    # Only what `encode_cursor` writes: an id within the key's int4, a finite score.
    if isinstance(row_id, bool) or not isinstance(row_id, int) or not 0 <= row_id <= INT4_MAX:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value, row_id


def _text_condition(session: Session, text: str) -> ColumnElement[bool]:
    matches: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        matches = func.to_tsvector("russian", Turn.text).op("@@")(func.plainto_tsquery("russian", text))
    else:
        # SQLite's LIKE folds only ASCII case: try the words as typed and capitalised.
        matches = or_(Turn.text.contains(text), Turn.text.contains(text[:1].upper() + text[1:]))
    return exists(select(Turn.id).where(Turn.interaction_id == Interaction.id, matches))


def _criterion_failed(criterion_id: str) -> ColumnElement[bool]:
    """The criterion is failed in the evaluation that counts now: the last submitted human review,
    else the machine's — a reviewer's «yes» over the machine's «no» takes the row out, and a draft
    changes nothing until it is submitted."""
    review = (
        select(func.max(Evaluation.id))
        .where(
            Evaluation.interaction_id == Interaction.id,
            Evaluation.kind == EvaluationKind.REVIEW,
            Evaluation.status != EvaluationStatus.DRAFT,
        )
        .correlate(Interaction)  # two levels down: auto-correlation would look only one level up
        .scalar_subquery()
    )
    auto = (
        select(func.max(Evaluation.id))
        .where(Evaluation.interaction_id == Interaction.id, Evaluation.kind == EvaluationKind.AUTO)
        .correlate(Interaction)
        .scalar_subquery()
    )
    return exists(
        select(CriterionAnswer.id).where(
            CriterionAnswer.evaluation_id == func.coalesce(review, auto),
            CriterionAnswer.criterion_id == criterion_id,
            CriterionAnswer.answer == "no",
        )
    )


def _apply_filters(session: Session, stmt: Any, f: ListFilters) -> Any:
    conditions: list[ColumnElement[bool]] = []
    if f.date_from:
        conditions.append(Interaction.started_at >= f.date_from)
    if f.date_to:
        conditions.append(Interaction.started_at < f.date_to)
    if f.channel:
        conditions.append(Interaction.channel == f.channel)
    if f.agent_id:
        conditions.append(Interaction.agent_id == f.agent_id)
    if f.team_id:
        conditions.append(Agent.team_id == f.team_id)
    if f.queue:
        conditions.append(Interaction.queue == f.queue)
    if f.topic:
        conditions.append(Interaction.topic == f.topic)
    if f.score_min is not None:
        conditions.append(Interaction.score >= f.score_min)
    if f.score_max is not None:
        conditions.append(Interaction.score <= f.score_max)
    if f.failed_critical is not None:
        conditions.append(Interaction.failed_critical.is_(f.failed_critical))
    if f.needs_review is not None:
        conditions.append(Interaction.needs_review.is_(f.needs_review))
    if f.reviewed is not None:
        conditions.append(Interaction.reviewed.is_(f.reviewed))
    if f.criterion_failed:
        conditions.append(_criterion_failed(f.criterion_failed))
    if f.text and f.text.strip():
        conditions.append(_text_condition(session, f.text.strip()))
    return stmt.where(and_(*conditions)) if conditions else stmt


def apply_filters(session: Session, stmt: Any, filters: ListFilters) -> Any:
    """The list's filters on any select joined to `Interaction` and `Agent` (the search page reuses them)."""
    return _apply_filters(session, stmt, filters)


def _reads_evaluations(f: ListFilters, sort: str) -> bool:
    """Whether the filters or the sort depend on an evaluation (score, flags, failed criterion)."""
    return sort in ("score_asc", "score_desc") or any(v is not None for v in (
        f.score_min, f.score_max, f.failed_critical, f.needs_review, f.reviewed, f.criterion_failed))


def _sort_key(sort: str) -> tuple[Any, bool]:
    """(primary column, descending?) — the id breaks ties in the same direction.

    Score sorts list the scored interactions only, so they page on the plain index
    `ix_interactions_tenant_score` (NULLs would need an expression index).
    """
    if sort == "oldest":
        return Interaction.started_at, False
    if sort == "score_asc":
        return Interaction.score, False
    if sort == "score_desc":
        return Interaction.score, True
    return Interaction.started_at, True


def _cursor_value(row: Interaction, sort: str) -> Any:
    if sort in ("score_asc", "score_desc"):
        return row.score
    return row.started_at.isoformat()


def list_interactions(
    session: Session,
    viewer: Viewer,
    filters: ListFilters,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    *,
    strict_cursor: bool = False,
) -> ListPage:
    """One page of the interactions `viewer` may see, matching `filters`.

    A cursor that is not ours starts from the first page in the UI (a stale bookmark);
    the API (`strict_cursor`) refuses it with `BadCursor`.
    """
    refuse_hidden_filters(viewer, filters)
    sort = filters.sort if filters.sort in SORTS else "newest"
    stmt = (
        select(Interaction, Agent.name, Team.name, Agent.external_id)
        .outerjoin(Agent, Agent.id == Interaction.agent_id)
        .outerjoin(Team, Team.id == Agent.team_id)
    )
    stmt = _apply_filters(session, scope_interactions(stmt, viewer), filters)
    if _reads_evaluations(filters, sort):
        # Calibration blind rule: a filter or sort by score would reveal what the viewer scores blind.
        stmt = stmt.where(Interaction.id.not_in(blind_interactions(viewer)))
    column, descending = _sort_key(sort)
    if sort in ("score_asc", "score_desc"):
        stmt = stmt.where(Interaction.score.is_not(None))
    position = _cursor_position(cursor, sort) if cursor else None
    if cursor and position is None and strict_cursor:
        raise BadCursor("cursor: не из этого списка", "cursor: not one this list handed out")
    if position is not None:
        value, last_id = position
        if descending:
            stmt = stmt.where(or_(column < value, and_(column == value, Interaction.id < last_id)))
        else:
            stmt = stmt.where(or_(column > value, and_(column == value, Interaction.id > last_id)))
    order = (column.desc(), Interaction.id.desc()) if descending else (column.asc(), Interaction.id.asc())
    result = session.execute(stmt.order_by(*order).limit(limit + 1)).all()
    rows = [ListRow(r[0], r[1], r[2], r[3]) for r in result[:limit]]
    page = ListPage(rows=rows)
    if len(result) > limit:
        tail = rows[-1].interaction
        page.next_cursor = encode_cursor([_cursor_value(tail, sort), tail.id])
    return page


def filter_options(session: Session, viewer: Viewer) -> dict[str, list[Any]]:
    """Agents, teams, queues and topics for the filter form, within the viewer's scope."""
    tenant = viewer.tenant_id
    agents = list(session.execute(select(Agent.id, Agent.name).where(Agent.tenant_id == tenant).order_by(Agent.name)))
    teams = list(session.execute(select(Team.id, Team.name).where(Team.tenant_id == tenant).order_by(Team.name)))
    queues = [q for q in session.scalars(
        select(Interaction.queue).where(Interaction.tenant_id == tenant, Interaction.queue.is_not(None)).distinct()
    )]
    topics = [t for t in session.scalars(
        select(Interaction.topic).where(Interaction.tenant_id == tenant, Interaction.topic.is_not(None)).distinct()
    )]
    criteria = sorted(set(session.scalars(
        select(CriterionAnswer.criterion_id)
        .join(Evaluation, Evaluation.id == CriterionAnswer.evaluation_id)
        .where(Evaluation.tenant_id == tenant)
        .distinct()
    )))
    return {"agents": agents, "teams": teams, "queues": sorted(queues), "topics": sorted(topics), "criteria": criteria}


# --- the REST API's reads (/api/v1/interactions): the same scope, filters and cursor as the UI ---------


def tenant_viewer(tenant_id: int) -> Viewer:
    """An integration token (or an admin/QA session on the API) reaches the whole tenant."""
    return Viewer(user_id=0, tenant_id=tenant_id, role=Role.ADMIN)


def _api_interaction_json(row: Interaction, agent_external_id: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "external_id": row.external_id,
        "source": row.source,
        "channel": row.channel.value,
        "direction": row.direction,
        "agent_id": agent_external_id,
        "queue": row.queue,
        "started_at": row.started_at.isoformat(),
        "ended_at": row.ended_at.isoformat() if row.ended_at else None,
        "topic": row.topic or row.topic_detected,
        "state": row.state.value,
        "state_reason": row.state_reason,
        "score": row.score,
        "failed_critical": row.failed_critical,
        "needs_review": row.needs_review,
        "reviewed": row.reviewed,
    }


WITHHELD_BLIND = "calibration_blind"  # the API's word for a score withheld from a blind participant


class BlindEvaluations(UserFacingError):
    """A person reads, through the API, the evaluations of an interaction they still score blind."""


def _withhold_scores(body: dict[str, Any]) -> dict[str, Any]:
    body.update(score=None, failed_critical=None, needs_review=None, reviewed=None, withheld=WITHHELD_BLIND)
    return body


def api_interactions_page(
    settings: Settings,
    tenant_id: int,
    *,
    channel: str | None = None,
    since: datetime | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    reader: Viewer | None = None,
) -> dict[str, Any]:
    """Newest first, keyset-paginated: `{"items": [...], "next": cursor or null}` (raises `BadCursor`).

    `reader` is the person behind a session (None for the airline's token): the scores of what
    they still score blind are withheld, as on every page.
    """
    filters = ListFilters(channel=channel, date_from=since, sort="newest")
    with session_factory(settings.sqlalchemy_url)() as session:
        page = list_interactions(session, tenant_viewer(tenant_id), filters, cursor, limit, strict_cursor=True)
        blind = (blind_interaction_ids(session, reader, [r.interaction.id for r in page.rows])
                 if reader is not None else frozenset())
        items = [_api_interaction_json(r.interaction, r.agent_external_id) for r in page.rows]
    items = [_withhold_scores(i) if i["id"] in blind else i for i in items]
    return {"items": items, "next": page.next_cursor}


def _owned(session: Session, tenant_id: int, interaction_id: int) -> Interaction | None:
    return session.scalar(
        select(Interaction)
        .where(Interaction.id == interaction_id, Interaction.tenant_id == tenant_id)
        .options(selectinload(Interaction.turns))
    )


def api_interaction(
    settings: Settings, tenant_id: int, interaction_id: int, reader: Viewer | None = None
) -> dict[str, Any] | None:
    """One interaction of the tenant with its redacted turns; None when it is not the tenant's."""
    with session_factory(settings.sqlalchemy_url)() as session:
        row = _owned(session, tenant_id, interaction_id)
        if row is None:
            return None
        agent = session.get(Agent, row.agent_id) if row.agent_id else None
        body = _api_interaction_json(row, agent.external_id if agent else None)
        if reader is not None and is_blind(session, reader, row.id):
            _withhold_scores(body)
        body["metrics"] = row.metrics
        body["quality"] = row.transcript_quality
        body["turns"] = [
            {
                "speaker": t.speaker,
                "text": t.text,
                "start": t.start,
                "end": t.end,
                "at": t.at.isoformat() if t.at else None,
                "subject": t.subject,
                "redactions": t.redactions or [],
            }
            for t in row.turns
        ]
    return body


def api_evaluations(
    settings: Settings, tenant_id: int, interaction_id: int, reader: Viewer | None = None
) -> list[dict[str, Any]] | None:
    """Every evaluation of the interaction in the contract's evaluation shape; None when it is not the tenant's."""
    with session_factory(settings.sqlalchemy_url)() as session:
        row = _owned(session, tenant_id, interaction_id)
        if row is None:
            return None
        if reader is not None and is_blind(session, reader, row.id):
            raise BlindEvaluations(
                "вы оцениваете это взаимодействие вслепую в сессии калибровки: оценки доступны после отправки "
                "ваших ответов", "you score this interaction blind in a calibration session: its evaluations are "
                "available after you submit your answers")
        evaluations = session.execute(
            select(Evaluation, Rubric.slug, RubricVersion.content_hash)
            .join(RubricVersion, RubricVersion.id == Evaluation.rubric_version_id)
            .join(Rubric, Rubric.id == RubricVersion.rubric_id)
            .where(Evaluation.interaction_id == row.id, Evaluation.tenant_id == tenant_id)
            .options(selectinload(Evaluation.answers))
            .order_by(Evaluation.id)
        ).all()
        return [_api_evaluation_json(row, e, slug, version) for e, slug, version in evaluations]


def _api_evaluation_json(row: Interaction, evaluation: Evaluation, slug: str, version: str) -> dict[str, Any]:
    return {
        "id": evaluation.id,
        "kind": evaluation.kind.value,
        "status": evaluation.status.value,
        "interaction": row.external_id,
        "rubric": {"id": slug, "version": version},
        "score": evaluation.score,
        "failed_critical": evaluation.failed_critical,
        "needs_review": evaluation.needs_review,
        "criteria": [
            {
                "id": a.criterion_id,
                "answer": a.answer,
                "points": a.points,
                "max_points": a.max_points,
                "critical": a.critical,
                "confidence": a.confidence,
                "reason": a.reason,
                "evidence": a.evidence,
                "machine_answer": a.machine_answer,
                "override_reason": a.override_reason,
            }
            for a in evaluation.answers
        ],
    }


class HiddenFilterError(UserFacingError):
    """A filter or sort on data the viewer's role may not see."""


# Filters and sorts that read evaluations.  Applied for a role that may not see evaluations they would
# still answer "which interactions scored below 50?" through the rows that come back: an oracle.
_EVALUATION_FILTERS = {
    "score_min": ("оценка от", "score from"), "score_max": ("оценка до", "score to"),
    "failed_critical": ("критическая ошибка", "critical failure"), "needs_review": ("нужна проверка", "needs review"),
    "reviewed": ("проверено", "reviewed"), "criterion_failed": ("невыполненный критерий", "failed criterion"),
}
_EVALUATION_SORTS = ("score_asc", "score_desc")


def refuse_hidden_filters(viewer: Viewer, filters: ListFilters) -> None:
    """Raise `HiddenFilterError` when `filters` use evaluations and `viewer` may not see them.

    Refused rather than silently dropped, so that nobody mistakes an unfiltered list for an answer.
    """
    if viewer.sees_evaluations:
        return
    used = [titles for name, titles in _EVALUATION_FILTERS.items() if getattr(filters, name) is not None]
    if filters.sort in _EVALUATION_SORTS:
        used.append(("сортировка по оценке", "sorting by score"))
    if used:
        raise HiddenFilterError(
            "Вашей роли недоступны оценки, поэтому нельзя отбирать по ним: " + ", ".join(ru for ru, _ in used),
            "Your role does not see evaluations, so it cannot filter by them: " + ", ".join(en for _, en in used),
        )
