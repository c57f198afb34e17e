"""Card security code and expiry date: only where the words around them say so.

«123» or «12/27» alone is a price, a flight or a date; after «код на обороте» or
«срок действия» it is card data.
"""

from __future__ import annotations

import re

from qa_service.core.redaction.cues import CARD_CONTEXT
from qa_service.core.redaction.document import Document
from qa_service.core.redaction.numbers import NumberGroup
from qa_service.core.redaction.spans import Span, SpanIndex

CVV_CONTEXT = re.compile(
    r"\bcvv2?\b|\bcvc2?\b|\bcvv-?код|\bсвв\b|\bсвс\b|\bцвв\b|\bцвц\b|си-?ви-?(?:ви|си)|"
    r"на оборот\w*|оборотн\w* сторон|обратн\w* сторон|с обратки|\bсзади\b|"
    r"код\w* безопасност|защитн\w* код|секретн\w* код|проверочн\w* код|"
    r"тр[её]хзначн\w*|последни\w* три цифры|три цифры"
)
# «код» on its own is an SMS code as often as a CVV: only near «карта».
_BARE_CODE = re.compile(r"\bкод\w*\b")
EXPIRY_CONTEXT = re.compile(
    r"срок\w* (?:действия|карты)|действ\w* до|действительн\w* до|годн\w* до|истека\w*|"
    r"\bexp\w*|valid thru|мм/гг|mm/yy|по какое|до какого"
)
# «срок» alone is as often a refund or payment deadline: only near «карта».
_BARE_TERM = re.compile(r"\bсрок\w*|\bдо\b")
_EXPIRY_WRITTEN = re.compile(r"\b(0?[1-9]|1[0-2])\s?[/.\\-]\s?((?:20)?[2-4]\d)\b")
_MONTH = re.compile(
    r"\b(?:январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр)\w*", re.IGNORECASE
)


def _cvv_in(groups: list[NumberGroup]) -> Span | None:
    """The code at the head of `groups`: 3 digits, or 4 when that is all there is (Amex)."""
    count = 0
    total = sum(len(g.digits) for g in groups)
    for group in groups:
        count += len(group.digits)
        if count == 3 or (count == 4 and total == 4):
            return Span(groups[0].start, group.end, "cvv")
        if count > 4:
            break
    return None


def _near_card(doc: Document, at: int, cards: SpanIndex, reach: int) -> bool:
    """Is there a card cue, or a card number just found, within `reach` characters before `at`?"""
    return doc.before(CARD_CONTEXT, at, reach) or cards.ends_within(at - reach, at)


def find_cvv(doc: Document, cards: list[Span]) -> list[Span]:
    """3–4 digits said right after (or just before) a CVV/CVC cue, or typed right after card and expiry."""
    found: list[Span] = []
    cues = list(CVV_CONTEXT.finditer(doc.lower))
    near = SpanIndex(cards)
    cues += [m for m in _BARE_CODE.finditer(doc.lower) if _near_card(doc, m.start(), near, 120)]
    for cue in cues:
        # A lone «три» of «три цифры» is the count, not the code: a code has 3–4 digits.
        # Groups inside the cue («cvc2») are part of its name.
        after = [
            groups
            for run in doc.runs_between(cue.start(), cue.end() + 40)
            if cue.end() <= run.end
            for groups in [[g for g in run.groups if g.start >= cue.end()]]
            if sum(len(g.digits) for g in groups) >= 3
        ]
        span = _cvv_in(after[0]) if after else None
        if span is None:
            before = [r for r in doc.runs_ending_between(cue.start() - 12, cue.start()) if len(r.digits) in (3, 4)]
            span = _cvv_in(list(before[-1].groups)) if before else None
        if span is not None:
            found.append(span)
    # Chat shorthand «4276 … 5678 12/27 123»: card, expiry, then three digits.
    for card in cards:
        expiry = _EXPIRY_WRITTEN.match(doc.text, _skip_gap(doc.text, card.end))
        if expiry:
            code = _CVV_WRITTEN.match(doc.text, _skip_gap(doc.text, expiry.end()))
            if code:
                found.append(Span(*code.span(), "cvv"))
    return found


_CVV_WRITTEN = re.compile(r"\d{3,4}\b")
_SPOKEN_EXPIRY_LEAD = re.compile(r"\b(?:до|по)\s+$")


def _skip_gap(text: str, at: int) -> int:
    """Past the few spaces or commas between two typed values."""
    limit = min(len(text), at + 4)
    while at < limit and text[at] in " ,;:-–—":
        at += 1
    return at


def _plausible_expiry(groups: list[str]) -> bool:
    if len(groups) < 2:
        return False
    month, year = groups[0], "".join(groups[1:])
    if month == "0" and len(groups) >= 3:
        month, year = groups[1], "".join(groups[2:])
    if not (month.isdigit() and 1 <= int(month) <= 12):
        return False
    return (len(year) == 2 and 20 <= int(year) <= 49) or (len(year) == 4 and 2020 <= int(year) <= 2049)


def _spoken_ordinal_expiry(doc: Document) -> list[Span]:
    """«до пятого тридцать первого»: an ordinal month then an ordinal year is only ever an expiry."""
    found: list[Span] = []
    for run in doc.runs:
        groups = run.groups
        if (
            len(groups) >= 2
            and groups[0].spoken
            and groups[0].ordinal
            and groups[1].ordinal
            and 1 <= int(groups[0].digits) <= 12
            and 20 <= int(groups[1].digits) <= 49
            and _SPOKEN_EXPIRY_LEAD.search(doc.lower, max(0, run.start - 6), run.start)
        ):
            found.append(Span(run.start, groups[1].end, "card_expiry"))
    return found


def find_expiry(doc: Document, cards: list[Span]) -> list[Span]:
    """MM/YY typed or said («до восьмого двадцать девятого», «август 29-го») after an expiry cue."""
    found: list[Span] = _spoken_ordinal_expiry(doc)
    for card in cards:
        written = _EXPIRY_WRITTEN.match(doc.text, _skip_gap(doc.text, card.end))
        if written:
            found.append(Span(*written.span(), "card_expiry"))
    cues = list(EXPIRY_CONTEXT.finditer(doc.lower))
    near = SpanIndex(cards)
    cues += [m for m in _BARE_TERM.finditer(doc.lower) if _near_card(doc, m.start(), near, 80)]
    for cue in cues:
        window_end = min(len(doc.text), cue.end() + 40)
        written = _EXPIRY_WRITTEN.search(doc.text, cue.end(), window_end)
        if written:
            found.append(Span(*written.span(), "card_expiry"))
            continue
        month = _MONTH.search(doc.lower, cue.end(), window_end)
        runs = doc.runs_between(cue.end(), window_end)
        if month and runs and runs[0].start >= month.end() and runs[0].start - month.end() <= 3:
            year = runs[0].groups[0].digits
            if (len(year) == 2 and 20 <= int(year) <= 49) or (len(year) == 4 and 2020 <= int(year) <= 2049):
                found.append(Span(month.start(), runs[0].groups[0].end, "card_expiry"))
                continue
        for run in runs[:1]:
            digits = [g.digits for g in run.groups[:3]]
            mmyy = digits[0]
            # «срок действия 0828»: four typed digits, only after a cue that names the expiry.
            named = EXPIRY_CONTEXT.fullmatch(cue.group()) is not None
            if len(mmyy) == 4 and named and _plausible_expiry([mmyy[:2], mmyy[2:]]):
                found.append(Span(run.groups[0].start, run.groups[0].end, "card_expiry"))
                continue
            for size in (3, 2):
                if len(digits) >= size and _plausible_expiry(digits[:size]):
                    found.append(Span(run.start, run.groups[size - 1].end, "card_expiry"))
                    break
    return found
