"""Connectors to the customer's platform, and the cursor each stream has reached."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
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
    # Failed runs in a row: polling waits twice as long after each (services.connectors.runs.due_connectors).
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")



class ConnectorCursor(TenantOwned, Base):
    __tablename__ = "connector_cursors"
    __table_args__ = (UniqueConstraint("connector_id", "stream"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector_configs.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(20))  # call | chat | email | status | staffing | all
    value: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None]
