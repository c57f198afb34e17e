"""Contact data: phone numbers (+7/8, any grouping, spoken, foreign with «+») and e-mail."""

from __future__ import annotations

import re
from collections.abc import Iterable

from qa_service.core.redaction.cues import money_run
from qa_service.core.redaction.document import Document
from qa_service.core.redaction.numbers import windows
from qa_service.core.redaction.spans import Span, SpanIndex

# «Северный Ветер»'s public line: said to every caller, it is not personal data.
AIRLINE_PUBLIC_PHONES: tuple[str, ...] = ("8 800 700-35-35",)

# The look-behinds make a match start only where an address can start, and the possessive
# quantifiers never give characters back: both keep a long «a.a.a.…» line linear.
EMAIL = re.compile(
    r"(?<![\w.+%-])[\w.+%-]++@[\w-]++(?:\.[\w-]++)++"
    # Dictated: «ivanov собака mail точка ru».
    r"|(?<![a-z0-9._-])[a-z0-9][a-z0-9._-]*+\s+(?:собака|собачка)\s+[a-z0-9-]++\s+(?:точка|dot)\s+"
    r"(?:ru|ру|com|ком|рф|net|org|su)\b",
    re.IGNORECASE,
)
_TOP_LEVEL = re.compile(r"[^\W\d_]{2,}")
PHONE_CONTEXT = re.compile(
    r"телефон|\bтел\b|мобильн|сотов|позвон|перезвон|номер для связи|связ|whats\s?app|ватсап|вотсап|viber|вайбер"
    r"|telegram|телеграм|смс|sms|\bномер\b"
)
# Numbers of things, not people: a 10–11 digit order or booking number is not a phone.
NOT_PHONE_CONTEXT = re.compile(
    r"заказ|брон|билет|рейс|договор|сч[её]т|заявк|обращени|квитанц|emd|эмд|накладн|транзакц|операци|чек"
)


def _national(digits: str) -> str:
    """Last ten digits: the same phone whether said with +7, 8 or no prefix."""
    return digits[-10:]


def keep_set(keep_phones: Iterable[str]) -> frozenset[str]:
    """The phones never to redact, in comparable form."""
    return frozenset(_national(re.sub(r"\D", "", p)) for p in keep_phones if len(re.sub(r"\D", "", p)) >= 10)


def find_emails(doc: Document) -> list[Span]:
    """Typed or dictated e-mail addresses (the top-level domain must be letters)."""
    found: list[Span] = []
    for match in EMAIL.finditer(doc.text):
        if "@" in match.group() and not _TOP_LEVEL.fullmatch(match.group().rsplit(".", 1)[-1]):
            continue
        found.append(Span(*match.span(), "email"))
    return found


def _phone_shape(digits: str, international: bool, plus: bool) -> bool:
    if international:
        return 10 <= len(digits) <= 15
    if plus and len(digits) == 11:
        return digits[0] == "7"  # +7 7xx is Kazakhstan
    if len(digits) == 11:
        return digits[0] in "78" and digits[1] in "3489"
    return len(digits) == 10 and digits[0] in "3489"


def find_phones(doc: Document, keep: SpanIndex, public: frozenset[str]) -> tuple[list[Span], list[Span]]:
    """Personal phone numbers, and the airline's public lines found (to keep them whole)."""
    found: list[Span] = []
    kept: list[Span] = []
    for run in doc.runs:
        taken_until = -1
        for i, j, digits in sorted(windows(run, 10, 15), key=lambda w: (w[0], -len(w[2]))):
            if i <= taken_until:
                continue
            start, end = run.groups[i].start, run.groups[j].end
            plus = doc.text[max(0, start - 1) : start] == "+"
            international = plus and digits[0] != "7"
            if not _phone_shape(digits, international, plus) or (len(digits) > 11 and not international):
                continue
            if _national(digits) in public and len(digits) <= 11:
                kept.append(Span(start, end, "phone"))
                taken_until = j
                continue
            if keep.overlaps(start, end):
                continue
            # The nearer cue wins: «номер заказа 8912…» is an order, «заказ, мой телефон 8912…» a phone.
            cue = doc.last_before(PHONE_CONTEXT, start, 50)
            not_cue = doc.last_before(NOT_PHONE_CONTEXT, start, 40)
            wanted = cue >= 0 and cue > not_cue
            if not_cue > cue:
                continue
            # Without a cue or «+» a phone is a whole stretch of numbers on its own, not the
            # middle of a price list: «цены: 16 970, 29 645, 81 596».
            alone = i == 0 and (len(digits) == 11 or j == len(run.groups) - 1)
            if not (wanted or plus) and (not alone or money_run(doc, run)):
                continue
            # Without a prefix only a mobile (9xx) goes by shape alone; a landline needs context.
            if len(digits) == 10 and digits[0] != "9" and not (wanted or plus):
                continue
            found.append(Span(start - 1 if plus else start, end, "phone"))
            taken_until = j
    return found, kept
