"""Which interactions people review: the sampling rule and the assignments it draws."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.db.models.base import Base, TenantOwned, Timestamped


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
