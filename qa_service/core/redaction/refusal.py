"""Where a card number can have no place — an e-mail address, a phone, a rubric's patterns — it is refused.

Redacting such a value would store something else than what was meant (an address that receives
no mail, a pattern that matches «[карта]»), so the form says what is wrong instead, without
quoting the number back.  The test is the redactor's card reading and the card scan's rule
together: what either would call a card is refused.
"""

from __future__ import annotations

from typing import Any

from qa_service.core.errors import UserFacingError
from qa_service.core.redaction.card_words import stored_card_runs
from qa_service.core.redaction.redactor import find_spans


class CardDataRefused(UserFacingError):
    """A value that holds a card number where none can be kept."""


def holds_card_number(text: str) -> bool:
    """Does `text` hold a card number, in digits, words, URL-encoded or split by markup?"""
    if not text:
        return False
    return bool(stored_card_runs(text)) or any(s.kind == "card" for s in find_spans(text, (), names=False))


def refuse_card_number(value: str, field_ru: str, field_en: str) -> str:
    """`value` unchanged, or a one-line refusal naming the field (the number itself is not repeated)."""
    if holds_card_number(value):
        raise CardDataRefused(
            f"{field_ru}: похоже на номер банковской карты — его здесь хранить нельзя; уберите номер",
            f"{field_en}: looks like a payment card number, which cannot be stored here; remove it",
        )
    return value


def refuse_card_numbers_in(value: Any, field_ru: str, field_en: str) -> None:
    """`refuse_card_number` for every string (keys too) of a JSON-like value: a connector's settings."""
    if isinstance(value, str):
        refuse_card_number(value, field_ru, field_en)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_card_numbers_in(key, field_ru, field_en)
            refuse_card_numbers_in(item, field_ru, field_en)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_card_numbers_in(item, field_ru, field_en)


def card_lines(text: str) -> list[int]:
    """1-based numbers of the lines of `text` that hold a card number (for a file's problems)."""
    if not holds_card_number(text):
        return []
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if holds_card_number(line)]
    return lines or [1]  # a number spread over lines: the file as a whole
