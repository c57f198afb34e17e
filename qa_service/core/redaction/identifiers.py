"""Russian personal identifiers: СНИЛС and ИНН (checksummed) and the passport."""

from __future__ import annotations

import re

from qa_service.core.redaction.document import Document
from qa_service.core.redaction.numbers import NumberRun, windows
from qa_service.core.redaction.spans import Span, SpanIndex

SNILS_CONTEXT = re.compile(r"снилс|страхов\w* (?:номер|свидетельств)|пенсионн")
INN_CONTEXT = re.compile(r"\bинн\b|идентификационн\w* номер налог|налогов\w* номер")
PASSPORT_CONTEXT = re.compile(r"паспорт|\bсери[яиюей]\b|загран|удостоверени\w* личност")
_FOREIGN_PASSPORT = re.compile(r"загран|заграничн")
_SNILS_WRITTEN = re.compile(r"\b\d{3}[- ]\d{3}[- ]\d{3}[- ]{1,2}\d{2}\b")
_PASSPORT_WRITTEN = re.compile(r"\b\d{2}[ ]\d{2}[ ]?(?:№|N|номер)?[ ]?\d{6}\b")
_PHONE_SHAPED = re.compile(r"[78][3489]\d{9}|9\d{9}")


def snils_valid(digits: str) -> bool:
    """СНИЛС check number: weights 9…1 over the first nine digits, mod 101 (100 and 101 → 00)."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits[:9]))
    check = total % 101
    if check == 100:
        check = 0
    return check == int(digits[9:])


_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _inn_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_valid(digits: str) -> bool:
    """ИНН check digits: one for a company's 10 digits, two for a person's 12."""
    if not digits.isdigit():
        return False
    if len(digits) == 10:
        return _inn_digit(digits, _INN10) == int(digits[9])
    if len(digits) == 12:
        return _inn_digit(digits, _INN11) == int(digits[10]) and _inn_digit(digits, _INN12) == int(digits[11])
    return False


def find_snils(doc: Document, keep: SpanIndex) -> list[Span]:
    """11 digits with a valid check number, said near «СНИЛС» or written as 123-456-789 01."""
    found: list[Span] = []
    written = [m.span() for m in _SNILS_WRITTEN.finditer(doc.text)]
    for run in doc.runs:
        for i, j, digits in windows(run, 11, 11):
            start, end = run.groups[i].start, run.groups[j].end
            if not snils_valid(digits) or keep.overlaps(start, end):
                continue
            if doc.before(SNILS_CONTEXT, start, 60) or (start, end) in written:
                found.append(Span(start, end, "snils"))
    return found


def find_inn(doc: Document, keep: SpanIndex) -> list[Span]:
    """10- or 12-digit ИНН with valid check digits: near «ИНН», or 12 digits typed as one number."""
    found: list[Span] = []
    for run in doc.runs:
        for i, j, digits in windows(run, 10, 12):
            if len(digits) == 11 or not inn_valid(digits):
                continue
            start, end = run.groups[i].start, run.groups[j].end
            if keep.overlaps(start, end):
                continue
            lone_personal = len(digits) == 12 and i == j and not _PHONE_SHAPED.match(digits)
            if doc.before(INN_CONTEXT, start, 50) or lone_personal:
                found.append(Span(start, end, "inn"))
    return found


def find_passports(doc: Document, keep: SpanIndex) -> list[Span]:
    """Series and number (4+6 digits; 2+7 for a foreign passport) said after «паспорт»/«серия»."""
    found: list[Span] = [
        Span(*m.span(), "passport")
        for m in _PASSPORT_WRITTEN.finditer(doc.text)
        if not keep.overlaps(*m.span())
    ]
    for match in PASSPORT_CONTEXT.finditer(doc.lower):
        lengths = (9, 10) if _FOREIGN_PASSPORT.match(doc.lower, match.start()) else (10,)
        runs = doc.runs_between(match.end(), match.end() + 60)
        span = _series_and_number(runs, lengths)
        if span and not keep.overlaps(span.start, span.end):
            found.append(span)
    return found


def _series_and_number(runs: list[NumberRun], lengths: tuple[int, ...]) -> Span | None:
    for index, run in enumerate(runs):
        for i, j, digits in windows(run, min(lengths), max(lengths)):
            if len(digits) in lengths and i == 0:
                return Span(run.groups[i].start, run.groups[j].end, "passport")
        # «серия 45 08, номер 123456»: series and number as two runs with a word between.
        if len(run.digits) in (2, 4) and index + 1 < len(runs):
            following = runs[index + 1]
            if following.start - run.end <= 20 and len(following.digits) in (6, 7):
                return Span(run.start, following.end, "passport")
        # The series alone («паспорт серии 45 09, номер… ») is still part of the document number.
        if index == 0 and len(run.digits) == 4:
            return Span(run.start, run.end, "passport")
    return None
