"""Reports generated for the customer, one row a run; re-running a day replaces that day's row."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.db.models.base import Base, TenantOwned, Timestamped


class ReportRun(TenantOwned, Timestamped, Base):
    __tablename__ = "report_runs"
    # One stored run per tenant, kind and local day: the scheduled job and a manual re-run
    # write the same row, so the history never shows the same day twice.
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))  # daily-quality | daily-operations
    day: Mapped[date | None]
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="done")  # running | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    generated_at: Mapped[datetime | None]
    mailed_at: Mapped[datetime | None]
    blob_key: Mapped[str | None] = mapped_column(String(500))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The customer's sign-off of the day (quality reports): who and when.
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_off_at: Mapped[datetime | None]
    # What was signed: a hash of the figures as the signer saw them; the page compares it with
    # today's figures and says when the signature no longer covers them.
    signed_content_hash: Mapped[str | None] = mapped_column(String(64))
