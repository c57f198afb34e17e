"""Cases (contacts linked by what identifies the matter), each contact's reason and outcome, and the
platform's booking and payment events.  Identifiers are stored only as keyed digests and masked forms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.db.models.base import Base, TenantOwned, Timestamped


class Case(TenantOwned, Timestamped, Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The booking code as the page may show it (masked: «A****Q»), never the code itself.
    display: Mapped[str | None] = mapped_column(String(40))


class CaseKey(TenantOwned, Base):
    """One identifier of a case: HMAC-SHA256 under the tenant's own secret (core/cases/identifiers.py)."""

    __tablename__ = "case_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # booking | ticket | emd | phone | email
    digest: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    last_seen_at: Mapped[datetime | None]


class CaseContact(TenantOwned, Base):
    """A contact (interaction) in its case, with its reason, outcome and the agent's commitments."""

    __tablename__ = "case_contacts"
    __table_args__ = (
        Index("ix_case_contacts_tenant_case_started", "tenant_id", "case_id", "started_at"),
        Index("ix_case_contacts_tenant_started", "tenant_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # The contact's identifiers as "kind:digest" (to re-link when cases merge); never clear values.
    keys: Mapped[list[Any]] = mapped_column(default=list)
    reason: Mapped[str | None] = mapped_column(String(20))
    reason_evidence: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_evidence: Mapped[str | None] = mapped_column(Text)
    wrapup: Mapped[str | None] = mapped_column(String(20))  # the platform's code, mapped to a reason
    wrapup_mismatch: Mapped[bool] = mapped_column(default=False)
    commitments: Mapped[list[Any]] = mapped_column(default=list)


class TransactionEvent(TenantOwned, Timestamped, Base):
    """What the booking system or payment gateway did: a ticket issued/exchanged/refunded, an EMD,
    a payment link, a capture or refund."""

    __tablename__ = "transaction_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "source", "source_key"),
        Index("ix_transaction_events_tenant_case_at", "tenant_id", "case_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    source_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime]
    amount: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    agent_external_id: Mapped[str | None] = mapped_column(String(100))
    keys: Mapped[list[Any]] = mapped_column(default=list)  # "kind:digest", as on contacts
    booking_display: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
