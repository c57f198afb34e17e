"""Training needs flagged from scores, and the coaching a trainer assigns for them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.db.models.base import Base, TenantOwned, Timestamped, enum_column


class TrainingNeed(TenantOwned, Timestamped, Base):
    __tablename__ = "training_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    module: Mapped[str] = mapped_column(String(20))  # T-OPEN, T-PAY… from the standard
    criterion_ids: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    score_before: Mapped[float | None] = mapped_column(Float)
    resolved_at: Mapped[datetime | None]


class CoachingStatus(enum.StrEnum):
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    DONE = "done"


class CoachingTask(TenantOwned, Timestamped, Base):
    __tablename__ = "coaching_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_need_id: Mapped[int | None] = mapped_column(ForeignKey("training_needs.id", ondelete="SET NULL"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    module: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime | None]
    status: Mapped[CoachingStatus] = mapped_column(enum_column(CoachingStatus, 20), default=CoachingStatus.ASSIGNED)
    notes: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    score_after: Mapped[float | None] = mapped_column(Float)
