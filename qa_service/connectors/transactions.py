"""A platform's booking/payment event row (already mapped to our field names) → `TransactionRecord`."""

from __future__ import annotations

import logging
from datetime import tzinfo
from typing import Any

from qa_service.connectors.base import TransactionRecord
from qa_service.connectors.statuses import parse_moment

log = logging.getLogger(__name__)
# A file exported as the platform's API shows them (the simulator's names) reads the same.
_ALIASES = {"type": "kind", "booking": "booking_code", "ticket": "ticket_number", "emd": "emd_number",
            "operator_id": "agent_id"}


def transaction_record(row: dict[str, Any], source_key: str, tz: tzinfo) -> TransactionRecord | None:
    """None (logged without the row: it carries booking codes) when the row has no kind or time."""
    try:
        at = parse_moment(row.get("at"), tz)
        amount = float(row["amount"]) if row.get("amount") not in (None, "") else None
    except (TypeError, ValueError):
        log.warning("transaction event %s skipped: unreadable time or amount", source_key)
        return None
    row = {**{ours: row[theirs] for theirs, ours in _ALIASES.items() if theirs in row and ours not in row}, **row}
    kind = str(row.get("kind") or "").strip().lower()
    if not kind:
        log.warning("transaction event %s skipped: no kind", source_key)
        return None

    def text(name: str) -> str | None:
        value = row.get(name)
        return str(value).strip() or None if value not in (None, "") else None

    return TransactionRecord(source_key=source_key, kind=kind, at=at, amount=amount,
                             currency=text("currency") or "RUB", booking_code=text("booking_code"),
                             ticket_number=text("ticket_number"), emd_number=text("emd_number"),
                             agent_id=text("agent_id"))
