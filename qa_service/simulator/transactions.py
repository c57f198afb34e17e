"""The simulated platform's booking and payment events (АСБ and the payment gateway), with faults.

Every answered call, chat and e-mail of a transaction topic gets a booking code and the events its
agent would have made; realistic faults are planted deterministically: a missing event (the
refund the agent promised never reaches the gateway), a late one (delivered hours after it
happened: its `updated_at` is later than its `at`), and a duplicate (the same event delivered twice
under the same id).  Customers come back: some chats reuse an earlier call's booking and phone.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_EVENTS: dict[str, list[tuple[str, float | None]]] = {
    "sale": [("ticket_issued", 12400.0), ("payment_link_sent", None), ("payment_captured", 12400.0)],
    "exchange": [("ticket_exchanged", 2500.0), ("payment_captured", 2500.0)],
    "refund": [("ticket_refunded", 1800.0), ("payment_refunded", 1800.0)],
    "baggage": [("emd_issued", 2500.0), ("payment_captured", 2500.0)],
}


def booking_code(rng: random.Random) -> str:
    return "".join(rng.choice(_LETTERS) for _ in range(3)) + str(rng.randint(1, 9)) + rng.choice(_LETTERS) + \
        str(rng.randint(0, 9))


def phone(rng: random.Random) -> str:
    return f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"


def _t(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def add_transactions(records: list[dict[str, Any]], seed: int, start_key: str, topic_key: str) -> list[dict[str, Any]]:
    """Give `records` (the platform's calls/chats/e-mails) bookings and customers; their events, with faults."""
    rng = random.Random(seed * 7919 + len(records))
    events: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for index, record in enumerate(records):
        topic = record.get(topic_key)
        if record.get("operator") is None or topic is None:
            continue
        if previous is not None and index % 4 == 3:  # the same customer comes back about the same booking
            record["booking"], record["customer"] = previous["booking"], dict(previous["customer"])
        else:
            record["booking"] = booking_code(rng)
            record["customer"] = {"phone": phone(rng)}
        previous = record
        moment = datetime.fromisoformat(str(record[start_key])) + timedelta(minutes=2)
        for position, (kind, amount) in enumerate(_EVENTS.get(str(topic), [])):
            event_id = f"T-{seed:02d}-{record['id']}-{position}"
            if kind == "payment_refunded" and index % 3 == 0:
                continue  # fault: missing — the refund never reaches the gateway
            at = moment + timedelta(minutes=position)
            late = kind == "payment_captured" and index % 5 == 0
            event = {"id": event_id, "type": kind, "at": _t(at), "amount": amount, "currency": "RUB",
                     "booking": record["booking"], "operator_id": record["operator"]["id"],
                     "updated_at": _t(at + timedelta(hours=3) if late else at)}
            events.append(event)
            if kind == "ticket_issued" and index % 2 == 0:
                events.append(dict(event, updated_at=_t(at + timedelta(seconds=30))))  # fault: duplicate
    return events
