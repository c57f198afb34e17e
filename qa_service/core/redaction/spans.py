"""What a redaction returns: typed spans over the input text and the text with placeholders."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

# The kinds are part of the CLI contract (contracts/README.md): keep these names exactly.
PLACEHOLDERS: dict[str, str] = {
    "card": "[карта]",
    "cvv": "[CVV]",
    "card_expiry": "[срок карты]",
    "passport": "[паспорт]",
    "phone": "[телефон]",
    "email": "[email]",
    "snils": "[СНИЛС]",
    "inn": "[ИНН]",
    "name": "[имя]",
}
KINDS: tuple[str, ...] = tuple(PLACEHOLDERS)
# The card's own data: what a card split over two messages, or typed into a comment, leaks.
CARD_SPAN_KINDS = frozenset({"card", "cvv", "card_expiry"})

# When two candidates overlap, the one that matters more for compliance wins: a card
# number must never survive because a phone rule claimed part of it.
PRIORITY: dict[str, int] = {kind: rank for rank, kind in enumerate(
    ("card", "cvv", "card_expiry", "snils", "inn", "passport", "phone", "email", "name")
)}


@dataclass(frozen=True, order=True)
class Span:
    """A removed piece of the INPUT text: `text[start:end]` was of `kind`."""

    start: int
    end: int
    kind: str

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class Redaction:
    """The redacted text and where (in the input) each placeholder stands."""

    text: str
    spans: list[Span] = field(default_factory=list)


class SpanIndex:
    """Overlap queries against many spans in O(log n): long e-mails carry thousands of them."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self._spans = sorted(spans)
        self._starts = [s.start for s in self._spans]
        self._ends = sorted(s.end for s in self._spans)
        self._max_end: list[int] = []
        for span in self._spans:
            self._max_end.append(max(span.end, self._max_end[-1] if self._max_end else span.end))

    def overlaps(self, start: int, end: int) -> bool:
        """Does any indexed span overlap [start, end)?"""
        before_end = bisect.bisect_left(self._starts, end)
        return before_end > 0 and self._max_end[before_end - 1] > start

    def ends_within(self, low: int, high: int) -> bool:
        """Does any indexed span end in [low, high]?"""
        at = bisect.bisect_left(self._ends, low)
        return at < len(self._ends) and self._ends[at] <= high


def resolve(candidates: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans, higher-priority kinds first, then longer ones; sorted by start."""
    chosen: list[Span] = []  # kept sorted by start; non-overlapping, so sorted by end too
    starts: list[int] = []
    ranked = sorted(candidates, key=lambda s: (PRIORITY[s.kind], -(s.end - s.start), s.start))
    for span in ranked:
        if span.end <= span.start:
            continue
        at = bisect.bisect_left(starts, span.end)
        if at > 0 and chosen[at - 1].end > span.start:
            continue
        chosen.insert(at, span)
        starts.insert(at, span.start)
    return chosen


def apply(text: str, spans: list[Span]) -> str:
    """Replace each (sorted, non-overlapping) span with its kind's placeholder."""
    parts: list[str] = []
    at = 0
    for span in spans:
        parts.append(text[at : span.start])
        parts.append(PLACEHOLDERS[span.kind])
        at = span.end
    parts.append(text[at:])
    return "".join(parts)
