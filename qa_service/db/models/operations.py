"""Running the service: connectors and their cursors, review sampling, reports, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.db.models.base import Base, TenantOwned, Timestamped


class ConnectorConfig(TenantOwned, Timestamped, Base):
    __tablename__ = "connector_configs"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # dropfolder | http | imap
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Tokens and passwords: written by an admin, never shown back by the UI or the API.
    secrets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    poll_interval_seconds: Mapped[int] = mapped_column(Integer, default=300)
    enabled: Mapped[bool] = mapped_column(default=True)
    last_run_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class ConnectorCursor(TenantOwned, Base):
    __tablename__ = "connector_cursors"
    __table_args__ = (UniqueConstraint("connector_id", "stream"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector_configs.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(20))  # call | chat | email | status | staffing | all
    value: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None]


class SamplingRule(TenantOwned, Timestamped, Base):
    __tablename__ = "sampling_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    per_agent_per_week: Mapped[int] = mapped_column(Integer, default=5)
    random_share: Mapped[float] = mapped_column(default=0.3)
    channels: Mapped[list[Any]] = mapped_column(default=lambda: ["call", "chat", "email"])
    due_days: Mapped[int] = mapped_column(Integer, default=3)
    active: Mapped[bool] = mapped_column(default=True)


class ReviewAssignment(TenantOwned, Timestamped, Base):
    __tablename__ = "review_assignments"
    __table_args__ = (
        UniqueConstraint("interaction_id"),
        Index("ix_review_assignments_reviewer_due", "reviewer_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(50))  # risk | random
    completed_at: Mapped[datetime | None]


class ReportRun(TenantOwned, Timestamped, Base):
    __tablename__ = "report_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))  # daily-quality | daily-operations | agent | team
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="done")
    blob_key: Mapped[str | None] = mapped_column(String(500))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditLog(TenantOwned, Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_tenant_at", "tenant_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(50))  # view | create | update | delete | login…
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
