"""Redaction of card and personal data in Russian contact-center text.

Runs before anything is stored: transcripts, chat and e-mail text, evidence quotes, logs,
exports.  `redact(text)` returns the text with typed placeholders and the spans (offsets
into the input) that were removed; `contains_card_number` drives the ingestion flag.
"""

from __future__ import annotations

from qa_service.core.redaction.cards import known_issuer, luhn_valid
from qa_service.core.redaction.contacts import AIRLINE_PUBLIC_PHONES
from qa_service.core.redaction.identifiers import inn_valid, snils_valid
from qa_service.core.redaction.interaction import RedactedInteraction, redact_interaction
from qa_service.core.redaction.redactor import contains_card_number, find_spans, redact
from qa_service.core.redaction.spans import KINDS, PLACEHOLDERS, Redaction, Span
from qa_service.core.redaction.timed import TimedRedaction, redact_timed_words

__all__ = [
    "AIRLINE_PUBLIC_PHONES",
    "KINDS",
    "PLACEHOLDERS",
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
    "redact_interaction",
    "redact_timed_words",
    "snils_valid",
]
