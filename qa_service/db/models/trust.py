"""AutoQA trust per criterion: the machine's agreement with people, and whether its answer is published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.db.models.base import Base, TenantOwned, utcnow


class CriterionTrust(TenantOwned, Base):
    """One row per tenant, rubric and criterion id (ids are stable across rubric versions).

    Written only by `services.trust.loop.recompute`; read by scoring to withhold untrusted answers.
    """

    __tablename__ = "criterion_trust"
    __table_args__ = (UniqueConstraint("tenant_id", "rubric_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(String(64))
    # True: new machine answers of this criterion are withheld until a person answers.
    suppressed: Mapped[bool] = mapped_column(default=False)
    agreed: Mapped[int] = mapped_column(Integer, default=0)
    n: Mapped[int] = mapped_column(Integer, default=0)
    agreement: Mapped[float | None] = mapped_column(Float)
    lower: Mapped[float | None] = mapped_column(Float)
    upper: Mapped[float | None] = mapped_column(Float)
    # A per-criterion threshold set by an admin; None = the tenant's `trust_threshold`.
    threshold_override: Mapped[float | None] = mapped_column(Float)
    changed_at: Mapped[datetime | None]  # when `suppressed` last flipped
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
