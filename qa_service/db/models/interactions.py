"""What happened: interactions with their turns and recordings, agent statuses, staffing plans."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_service.db.models.base import Base, TenantOwned, Timestamped, enum_column


class Channel(enum.StrEnum):
    CALL = "call"
    CHAT = "chat"
    EMAIL = "email"


class ProcessingState(enum.StrEnum):
    """Where an interaction is in the pipeline; `failed` keeps the reason visible."""

    FETCHED = "fetched"
    TRANSCRIBED = "transcribed"
    SCORED = "scored"
    SKIPPED = "skipped"  # nothing to score: a lost or missed call without a conversation
    FAILED = "failed"


class Interaction(TenantOwned, Timestamped, Base):
    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "source", "external_id"),
        # The list page: newest first within a tenant, keyset-paginated on (started_at, id).
        Index("ix_interactions_tenant_started", "tenant_id", "started_at", "id"),
        Index("ix_interactions_tenant_agent_started", "tenant_id", "agent_id", "started_at"),
        # "Lowest score first": keyset-paginated on (score, id) over the scored interactions.
        Index("ix_interactions_tenant_score", "tenant_id", "score", "id"),
        # The quality report's 30-day trend: an index-only scan over (started_at, score) of the month.
        Index("ix_interactions_tenant_started_score", "tenant_id", "started_at", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 10))
    direction: Mapped[str] = mapped_column(String(10), default="inbound")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    queue: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    sale_amount: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    topic: Mapped[str | None] = mapped_column(String(50))
    topic_detected: Mapped[str | None] = mapped_column(String(50))
    card_data_detected: Mapped[bool] = mapped_column(default=False)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metrics: Mapped[dict[str, Any] | None]
    transcript_quality: Mapped[dict[str, Any] | None]
    state: Mapped[ProcessingState] = mapped_column(enum_column(ProcessingState, 20), default=ProcessingState.FETCHED)
    state_reason: Mapped[str | None] = mapped_column(Text)
    # Denormalised from the current evaluation so the list page filters without a join.
    score: Mapped[float | None] = mapped_column(Float)
    failed_critical: Mapped[bool] = mapped_column(default=False)
    needs_review: Mapped[bool] = mapped_column(default=False)
    reviewed: Mapped[bool] = mapped_column(default=False)

    turns: Mapped[list[Turn]] = relationship(
        back_populates="interaction", order_by="Turn.position", cascade="all, delete-orphan"
    )
    recording: Mapped[Recording | None] = relationship(
        back_populates="interaction", cascade="all, delete-orphan", uselist=False
    )


class Turn(Base):
    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("interaction_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[float | None] = mapped_column(Float)
    end: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime | None]
    subject: Mapped[str | None] = mapped_column(Text)
    words: Mapped[list[Any] | None]
    # Where redaction removed something: [{"start","end","kind"}] in the stored text.
    redactions: Mapped[list[Any] | None]
    # Search: the text's lemmas as space-separated words (services.search.indexing); NULL until indexed.
    lemmas: Mapped[str | None] = mapped_column(Text)

    interaction: Mapped[Interaction] = relationship(back_populates="turns")


class Recording(Base):
    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), unique=True)
    blob_key: Mapped[str | None] = mapped_column(String(500))
    source_uri: Mapped[str | None] = mapped_column(Text)
    channels: Mapped[dict[str, Any] | None]
    duration: Mapped[float | None] = mapped_column(Float)
    sample_rate: Mapped[int | None] = mapped_column(Integer)
    redacted: Mapped[bool] = mapped_column(default=False)

    interaction: Mapped[Interaction] = relationship(back_populates="recording")


class AgentStatusEvent(TenantOwned, Base):
    __tablename__ = "agent_status_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "source", "source_key"),
        Index("ix_agent_status_events_tenant_at", "tenant_id", "at"),
        # Reports: each agent's last status before the day began.
        Index("ix_agent_status_events_tenant_agent_at", "tenant_id", "agent_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    source_key: Mapped[str] = mapped_column(String(200))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]


class StaffingPlan(TenantOwned, Base):
    __tablename__ = "staffing_plans"
    __table_args__ = (UniqueConstraint("tenant_id", "hour_start", "queue"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hour_start: Mapped[datetime]
    queue: Mapped[str] = mapped_column(String(100), default="")
    planned_agents: Mapped[int] = mapped_column(Integer)
