"""Scores: evaluations (machine, review, calibration) with one answer per criterion."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_service.db.models.base import Base, TenantOwned, Timestamped, enum_column


class EvaluationKind(enum.StrEnum):
    AUTO = "auto"
    REVIEW = "review"
    CALIBRATION = "calibration"


class EvaluationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RELEASED = "released"  # visible to the agent


class Evaluation(TenantOwned, Timestamped, Base):
    __tablename__ = "evaluations"
    __table_args__ = (
        # Exactly one machine evaluation per interaction and rubric version: re-scoring is idempotent.
        Index(
            "uq_evaluations_auto_once",
            "interaction_id",
            "rubric_version_id",
            unique=True,
            postgresql_where=text("kind = 'auto'"),
            sqlite_where=text("kind = 'auto'"),
        ),
        Index("ix_evaluations_interaction", "interaction_id"),
        # The AutoQA trust loop reads a tenant's newest reviews first, after every review (migration 0008).
        Index("ix_evaluations_tenant_kind_submitted", "tenant_id", "kind", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    kind: Mapped[EvaluationKind] = mapped_column(enum_column(EvaluationKind, 20))
    status: Mapped[EvaluationStatus] = mapped_column(
        enum_column(EvaluationStatus, 20), default=EvaluationStatus.SUBMITTED
    )
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    calibration_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE")
    )
    score: Mapped[float | None] = mapped_column(Float)
    failed_critical: Mapped[bool] = mapped_column(default=False)
    needs_review: Mapped[bool] = mapped_column(default=False)
    review_reasons: Mapped[list[Any]] = mapped_column(default=list)
    submitted_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    # Raised by every human change: a form carries the number it was drawn from and is refused when
    # it is no longer the current one (optimistic concurrency; `services.form_versions`).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    answers: Mapped[list[CriterionAnswer]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="CriterionAnswer.position"
    )


class CriterionAnswer(Base):
    """One criterion's answer; the machine's answer is kept beside the human one."""

    __tablename__ = "criterion_answers"
    __table_args__ = (UniqueConstraint("evaluation_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"))
    position: Mapped[int]
    criterion_id: Mapped[str] = mapped_column(String(64), index=True)
    answer: Mapped[str | None] = mapped_column(String(20))
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    critical: Mapped[bool] = mapped_column(default=False)
    confidence: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    machine_answer: Mapped[str | None] = mapped_column(String(20))
    machine_confidence: Mapped[float | None] = mapped_column(Float)
    override_reason: Mapped[str | None] = mapped_column(Text, info={"max_length": 1000})
    # Why the machine answered so (rule or model, matched text or closest miss, similarity).
    why: Mapped[dict[str, Any]] = mapped_column(default=dict)

    evaluation: Mapped[Evaluation] = relationship(back_populates="answers")


class EvaluationVersion(TenantOwned, Base):
    """One human change to a released evaluation: who, when, why, and the answers before and after."""

    __tablename__ = "evaluation_versions"
    __table_args__ = (UniqueConstraint("evaluation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    # released | amended | dispute_accepted | dispute_reopened | calibration_consensus | correction
    cause: Mapped[str] = mapped_column(String(30))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text, info={"max_length": 1000})
    score_before: Mapped[float | None] = mapped_column(Float)
    score_after: Mapped[float | None] = mapped_column(Float)
    # [{"criterion": id, "before": answer, "after": answer}], in the rubric's order.
    changes: Mapped[list[Any]] = mapped_column(default=list)


class ReviewComment(TenantOwned, Timestamped, Base):
    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    criterion_id: Mapped[str | None] = mapped_column(String(64))
    offset_seconds: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text, info={"max_length": 4000})
