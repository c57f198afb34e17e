"""Nightly topics: cluster the customers' first turns of the last weeks and test each topic —
and each tracker — for an emerging day against its baseline (one-sided Poisson, `core.search.emerging`).

Each run replaces the tenant's snapshot; pages and the daily report read the latest one.
The tested day is the last complete UTC day before the run; the baseline is the days before it.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.search.emerging import emergence
from qa_service.core.search.topic_discovery import discover_topics
from qa_service.db.models import Interaction, Tenant, TopicSnapshot, Tracker, TrackerMatch, Turn
from qa_service.db.session import transaction

log = logging.getLogger(__name__)
WINDOW_DAYS = 28
MAX_TEXTS = 20_000


def _days(tested: date) -> list[date]:
    return [tested - timedelta(days=n) for n in range(WINDOW_DAYS, 0, -1)]


def first_customer_turns(
    session: Session, tenant_id: int, since: datetime, until: datetime
) -> list[tuple[int, datetime, str]]:
    """(interaction id, started at, text) of each interaction's first customer turn in the window."""
    first = (
        select(Turn.interaction_id, func.min(Turn.position).label("position"))
        .join(Interaction, Interaction.id == Turn.interaction_id)
        .where(Interaction.tenant_id == tenant_id, Interaction.started_at >= since, Interaction.started_at < until,
               Turn.speaker == "customer")
        .group_by(Turn.interaction_id)
        .subquery()
    )
    rows = session.execute(
        select(Interaction.id, Interaction.started_at, Turn.text)
        .join(first, first.c.interaction_id == Interaction.id)
        .join(Turn, (Turn.interaction_id == first.c.interaction_id) & (Turn.position == first.c.position))
        .order_by(Interaction.started_at.desc())
        .limit(MAX_TEXTS)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _snapshot(tenant_id: int, kind: str, label: str, per_day: Counter[date], tested: date, now: datetime,
              examples: list[int]) -> TopicSnapshot:
    observed = per_day.get(tested, 0)
    test = emergence(observed, [per_day.get(d, 0) for d in _days(tested)])
    return TopicSnapshot(
        tenant_id=tenant_id, computed_at=now, kind=kind, label=label, size=sum(per_day.values()),
        observed=observed, expected=test.expected if test else None, p_value=test.p_value if test else None,
        emerging=bool(test and test.emerging), examples=examples,
    )


def refresh_topics(session: Session, tenant_id: int, now: datetime) -> list[TopicSnapshot]:
    """Recompute the tenant's topics and their tests; replaces the previous snapshot (flushes)."""
    tested = now.date() - timedelta(days=1)
    since = datetime.combine(tested - timedelta(days=WINDOW_DAYS), time(), tzinfo=now.tzinfo)
    until = datetime.combine(tested + timedelta(days=1), time(), tzinfo=now.tzinfo)
    turns = first_customer_turns(session, tenant_id, since, until)
    snapshots = []
    for topic in discover_topics([text for _, _, text in turns]):
        per_day = Counter(turns[i][1].date() for i in topic.members)
        snapshots.append(_snapshot(tenant_id, "cluster", topic.label, per_day, tested, now,
                                   [turns[i][0] for i in topic.examples]))
    trackers = session.execute(
        select(Tracker.name, func.date(TrackerMatch.started_at), func.count())
        .join(TrackerMatch, TrackerMatch.tracker_id == Tracker.id)
        .where(Tracker.tenant_id == tenant_id, TrackerMatch.started_at >= since, TrackerMatch.started_at < until)
        .group_by(Tracker.name, func.date(TrackerMatch.started_at))
    ).all()
    by_tracker: dict[str, Counter[date]] = {}
    for name, day, n in trackers:
        by_tracker.setdefault(name, Counter())[day if isinstance(day, date) else date.fromisoformat(str(day))] += n
    for name, per_day in by_tracker.items():
        snapshots.append(_snapshot(tenant_id, "tracker", name, per_day, tested, now, []))
    session.execute(delete(TopicSnapshot).where(TopicSnapshot.tenant_id == tenant_id))
    session.add_all(snapshots)
    session.flush()
    return snapshots


def latest_topics(session: Session, tenant_id: int) -> list[TopicSnapshot]:
    """The tenant's latest snapshot: emerging first, then by size."""
    return list(session.scalars(
        select(TopicSnapshot).where(TopicSnapshot.tenant_id == tenant_id)
        .order_by(TopicSnapshot.emerging.desc(), TopicSnapshot.size.desc(), TopicSnapshot.id)
    ))


def refresh_all_topics(settings: Settings, now: datetime) -> int:
    """The nightly job: every tenant in its own transaction (one tenant's failure does not stop the rest)."""
    with transaction(settings.sqlalchemy_url) as session:
        tenant_ids = list(session.scalars(select(Tenant.id)))
    done = 0
    for tenant_id in tenant_ids:
        try:
            with transaction(settings.sqlalchemy_url) as session:
                refresh_topics(session, tenant_id, now)
            done += 1
        except Exception:
            log.exception("topics of tenant id=%s failed", tenant_id)
    return done


def emerging_topics_json(session: Session, tenant_id: int) -> list[dict[str, object]]:
    """The daily report's `emerging_topics`: last night's flagged topics and trackers with their counts."""
    return [
        {"label": t.label, "kind": t.kind, "observed": t.observed, "expected": t.expected}
        for t in latest_topics(session, tenant_id) if t.emerging
    ]
