"""What QA needs and must survive redaction: ticket numbers, booking codes, flights, money.

Detectors drop a candidate that overlaps one of these spans (a card number only yields
to a ticket number: nothing else may shield a PAN).
"""

from __future__ import annotations

import re

from qa_service.core.redaction.cues import CARD_CONTEXT
from qa_service.core.redaction.document import Document
from qa_service.core.redaction.numbers import NumberRun
from qa_service.core.redaction.spans import Span

TICKET_CONTEXT = re.compile(r"билет|\bemd\b|\bэмд\b|маршрутн\w* квитанц|\betkt\b|\bticket")
# Airline designators are upper case («SU 1234», «ЮТ 123»); lower-case «на 909» is a phone.
FLIGHT = re.compile(
    r"\b(?:[A-Z]{2}|[A-Z]\d|\d[A-Z]|[А-ЯЁ]{2})[ -]?\d{2,4}\b"
    r"|(?i:\bрейс\w*\s+(?:номер\s+|№\s*)?\d{2,4}\b)"
)
AMOUNT = re.compile(
    r"\b\d{1,3}(?:[  ]\d{3}){0,2}(?:[.,]\d{1,2})?\s?(?:₽|руб\w*|р\.|rub|евро|€|\$|долл\w*|usd|eur|тенге|сум\b)",
    re.IGNORECASE,
)
# A booking code mixes letters and digits: «4HJ5KL», «ЖК4Р2Т».
PNR = re.compile(r"\b(?=[A-ZА-ЯЁ0-9]*\d)(?=[A-ZА-ЯЁ0-9]*[A-ZА-ЯЁ])[A-ZА-ЯЁ0-9]{5,6}\b")
MEASURE = re.compile(r"\b\d{1,3}(?:[.,]\d)?\s?(?:кг|килограм\w*|см|сантиметр\w*)\b", re.IGNORECASE)


def _split_into_tickets(run: NumberRun) -> list[Span] | None:
    """The run as consecutive 13-digit numbers on group boundaries, or None if it is not that."""
    spans: list[Span] = []
    count, first = 0, 0
    for index, group in enumerate(run.groups):
        count += len(group.digits)
        if count == 13:
            spans.append(Span(run.groups[first].start, group.end, "ticket"))
            count, first = 0, index + 1
        elif count > 13:
            return None
    return spans if spans and count == 0 else None


def find_tickets(doc: Document) -> list[Span]:
    """13-digit ticket numbers (3-digit airline prefix + 10) said near «билет»/«EMD».

    Only a run that is one or more whole ticket numbers counts: a 16-digit card dictated
    digit by digit right after «оплатить билет картой» contains 13-digit windows too, and
    must not hide behind them.  A card cue nearer than the ticket cue wins as well.
    """
    found: list[Span] = []
    for run in doc.runs:
        if len(run.digits) % 13:
            continue
        ticket_cue = doc.last_before(TICKET_CONTEXT, run.start, 80)
        near = ticket_cue >= 0 and ticket_cue >= doc.last_before(CARD_CONTEXT, run.start, 80)
        if not (near or doc.after(TICKET_CONTEXT, run.end, 30)):
            continue
        found.extend(_split_into_tickets(run) or [])
    return found


def find_kept(doc: Document) -> tuple[list[Span], list[Span]]:
    """(tickets, everything else QA keeps): tickets may shield card-shaped numbers, others not."""
    tickets = find_tickets(doc)
    others = [
        Span(*m.span(), "keep")
        for pattern in (FLIGHT, AMOUNT, PNR, MEASURE)
        for m in pattern.finditer(doc.text)
    ]
    return tickets, others
