"""The card rule of record for stored text: any Luhn-valid run of 13–19 digits, however separated.

The redactor (`cards.py`) reads people: spoken numbers, card cues, issuer ranges.  This rule reads
machines: platform identifiers, keys, names typed into forms, log lines and every stored cell
the card scan checks.  Digits may be joined by one space, dash, dot or underscore
(«4111_1111_1111_1111») or by nothing, one way through the number: «15 94.44 89.02» is a row
of a table, not a card.  A run longer than a card is checked at its separators (each window
of whole groups), so a card inside «order-4111…1111-7» is found without reading every
substring of a long number.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import unquote_plus

from qa_service.core.redaction.cards import luhn_valid

SEPARATORS = " ._-"
_RUN = re.compile(r"(?<!\d)\d+(?:[ ._\-]{1,3}\d+)*(?!\d)")
_GROUP = re.compile(r"\d+")
_DECIMAL = re.compile(r"\d+\.\d+")


@dataclass(frozen=True)
class CardRun:
    """Where a card-like number stands in a text, and its digits."""

    start: int
    end: int
    digits: str

    @property
    def masked(self) -> str:
        """The last four digits only, as a report may show them: «************1111»."""
        return "*" * (len(self.digits) - 4) + self.digits[-4:]


def _style(separator: str) -> str:
    """A separator's kind: «-» and « - » are both dashes; spaces alone are a space."""
    return separator.strip() or " "


def card_runs(text: str) -> list[CardRun]:
    """Every Luhn-valid 13–19-digit run in `text`, in any separator style, non-overlapping."""
    found: list[CardRun] = []
    for match in _RUN.finditer(text):
        if sum(c.isdigit() for c in match.group()) < 13 or _DECIMAL.fullmatch(match.group()):
            # A plain decimal («0.30000000000000004» from a float) is a measurement, not a card.
            continue
        groups = [(m.start() + match.start(), m.end() + match.start(), m.group())
                  for m in _GROUP.finditer(match.group())]
        taken_until = -1
        for i in range(len(groups)):
            if i <= taken_until:
                continue
            digits = ""
            style = None
            for j in range(i, len(groups)):
                if j > i:
                    between = _style(text[groups[j - 1][1] : groups[j][0]])
                    if style is not None and between != style:
                        break  # «15 94.44 89.02»: a row of a table, not one number written one way
                    style = between
                digits += groups[j][2]
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and luhn_valid(digits):
                    found.append(CardRun(groups[i][0], groups[j][1], digits))
                    taken_until = j
                    break
    return found


def card_runs_anywhere(text: str) -> list[CardRun]:
    """`card_runs` of the text and of its URL-decoded form («4111%201111…» in a logged URL)."""
    found = card_runs(text)
    if "%" in text or "+" in text:
        decoded = unquote_plus(text)
        if decoded != text:
            found.extend(card_runs(decoded))
    return found


def mask_card_runs(text: str, placeholder: str = "[карта]") -> str:
    """`text` with every card run (also URL-encoded ones) replaced by `placeholder`."""
    if not any(c.isdigit() for c in text):
        return text
    runs = card_runs(text)
    for run in reversed(runs):
        text = text[: run.start] + placeholder + text[run.end :]
    if "%" in text:
        decoded = unquote_plus(text)
        if card_runs(decoded):
            # A URL-encoded card: the decoded form, masked, is the only safe one to keep.
            return mask_card_runs(decoded, placeholder)
    return text


def tokenize_card_runs(text: str, key: bytes) -> str:
    """`text` with each card run replaced by a keyed token «[c1a2b3c4d5e]» of its digits.

    For identifiers that must stay joinable (an interaction's external id, an agent's platform
    id, a meta key): the same card in the same place always gives the same token, so a repeat
    delivery still finds its row, while two different ids stay different.  The token is an
    HMAC-SHA256 with the service's secret key (a keyed hash, as PCI DSS asks, because an
    unkeyed hash of a card number is found again by trying the few possible numbers).  The token
    is 13 characters, no longer than the shortest card run, so a value within its column's
    length stays within it; 40 bits keep ids apart.
    """
    if not any(c.isdigit() for c in text):
        return text
    text = _tokenized(text, key)
    if "%" in text and card_runs(unquote_plus(text)):
        # A URL-encoded card (a recording URI's query): tokenized in the decoded form.
        text = _tokenized(unquote_plus(text), key)
    return text


def _tokenized(text: str, key: bytes) -> str:
    for run in reversed(card_runs(text)):
        token = hmac.new(key, run.digits.encode("ascii"), hashlib.sha256).hexdigest()[:10]
        text = f"{text[: run.start]}[c{token}]{text[run.end :]}"
    return text
