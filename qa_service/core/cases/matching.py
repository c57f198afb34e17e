"""Said vs done: the agent's commitments in a contact against the booking and payment events of its case.

The evidence texts are Russian: they are the airline's, shown on its pages and in its report files.

Nothing is a discrepancy without both pieces of evidence: the quote of what was said (or the
contact's reason when the point is that nothing was said) and the events — or the searched
window with no event of the kind — of what was done.  A match's confidence is lower while the
window for a late event is still open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from qa_service.core.cases.commitments import AMOUNT_READ_BACK, PAYMENT_LINK, REFUND_PROMISED, Commitment

EVENT_KINDS = ("ticket_issued", "ticket_exchanged", "ticket_refunded", "emd_issued", "emd_refunded",
               "payment_link_sent", "payment_captured", "payment_refunded")
# The evidence texts are the airline's language (they go into its report files as they are).
EVENT_NAMES = {"ticket_issued": "билет оформлен", "ticket_exchanged": "билет обменян",
               "ticket_refunded": "билет возвращён",
               "emd_issued": "ЭМД оформлен", "emd_refunded": "ЭМД возвращён",
               "payment_link_sent": "ссылка на оплату отправлена", "payment_captured": "оплата списана",
               "payment_refunded": "оплата возвращена"}
REFUND_EVENTS = frozenset({"ticket_refunded", "emd_refunded", "payment_refunded"})
# Events that move money the agent should have read back to the customer.
MONEY_EVENTS = frozenset({"payment_captured", "payment_refunded", "ticket_exchanged", "emd_issued"})
SALE_EVENTS = frozenset({"ticket_issued", "emd_issued"})
DISCREPANCY_KINDS = ("refund_missing", "amount_mismatch", "no_readback", "no_payment_link")

BEFORE = timedelta(minutes=15)  # the agent may start the transaction before the recording starts
DURING = timedelta(minutes=30)  # a transaction made in the contact lands within this after its end
REFUND_WINDOW = timedelta(hours=72)  # a refund promised shows in the gateway within three days
TOLERANCE = 0.5  # roubles: rounding of a spoken amount


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    amount: float | None = None
    event_id: int | None = None


@dataclass(frozen=True)
class Contact:
    interaction_id: int
    started_at: datetime
    ended_at: datetime
    reason: str
    reason_evidence: str | None
    commitments: Sequence[Commitment]


@dataclass(frozen=True)
class Discrepancy:
    interaction_id: int
    kind: str
    said: str
    done: str
    confidence: float
    event_id: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"interaction_id": self.interaction_id, "kind": self.kind, "said": self.said, "done": self.done}


def _money(value: float) -> str:
    return f"{value:,.2f}".replace(",", " ")


def _at(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _describe(event: Event) -> str:
    amount = f" {_money(event.amount)} ₽" if event.amount is not None else ""
    return f"{EVENT_NAMES.get(event.kind, event.kind)}{amount}, {_at(event.at)}"


def match_contact(contact: Contact, events: Sequence[Event], now: datetime) -> list[Discrepancy]:
    """The discrepancies of one contact against its case's events."""
    found: list[Discrepancy] = []
    during = [e for e in events if contact.started_at - BEFORE <= e.at <= contact.ended_at + DURING]
    said = list(contact.commitments)
    read_back = [c for c in said if c.kind == AMOUNT_READ_BACK and c.amount is not None]

    refund_end = contact.ended_at + REFUND_WINDOW
    for promise in (c for c in said if c.kind == REFUND_PROMISED):
        refunds = [e for e in events if e.kind in REFUND_EVENTS and contact.started_at - BEFORE <= e.at <= refund_end]
        if not refunds:
            confidence = 0.9 if now >= refund_end else 0.6
            found.append(Discrepancy(
                contact.interaction_id, "refund_missing", promise.quote,
                f"нет события возврата с {_at(contact.started_at - BEFORE)} по {_at(refund_end)} "
                f"(событий в деле: {len(events)})", confidence))
        break  # one promise is one refund, however often it is repeated

    for event in (e for e in during if e.kind in MONEY_EVENTS and e.amount is not None):
        assert event.amount is not None
        if any(abs(c.amount - event.amount) <= TOLERANCE for c in read_back if c.amount is not None):
            continue
        if read_back:
            nearest = min(read_back, key=lambda c: abs((c.amount or 0) - (event.amount or 0)))
            found.append(Discrepancy(contact.interaction_id, "amount_mismatch", nearest.quote, _describe(event),
                                     0.8, event.event_id))
        else:
            found.append(Discrepancy(contact.interaction_id, "no_readback",
                                     "сумма в обращении не названа",
                                     _describe(event), 0.7, event.event_id))

    sold = [e for e in during if e.kind in SALE_EVENTS]
    link_said = next((c for c in said if c.kind == PAYMENT_LINK), None)
    if (sold or link_said) and contact.reason == "sale" and not any(e.kind == "payment_link_sent" for e in during):
        what = link_said.quote if link_said else (contact.reason_evidence or "sale")
        done = (f"{_describe(sold[0])}; " if sold else "") + (
            "нет события «ссылка на оплату отправлена» за время обращения")
        found.append(Discrepancy(contact.interaction_id, "no_payment_link", what, done,
                                 0.8 if sold else 0.6, sold[0].event_id if sold else None))
    return found
