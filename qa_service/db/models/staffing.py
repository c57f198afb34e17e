"""Staffing episodes: a stretch of time with fewer agents logged in than the minimum or the plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.db.models.base import Base, TenantOwned


class StaffingEpisode(TenantOwned, Base):
    __tablename__ = "staffing_episodes"
    __table_args__ = (Index("ix_staffing_episodes_tenant_started", "tenant_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # None while the episode is still open
    checked_at: Mapped[datetime]
    required: Mapped[int] = mapped_column(Integer)
    lowest: Mapped[int] = mapped_column(Integer)
    # Who was logged in when the episode began, as shown in the alert e-mail.
    logged_in: Mapped[list[Any]] = mapped_column(default=list)
    notified_at: Mapped[datetime | None]
