"""Training needs flagged from scores, and the coaching a trainer assigns for them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_service.db.models.base import Base, TenantOwned, Timestamped, enum_column


class NeedRule(enum.StrEnum):
    """Why a need was flagged: the standard's two rules, or a significant gap to the team."""

    LOW_AVERAGE = "low_average"  # average below 75 over the last 20 scored interactions
    CRITICAL = "critical"  # a critical criterion failed
    TEAM_GAP = "team_gap"  # failure rate significantly worse than the agent's team


class TrainingNeed(TenantOwned, Timestamped, Base):
    __tablename__ = "training_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    module: Mapped[str] = mapped_column(String(20))  # T-OPEN, T-PAY… from the standard
    criterion_ids: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    score_before: Mapped[float | None] = mapped_column(Float)
    resolved_at: Mapped[datetime | None]
    rule: Mapped[NeedRule] = mapped_column(enum_column(NeedRule, 20), default=NeedRule.TEAM_GAP)
    # The agent's failures out of applicable answers, and the team's (the agent excluded).
    failures: Mapped[int] = mapped_column(Integer, default=0)
    applicable: Mapped[int] = mapped_column(Integer, default=0)
    rate_low: Mapped[float | None] = mapped_column(Float)
    rate_high: Mapped[float | None] = mapped_column(Float)
    team_failures: Mapped[int] = mapped_column(Integer, default=0)
    team_applicable: Mapped[int] = mapped_column(Integer, default=0)
    p_value: Mapped[float | None] = mapped_column(Float)  # after the multiple-comparison correction
    evidence_interaction_ids: Mapped[list[Any]] = mapped_column(default=list)
    since: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]


class CoachingStatus(enum.StrEnum):
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    DONE = "done"


class CoachingFormat(enum.StrEnum):
    ONE_TO_ONE = "one_to_one"
    GROUP = "group"
    SELF_STUDY = "self_study"


class CoachingTask(TenantOwned, Timestamped, Base):
    __tablename__ = "coaching_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_need_id: Mapped[int | None] = mapped_column(ForeignKey("training_needs.id", ondelete="SET NULL"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    module: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime | None]
    status: Mapped[CoachingStatus] = mapped_column(enum_column(CoachingStatus, 20), default=CoachingStatus.ASSIGNED)
    notes: Mapped[str | None] = mapped_column(Text, info={"max_length": 4000})
    completed_at: Mapped[datetime | None]
    score_after: Mapped[float | None] = mapped_column(Float)
    format: Mapped[CoachingFormat] = mapped_column(enum_column(CoachingFormat, 20), default=CoachingFormat.ONE_TO_ONE)
    # §5.2: the airline may run its own trainings; they are recorded the same way.
    delivered_by_customer: Mapped[bool] = mapped_column(default=False)
    # [{"interaction_id": 1, "kind": "good" | "bad"}], picked from the need's evidence.
    example_interactions: Mapped[list[Any]] = mapped_column(default=list)
    scheduled_at: Mapped[datetime | None]
    attended: Mapped[bool | None]
    session_notes: Mapped[str | None] = mapped_column(Text, info={"max_length": 4000})
    acknowledged_at: Mapped[datetime | None]
    # When each notice was mailed, so a nightly run never sends the same one twice.
    notified_new_at: Mapped[datetime | None]
    notified_due_soon_at: Mapped[datetime | None]
    notified_overdue_at: Mapped[datetime | None]

    materials: Mapped[list[CoachingMaterial]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="CoachingMaterial.id"
    )


class CoachingMaterial(TenantOwned, Timestamped, Base):
    """An uploaded document (kept in the blob store) or a link, attached to a coaching task."""

    __tablename__ = "coaching_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("coaching_tasks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    blob_key: Mapped[str | None] = mapped_column(String(500))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(Integer)

    task: Mapped[CoachingTask] = relationship(back_populates="materials")
