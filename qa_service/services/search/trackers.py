"""Trackers: saved searches that tag each interaction as it is scored, back-filled on demand.

A tracker's query is one or more search-box queries separated by `|`; it matches an
interaction when any of them matches one of its turns (said by `speaker`, when set).  A
match is one row of `tracker_matches`, written with INSERT … ON CONFLICT DO NOTHING on
(tracker, interaction), so concurrent workers scoring the same interaction tag it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from qa_service.config import Settings
from qa_service.core.search.query import SearchQuery, parse_query
from qa_service.db.models import Evaluation, Interaction, Tracker, TrackerMatch, Turn
from qa_service.db.session import transaction
from qa_service.services.after_commit import request_job
from qa_service.services.search.backends import is_postgresql, turn_matches
from qa_service.services.search.indexing import index_all_pending, index_interaction

log = logging.getLogger(__name__)
BACKFILL_BATCH = 500


@dataclass(frozen=True)
class StarterTracker:
    slug: str
    name: str
    query: str
    speaker: str | None = "customer"
    send_to_review: bool = False
    review_reason: str | None = None
    priority: int = 0


# This airline's starter set (issue 24): what the customer's standard asks supervisors to watch.
STARTER_TRACKERS = (
    StarterTracker("regulator", "Жалоба в Росавиацию, Роспотребнадзор или суд",
                   'Росавиация | Роспотребнадзор | "в суд" | претензия | прокуратура', send_to_review=True,
                   review_reason="Пассажир грозит жалобой регулятору или судом", priority=3),
    StarterTracker("escalation", "Просит руководителя", 'руководитель | начальник | "старший смены"',
                   send_to_review=True, review_reason="Пассажир просит руководителя", priority=2),
    StarterTracker("vulnerable", "Пассажир, которому нужна помощь",
                   'коляска | инвалид | "без сопровождения" | "несопровождаемый ребенок" | беременность | '
                   'беременна | "медицинская справка" | "медицинская помощь" | кислород'),
    StarterTracker("chargeback", "Угроза оспорить платёж",
                   '"оспорить платеж" | "отозвать платеж" | "опротестовать платеж" | чарджбэк',
                   send_to_review=True, review_reason="Пассажир грозит оспорить платёж в банке", priority=3),
    StarterTracker("competitors", "Упоминание конкурентов",
                   'Аэрофлот | S7 | "Уральские авиалинии" | Ютэйр | "Азур Эйр" | Nordwind', speaker=None),
    StarterTracker("disruption", "Задержка или отмена рейса",
                   '"рейс задержать" | "задержка рейса" | "рейс отменить" | "отмена рейса" | компенсация | '
                   '"опоздать на стыковку"', speaker=None),
)


def tracker_queries(text: str) -> list[SearchQuery]:
    """The alternatives of a tracker's query (each a search-box query); raises `BadSearchQuery`."""
    return [parse_query(part) for part in text.split("|") if part.strip()] or [parse_query("")]


def _alternative(session: Session, query: SearchQuery, speaker: str | None) -> ColumnElement[bool]:
    turn = aliased(Turn)
    conditions = [turn.interaction_id == Interaction.id, turn_matches(session, turn, query.phrases)]
    if speaker:
        conditions.append(turn.speaker == speaker)
    match: ColumnElement[bool] = exists(select(turn.id).where(*conditions))
    if query.excluded:
        other = aliased(Turn)
        match = and_(match, ~exists(select(other.id).where(
            other.interaction_id == Interaction.id, turn_matches(session, other, query.excluded, any_of=True))))
    return match


def tracker_condition(session: Session, tracker: Tracker) -> ColumnElement[bool]:
    """A condition on `Interaction`: the tracker matches it."""
    return or_(*(_alternative(session, q, tracker.speaker) for q in tracker_queries(tracker.query)))


def _insert_ignoring_duplicates(session: Session) -> Any:
    dialect = postgresql if is_postgresql(session) else sqlite
    return dialect.insert(TrackerMatch).on_conflict_do_nothing(index_elements=["tracker_id", "interaction_id"])


def tag_interaction(session: Session, interaction: Interaction) -> list[Tracker]:
    """Index the interaction's turns and record each active tracker it matches; returns the trackers newly matched."""
    index_interaction(session, interaction.id)
    trackers = list(session.scalars(select(Tracker).where(Tracker.tenant_id == interaction.tenant_id,
                                                          Tracker.active.is_(True)).order_by(Tracker.id)))
    matched: list[Tracker] = []
    for tracker in trackers:
        hit = session.scalar(select(Interaction.id).where(Interaction.id == interaction.id,
                                                          tracker_condition(session, tracker)))
        if hit is None:
            continue
        # RETURNING says whether this call wrote the row (rowcount is not reliable for DO NOTHING on every driver).
        written = session.scalar(_insert_ignoring_duplicates(session).values(
            tenant_id=interaction.tenant_id, tracker_id=tracker.id, interaction_id=interaction.id,
            started_at=interaction.started_at, matched_at=datetime.now(UTC)).returning(TrackerMatch.id))
        if written is not None:
            matched.append(tracker)
    return matched


def tag_scored_interaction(session: Session, interaction: Interaction, evaluation: Evaluation) -> None:
    """The scoring pipeline's hook: tag, and send to review the matches of trackers that ask for it."""
    for tracker in tag_interaction(session, interaction):
        if tracker.send_to_review and not interaction.reviewed:
            interaction.needs_review = True
            evaluation.needs_review = True
            reason = tracker.review_reason or tracker.name
            evaluation.review_reasons = [*(evaluation.review_reasons or []), reason]
        log.info("tracker %s matched interaction id=%s", tracker.slug, interaction.id)


def install_starter_trackers(session: Session, tenant_id: int) -> int:
    """Add the starter set to a tenant (those it already has are left as they are); returns how many added."""
    have = set(session.scalars(select(Tracker.slug).where(Tracker.tenant_id == tenant_id)))
    added = 0
    for starter in STARTER_TRACKERS:
        if starter.slug in have:
            continue
        session.add(Tracker(tenant_id=tenant_id, slug=starter.slug, name=starter.name, query=starter.query,
                            speaker=starter.speaker, send_to_review=starter.send_to_review,
                            review_reason=starter.review_reason, priority=starter.priority))
        added += 1
    session.flush()
    return added


def backfill_batch(session: Session, tracker_id: int, after_id: int) -> int | None:
    """Tag one batch of the tenant's interactions with ids above `after_id`; the last id done, None when finished."""
    tracker = session.get_one(Tracker, tracker_id)
    ids = list(session.scalars(select(Interaction.id).where(Interaction.tenant_id == tracker.tenant_id,
                                                            Interaction.id > after_id)
                               .order_by(Interaction.id).limit(BACKFILL_BATCH)))
    if not ids:
        tracker.backfilled_at = datetime.now(UTC)
        session.flush()
        return None
    found = (select(Interaction.tenant_id, Interaction.id, Interaction.started_at)
             .where(Interaction.id.in_(ids), tracker_condition(session, tracker)))
    rows = session.execute(found).all()
    if rows:
        session.execute(_insert_ignoring_duplicates(session).values([
            {"tenant_id": t, "tracker_id": tracker.id, "interaction_id": i, "started_at": s,
             "matched_at": datetime.now(UTC)} for t, i, s in rows]))
    tracker.backfill_done = (tracker.backfill_done or 0) + len(ids)
    session.flush()
    return ids[-1]


def start_backfill(session: Session, tracker_id: int) -> None:
    """Reset the tracker's progress before the job walks the history."""
    tracker = session.get_one(Tracker, tracker_id)
    tracker.backfill_total = session.scalar(select(func.count()).select_from(Interaction)
                                            .where(Interaction.tenant_id == tracker.tenant_id))
    tracker.backfill_done = 0
    tracker.backfilled_at = None
    session.flush()


def counts_per_day(session: Session, tenant_id: int, since: datetime) -> dict[str, dict[str, int]]:
    """{tracker slug: {UTC day: matched interactions}} since `since`, for reports and charts."""
    day = func.date(TrackerMatch.started_at)
    rows = session.execute(
        select(Tracker.slug, day, func.count())
        .join(Tracker, Tracker.id == TrackerMatch.tracker_id)
        .where(TrackerMatch.tenant_id == tenant_id, TrackerMatch.started_at >= since)
        .group_by(Tracker.slug, day)
    )
    out: dict[str, dict[str, int]] = {}
    for slug, d, n in rows:
        out.setdefault(slug, {})[str(d)] = n
    return out


BACKFILL_JOB = "backfill_tracker"


def request_backfill(session: Session, settings: Settings, tracker_id: int) -> None:
    """Reset the progress and start the back-fill job once this transaction commits."""
    start_backfill(session, tracker_id)
    request_job(session, settings, BACKFILL_JOB, tracker_id, job_id=f"tracker-backfill-{tracker_id}")


def run_backfill(settings: Settings, tracker_id: int) -> int:
    """The job's body: one transaction per batch, so the progress shows and a crash resumes cheaply."""
    with transaction(settings.sqlalchemy_url) as session:
        tracker = session.get_one(Tracker, tracker_id)
        tenant_id = tracker.tenant_id
        index_all_pending(session, tenant_id)
        if tracker.backfill_total is None:
            start_backfill(session, tracker_id)
    after_id, batches = 0, 0
    while True:
        with transaction(settings.sqlalchemy_url) as session:
            last = backfill_batch(session, tracker_id, after_id)
        if last is None:
            return batches
        after_id, batches = last, batches + 1


def tenant_trackers(settings: Settings, slug: str, *, install: bool = False,
                    backfill: str | None = None, days: int = 7) -> list[dict[str, Any]]:
    """`qa-service trackers`: the tenant's trackers with matches per day over `days` days.

    `install` adds the starter set first; `backfill` (a tracker's slug) starts its back-fill job.
    """
    from qa_service.services.accounts.tenants import tenant_by_slug

    with transaction(settings.sqlalchemy_url) as session:
        tenant_id = tenant_by_slug(session, slug).id
        if install:
            install_starter_trackers(session, tenant_id)
        if backfill is not None:
            tracker = session.scalar(select(Tracker).where(Tracker.tenant_id == tenant_id, Tracker.slug == backfill))
            if tracker is None:
                from qa_service.core.errors import UserFacingError

                raise UserFacingError(f"нет трекера {backfill!r}", f"no tracker {backfill!r}")
            request_backfill(session, settings, tracker.id)
        since = datetime.now(UTC) - timedelta(days=days)
        counts = counts_per_day(session, tenant_id, since)
        return [
            {"slug": t.slug, "name": t.name, "query": t.query, "speaker": t.speaker, "active": t.active,
             "send_to_review": t.send_to_review, "review_reason": t.review_reason,
             "backfill": {"done": t.backfill_done, "total": t.backfill_total,
                          "finished_at": t.backfilled_at.isoformat() if t.backfilled_at else None},
             "per_day": counts.get(t.slug, {})}
            for t in session.scalars(select(Tracker).where(Tracker.tenant_id == tenant_id).order_by(Tracker.id))
        ]
