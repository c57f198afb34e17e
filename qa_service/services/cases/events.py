"""The platform's booking and payment events, stored once each, linked to their case by keyed digests.

A duplicate delivery (same platform id) changes nothing; a late one is simply stored when it
comes — discrepancies are computed from what is stored whenever they are asked for, so a late
refund clears its «refund missing» flag by itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.connectors.base import TransactionRecord
from qa_service.core.cases.identifiers import Identifier, normalise
from qa_service.core.cases.matching import EVENT_KINDS
from qa_service.core.errors import UserFacingError
from qa_service.db.models import TransactionEvent
from qa_service.services.cases.contacts import _policy
from qa_service.services.cases.keys import booking_display, keyed
from qa_service.services.cases.linking import link


def _identifiers(record: TransactionRecord) -> list[Identifier]:
    pairs = (("booking", record.booking_code), ("ticket", record.ticket_number), ("emd", record.emd_number))
    return [Identifier(kind, normalise(kind, value)) for kind, value in pairs if value]


def store_transaction_events(session: Session, settings: Settings, tenant_id: int, source: str,
                             records: Iterable[TransactionRecord]) -> int:
    """Store new events (idempotent on the platform's id); how many were new."""
    window = _policy(session, tenant_id).repeat_window_days
    stored = 0
    for record in records:
        if record.kind not in EVENT_KINDS:
            raise UserFacingError(f"событие платформы {record.source_key}: неизвестный вид {record.kind!r}",
                                  f"platform event {record.source_key}: unknown kind {record.kind!r}")
        exists = session.scalar(select(TransactionEvent.id).where(
            TransactionEvent.tenant_id == tenant_id, TransactionEvent.source == source,
            TransactionEvent.source_key == record.source_key))
        if exists is not None:
            continue
        found = _identifiers(record)
        keys = keyed(settings, tenant_id, found)
        event = TransactionEvent(
            tenant_id=tenant_id, source=source, source_key=record.source_key, kind=record.kind, at=record.at,
            amount=record.amount, currency=record.currency or "RUB", agent_external_id=record.agent_id,
            keys=keys, booking_display=booking_display(found),
            case_id=link(session, tenant_id, keys, record.at, window, booking_display(found)),
        )
        session.add(event)
        session.flush()
        stored += 1
    return stored
