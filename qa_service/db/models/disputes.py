"""An agent's dispute of one criterion of a released evaluation, and the lead's decision."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.db.models.base import Base, TenantOwned, Timestamped, enum_column


class DisputeStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Dispute(TenantOwned, Timestamped, Base):
    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(64))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, info={"max_length": 2000})
    status: Mapped[DisputeStatus] = mapped_column(enum_column(DisputeStatus, 20), default=DisputeStatus.OPEN)
    # The answer before and after, so the history keeps both.
    answer_before: Mapped[str | None] = mapped_column(String(20))
    answer_after: Mapped[str | None] = mapped_column(String(20))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(Text, info={"max_length": 2000})
    resolved_at: Mapped[datetime | None]
    # Optimistic concurrency for the resolve and reopen forms (`services.form_versions`).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
