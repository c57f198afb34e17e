"""Payment card numbers (PAN): Luhn, issuer ranges, and where they stand in the text."""

from __future__ import annotations

import re

from qa_service.core.redaction.cues import CARD_CONTEXT, money_run
from qa_service.core.redaction.document import Document
from qa_service.core.redaction.numbers import NumberRun, windows
from qa_service.core.redaction.spans import Span, SpanIndex

# (first digits low, high, allowed lengths): Visa, Mastercard, Мир, Amex, Diners, JCB,
# Discover, UnionPay, Maestro.  Sources: the schemes' public IIN tables.
_IIN_RANGES: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (4, 4, (13, 16, 19)),
    (51, 55, (16,)),
    (2221, 2720, (16,)),
    (2200, 2204, (16, 17, 18, 19)),
    (34, 34, (15,)),
    (37, 37, (15,)),
    (300, 305, (14, 16, 17, 18, 19)),
    (36, 36, (14, 16, 17, 18, 19)),
    (38, 39, (16, 17, 18, 19)),
    (3528, 3589, (16, 17, 18, 19)),
    (6011, 6011, (16, 17, 18, 19)),
    (644, 649, (16, 17, 18, 19)),
    (65, 65, (16, 17, 18, 19)),
    (62, 62, (16, 17, 18, 19)),
    (50, 50, (13, 14, 15, 16, 17, 18, 19)),
    (56, 69, (13, 14, 15, 16, 17, 18, 19)),
)

def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number passes."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def known_issuer(digits: str) -> bool:
    """Does the number start with a card scheme's IIN and have one of its lengths?"""
    for low, high, lengths in _IIN_RANGES:
        width = len(str(low))
        if low <= int(digits[:width]) <= high and len(digits) in lengths:
            return True
    return False


def _is_card(digits: str, typed_whole: bool, in_card_context: bool) -> bool:
    if not 13 <= len(digits) <= 19:
        return False
    if luhn_valid(digits):
        # Storing a PAN is the costly mistake, so no issuer check for a Luhn-valid number
        # typed as one block or 16 digits long (even a phone followed by more digits).
        # Other groupings of other lengths need a real issuer range.
        return typed_whole or len(digits) == 16 or known_issuer(digits)
    # A customer who misreads one digit still leaks fifteen: near «карта» a number of a
    # real issuer's shape goes even when its check digit is wrong, and so does one that
    # speech recognition heard a digit short or long (15 or 17 digits).
    if not in_card_context:
        return False
    if len(digits) == 16:
        return known_issuer(digits)
    return len(digits) in (15, 17) and _issuer_prefix(digits)


def _issuer_prefix(digits: str) -> bool:
    """Does the number start like a 16-digit card of some scheme (length aside)?"""
    return any(low <= int(digits[: len(str(low))]) <= high for low, high, lengths in _IIN_RANGES if 16 in lengths)


def _ends_at_break(text: str, run: NumberRun, first: int, last: int) -> bool:
    """Does the window end the run, or is the separator after it unlike those inside it?"""
    groups = run.groups
    if last == len(groups) - 1:
        return True
    inside = {text[groups[k].end : groups[k + 1].start] for k in range(first, last)}
    after = text[groups[last].end : groups[last + 1].start]
    return after not in inside or any(mark in after for mark in ",.;")


# What a caller says while reading a card off its face: pauses, not content.
_PAUSE_WORDS = frozenset((
    "секунду", "секундочку", "сек", "минуту", "минутку", "момент", "подождите", "погодите", "сейчас", "щас",
    "так", "ага", "да", "угу", "ну", "вот", "значит", "э", "ээ", "эм", "ещё", "еще", "дальше", "потом", "далее",
    "записали", "записываете", "записывайте", "пишите", "успеваете", "всё", "все",
))
_WORD = re.compile(r"[^\W\d_]+")


def _is_pause(gap: str) -> bool:
    words = _WORD.findall(gap)
    return len(gap) <= 40 and len(words) <= 4 and all(w in _PAUSE_WORDS for w in words)


def _interrupted_dictations(doc: Document) -> list[NumberRun]:
    """Runs of one card dictation split by a few words («4276 3800… секунду… 1234 5679»).

    Only after a card cue, and only while the pieces joined so far are shorter than a card.
    """
    joined: list[NumberRun] = []
    runs = doc.runs
    index = 0
    while index < len(runs):
        first = runs[index]
        groups = list(first.groups)
        count = len(first.digits)
        nxt = index + 1
        while (
            nxt < len(runs)
            and count < 16  # a dictation in short groups: keep joining until a whole card is in
            and _is_pause(doc.lower[runs[nxt - 1].end : runs[nxt].start])
            and count + len(runs[nxt].digits) <= 19
        ):
            groups.extend(runs[nxt].groups)
            count += len(runs[nxt].digits)
            nxt += 1
        if nxt > index + 1 and count >= 13 and doc.before(CARD_CONTEXT, first.start, 120):
            joined.append(NumberRun(tuple(groups)))
        index = nxt
    return joined


def find_cards(doc: Document, keep: SpanIndex) -> list[Span]:
    """Card numbers written or spoken in any grouping; ticket numbers in `keep` stay."""
    found: list[Span] = []
    for run in [*doc.runs, *_interrupted_dictations(doc)]:
        if len(run.digits) < 13:
            continue
        context = doc.before(CARD_CONTEXT, run.start, 80)
        money = money_run(doc, run)
        taken_until = -1
        # From each group on: a reading that ends where the writing changes («4523-…-475 02/28»
        # ends before the space), then a 16-digit one (most cards), then the longest.
        ranked = sorted(
            windows(run, 13, 19), key=lambda w: (w[0], not _ends_at_break(doc.text, run, w[0], w[1]),
                                                 len(w[2]) != 16, -len(w[2]))
        )
        for i, j, digits in ranked:
            if i <= taken_until:
                continue
            start, end = run.groups[i].start, run.groups[j].end
            typed_whole = i == j and not run.groups[i].spoken
            if money and not typed_whole:
                continue
            if _is_card(digits, typed_whole, context) and not keep.overlaps(start, end):
                found.append(Span(start, end, "card"))
                taken_until = j
    return found
