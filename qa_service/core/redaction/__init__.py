"""Redaction of card and personal data in Russian contact-center text.

Runs before anything is stored: transcripts, chat and e-mail text, evidence quotes, logs,
exports.  `redact(text)` returns the text with typed placeholders and the spans (offsets
into the input) that were removed.  `redact_interaction` is the one redaction of a whole
interaction before it is stored or scored; its spans give the card flag.
"""

from __future__ import annotations

from qa_service.core.redaction.cards import known_issuer, luhn_valid
from qa_service.core.redaction.contacts import AIRLINE_PUBLIC_PHONES
from qa_service.core.redaction.identifiers import inn_valid, snils_valid
from qa_service.core.redaction.interaction import CARD_KINDS, FoundSpan, RedactedInteraction, redact_interaction
from qa_service.core.redaction.redactor import contains_card_number, find_spans, redact, redact_card_data
from qa_service.core.redaction.spans import KINDS, PLACEHOLDERS, Redaction, Span
from qa_service.core.redaction.timed import TimedRedaction, redact_timed_words

__all__ = [
    "AIRLINE_PUBLIC_PHONES",
    "CARD_KINDS",
    "KINDS",
    "PLACEHOLDERS",
    "FoundSpan",
    "RedactedInteraction",
    "Redaction",
    "Span",
    "TimedRedaction",
    "contains_card_number",
    "find_spans",
    "inn_valid",
    "known_issuer",
    "luhn_valid",
    "redact",
    "redact_card_data",
    "redact_interaction",
    "redact_timed_words",
    "snils_valid",
]
