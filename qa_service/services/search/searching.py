"""Search turns by what was said, within what the viewer may see.

The tenant and role scope of the interaction list (`scope_interactions`) applies, its
filters too (`apply_filters`), and the same two rules: a role that does not see evaluations
is refused score filters, and filtering by score leaves out what the viewer scores blind
in calibration.  A hit is a turn holding every phrase of the query; a conversation holding
an excluded phrase anywhere is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, distinct, exists, func, select
from sqlalchemy.orm import Session, aliased

from qa_service.core.errors import UserFacingError
from qa_service.core.search.query import SearchQuery, parse_query
from qa_service.core.search.snippets import Segment, snippet, snippet_text
from qa_service.db.models import Agent, Interaction, Turn
from qa_service.services.access import Viewer
from qa_service.services.access import scope_interactions as scope
from qa_service.services.calibration.blind import blind_interactions
from qa_service.services.interactions.listing import ListFilters, apply_filters, refuse_hidden_filters
from qa_service.services.search.backends import turn_matches

SPEAKERS = ("agent", "customer")
PAGE_SIZE = 50
MAX_PAGE = 500


@dataclass
class SearchFilters:
    """Where in a conversation to look (speaker, the first N seconds or messages) and which ones (the list's)."""

    speaker: str | None = None
    first_seconds: float | None = None
    first_messages: int | None = None
    conversations: ListFilters = field(default_factory=ListFilters)


@dataclass(frozen=True)
class SearchHit:
    interaction_id: int
    external_id: str
    channel: str
    started_at: datetime
    agent_name: str | None
    turn: int
    speaker: str
    start: float | None
    snippet: tuple[Segment, ...]

    def to_json(self) -> dict[str, Any]:
        """The contract's hit: interaction_id, external_id, channel, turn, speaker, start, snippet."""
        return {
            "interaction_id": self.interaction_id, "external_id": self.external_id, "channel": self.channel,
            "turn": self.turn, "speaker": self.speaker, "start": self.start, "snippet": snippet_text(self.snippet),
        }


@dataclass
class SearchResult:
    query: SearchQuery
    total: int = 0  # matching turns
    conversations: int = 0
    hits: list[SearchHit] = field(default_factory=list)
    by_day: list[tuple[str, int]] = field(default_factory=list)  # conversations per UTC day, newest first
    by_agent: list[tuple[str | None, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "hits": [hit.to_json() for hit in self.hits]}


def _checked(filters: SearchFilters) -> None:
    if filters.speaker is not None and filters.speaker not in SPEAKERS:
        raise UserFacingError(f"speaker: ожидается agent или customer, а не {filters.speaker!r}",
                              f"speaker: expected agent or customer, not {filters.speaker!r}")
    if filters.first_seconds is not None and not filters.first_seconds > 0:
        raise UserFacingError("first-seconds: ожидается положительное число секунд",
                              "first-seconds: expected a positive number of seconds")
    if filters.first_messages is not None and filters.first_messages <= 0:
        raise UserFacingError("first-messages: ожидается положительное число",
                              "first-messages: expected a positive number")


def _turn_conditions(session: Session, query: SearchQuery, filters: SearchFilters) -> list[ColumnElement[bool]]:
    conditions = [turn_matches(session, Turn, query.phrases)]
    if filters.speaker:
        conditions.append(Turn.speaker == filters.speaker)
    if filters.first_seconds is not None:
        conditions.append(and_(Turn.start.is_not(None), Turn.start < filters.first_seconds))
    if filters.first_messages is not None:
        conditions.append(Turn.position < filters.first_messages)
    if query.excluded:
        other = aliased(Turn)
        conditions.append(~exists(select(other.id).where(
            other.interaction_id == Interaction.id, turn_matches(session, other, query.excluded, any_of=True))))
    return conditions


def matching_turns(session: Session, viewer: Viewer, query: SearchQuery, filters: SearchFilters) -> Any:
    """The select of (Turn, Interaction, agent name) rows matching, within the viewer's scope."""
    _checked(filters)
    refuse_hidden_filters(viewer, filters.conversations)
    stmt = (
        select(Turn.position, Turn.speaker, Turn.start, Turn.text, Interaction.id, Interaction.external_id,
               Interaction.channel, Interaction.started_at, Agent.name)
        .join(Interaction, Interaction.id == Turn.interaction_id)
        .outerjoin(Agent, Agent.id == Interaction.agent_id)
    )
    stmt = apply_filters(session, scope(stmt, viewer), filters.conversations)
    f = filters.conversations
    if any(v is not None for v in (f.score_min, f.score_max, f.failed_critical, f.needs_review, f.reviewed,
                                   f.criterion_failed)):
        # Calibration blind rule: a filter by score would reveal what the viewer scores blind.
        stmt = stmt.where(Interaction.id.not_in(blind_interactions(viewer)))
    return stmt.where(*_turn_conditions(session, query, filters))


def search(
    session: Session, viewer: Viewer, typed: str, filters: SearchFilters | None = None, *, limit: int = PAGE_SIZE
) -> SearchResult:
    """Search what the viewer may see; the newest conversations first, turns in their order."""
    query = parse_query(typed)
    filters = filters or SearchFilters()
    limit = max(1, min(limit, MAX_PAGE))
    stmt = matching_turns(session, viewer, query, filters)
    found = stmt.subquery()
    result = SearchResult(query=query)
    # One grouped scan for every count: a conversation has one day and one agent, so the distinct
    # counts of the (day, agent) groups add up to the per-day, per-agent and overall counts.
    day = func.date(found.c.started_at)
    groups = session.execute(
        select(day, found.c.name, func.count(), func.count(distinct(found.c.id))).group_by(day, found.c.name)
    ).all()
    by_day: dict[str, int] = {}
    by_agent: dict[str | None, int] = {}
    for d, name, turns, conversations in groups:
        result.total += turns
        result.conversations += conversations
        by_day[str(d)] = by_day.get(str(d), 0) + conversations
        by_agent[name] = by_agent.get(name, 0) + conversations
    result.by_day = sorted(by_day.items(), reverse=True)[:60]
    result.by_agent = sorted(by_agent.items(), key=lambda item: (-item[1], item[0] or ""))[:50]
    if not result.total:
        return result
    rows = session.execute(
        stmt.order_by(Interaction.started_at.desc(), Interaction.id.desc(), Turn.position).limit(limit)
    ).all()
    result.hits = [
        SearchHit(r.id, r.external_id, r.channel.value, r.started_at, r.name, r.position, r.speaker, r.start,
                  tuple(snippet(r.text, query.phrases)))
        for r in rows
    ]
    return result
