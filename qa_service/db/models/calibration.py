"""Joint calibration: QA specialists and the customer's reviewers score the same items blind.

A facilitator picks the items and invites the participants; each participant answers every
criterion of every item (`CalibrationAnswer`), saves drafts and submits once.  Nobody sees
anybody's answers, the machine's included, before they submit or the facilitator reveals.
After discussion the facilitator records the agreed answer (`CalibrationConsensus`): these
are the gold labels the AutoQA trust loop and retraining use.  The customer's lead signs
the session report off.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.db.models.base import Base, TenantOwned, Timestamped, utcnow


class CalibrationSession(TenantOwned, Timestamped, Base):
    __tablename__ = "calibration_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_at: Mapped[datetime | None]  # the deadline participants see
    closed_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Whose answers the others are compared with (default: the first invited customer reviewer).
    benchmark_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # How the items were picked ({"rule": "manual" | "random" | "disputed" | "disagreed", ...}).
    selection: Mapped[dict[str, Any]] = mapped_column(default=dict)
    revealed_at: Mapped[datetime | None]
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_off_at: Mapped[datetime | None]


class CalibrationItem(Base):
    __tablename__ = "calibration_items"
    __table_args__ = (UniqueConstraint("session_id", "interaction_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"))
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    # The rubric version the item is scored against, fixed when the session is created.
    rubric_version_id: Mapped[int | None] = mapped_column(ForeignKey("rubric_versions.id", ondelete="SET NULL"))


class CalibrationParticipant(Base):
    __tablename__ = "calibration_participants"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime | None]  # when they submitted: from then on they see the results
    invited_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None]  # when the invitation e-mail went out


class CalibrationAnswer(Base):
    """One participant's answer to one criterion of one item: yes/no/na (or a number), with a comment."""

    __tablename__ = "calibration_answers"
    __table_args__ = (UniqueConstraint("participant_id", "item_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_participants.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("calibration_items.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    submitted: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalibrationConsensus(Base):
    """The answer agreed after discussion: a gold label for the criterion on this interaction."""

    __tablename__ = "calibration_consensus"
    __table_args__ = (UniqueConstraint("item_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("calibration_items.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(String(20))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
