"""The interaction list: filters, sorting, keyset pagination and transcript search.

Keyset pagination (`WHERE (started_at, id) < (:last_started, :last_id)`) costs the same on
page 1 and page 10 000, backed by `ix_interactions_tenant_started`.  Search uses PostgreSQL
full-text with the Russian configuration (stemming: «билеты» finds «билет»); on SQLite,
the embedded default, it falls back to a substring match.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from qa_service.db.models import Agent, CriterionAnswer, Evaluation, Interaction, Team, Turn
from qa_service.services.access import Viewer, scope_interactions
from qa_service.services.calibration_blind import blind_interactions

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


@dataclass
class ListPage:
    rows: list[ListRow] = field(default_factory=list)
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, list) and len(values) == 2 else None


def _text_condition(session: Session, text: str) -> ColumnElement[bool]:
    matches: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        matches = func.to_tsvector("russian", Turn.text).op("@@")(func.plainto_tsquery("russian", text))
    else:
        # SQLite's LIKE folds only ASCII case: try the words as typed and capitalised.
        matches = or_(Turn.text.contains(text), Turn.text.contains(text[:1].upper() + text[1:]))
    return exists(select(Turn.id).where(Turn.interaction_id == Interaction.id, matches))


def _criterion_failed(criterion_id: str) -> ColumnElement[bool]:
    return exists(
        select(CriterionAnswer.id)
        .join(Evaluation, Evaluation.id == CriterionAnswer.evaluation_id)
        .where(
            Evaluation.interaction_id == Interaction.id,
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
    session: Session, viewer: Viewer, filters: ListFilters, cursor: str | None = None, limit: int = PAGE_SIZE
) -> ListPage:
    """One page of the interactions `viewer` may see, matching `filters`."""
    sort = filters.sort if filters.sort in SORTS else "newest"
    stmt = (
        select(Interaction, Agent.name, Team.name)
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
    last = decode_cursor(cursor) if cursor else None
    if last is not None:
        value = datetime.fromisoformat(last[0]) if sort in ("newest", "oldest") else float(last[0])
        last_id = int(last[1])
        if descending:
            stmt = stmt.where(or_(column < value, and_(column == value, Interaction.id < last_id)))
        else:
            stmt = stmt.where(or_(column > value, and_(column == value, Interaction.id > last_id)))
    order = (column.desc(), Interaction.id.desc()) if descending else (column.asc(), Interaction.id.asc())
    result = session.execute(stmt.order_by(*order).limit(limit + 1)).all()
    rows = [ListRow(r[0], r[1], r[2]) for r in result[:limit]]
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
