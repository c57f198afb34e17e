"""Trackers: saved searches that tag every newly scored interaction they match."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.db.models.base import Base, TenantOwned, utcnow


class Tracker(TenantOwned, Base):
    __tablename__ = "trackers"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    # As typed in the search box: words on lemmas, "quoted phrases", -excluded words.
    query: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    # A match puts the interaction into the review queue, with this reason in words.
    send_to_review: Mapped[bool] = mapped_column(default=False)
    review_reason: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # Back-fill progress (an RQ job walks the tenant's history in batches).
    backfill_total: Mapped[int | None] = mapped_column(Integer)
    backfill_done: Mapped[int | None] = mapped_column(Integer)
    backfilled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackerMatch(TenantOwned, Base):
    """One row per tracker and interaction: the unique key makes concurrent taggers write it once."""

    __tablename__ = "tracker_matches"
    __table_args__ = (
        UniqueConstraint("tracker_id", "interaction_id"),
        Index("ix_tracker_matches_tenant_tracker_started", "tenant_id", "tracker_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracker_id: Mapped[int] = mapped_column(ForeignKey("trackers.id", ondelete="CASCADE"))
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    # Denormalised from the interaction so counts per day need no join.
    started_at: Mapped[datetime]
    matched_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopicSnapshot(TenantOwned, Base):
    """One topic of one nightly run: a discovered cluster or a tracker, with today's test against its baseline."""

    __tablename__ = "topic_snapshots"
    __table_args__ = (Index("ix_topic_snapshots_tenant_computed", "tenant_id", "computed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(10))  # cluster | tracker
    label: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)  # contacts in the window
    observed: Mapped[int] = mapped_column(Integer)  # on the day tested
    expected: Mapped[float | None] = mapped_column(Float)
    p_value: Mapped[float | None] = mapped_column(Float)
    emerging: Mapped[bool] = mapped_column(default=False)
    examples: Mapped[list[Any]] = mapped_column(default=list)  # [interaction id, …] nearest the centre
