"""Card digits said in a call, read across turns: what answers a card or CVV request is card data.

The text rules (`cards.py`, `card_details.py`) need a whole Luhn-valid number, or a code
within a few words of its cue.  Speech recognition drops and doubles digits, and people
answer a question in their own next turn («назовите три цифры на обороте» — «семь четыре
два»), so in a call any run of three or more digits (in digits or words) is card data when
it stands after a card cue in the same turn, or anywhere in the next turn of either speaker
after a turn with a cue.  A turn whose digits were taken carries the context on, because a
dictation goes on over several turns («четыре два семь шесть» — «угу» — «три восемь…»).

Amounts, flights, booking codes, ticket numbers and whatever another detector already
claimed (a phone) stay as they are: a price said after «оплатить картой» is not a card.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz.distance import Levenshtein

from qa_service.core.interaction import Turn, Word
from qa_service.core.redaction.cues import money_run
from qa_service.core.redaction.document import Document
from qa_service.core.redaction.keep import find_kept
from qa_service.core.redaction.spans import PLACEHOLDERS, Span, SpanIndex, apply

MIN_DIGITS = 3
# A payment card, as written or as speech recognition hears it («кар ту», «карточк», «visa»),
# not a loyalty or boarding card.
_CARD_CUE = re.compile(
    r"(?<!\w)(?:карт\w*|карточк\w*|кар\s+т[уыа]\b|card|visa|виза|мастер\s?кард\w*|mastercard|maestro|маэстро|"
    r"номер\w*\s+(?:вашей\s+|банковск\w+\s+)?карт\w*)(?!\s+(?:лояльност|бонус|мил|постоянн|болельщ))",
)
_NOT_PAYMENT = re.compile(r"(?:бонусн|мильн|посадочн|лояльност)\w*\s+\w*\s*$")
# The security code and the expiry date, and their misheard forms («си ви ви», «сививи», «на обороти»).
_CVV_CUE = re.compile(
    r"\bcvv2?\b|\bcvc2?\b|\bсвв\b|\bсвс\b|\bцвв\b|си[\s-]?ви[\s-]?(?:ви|си)\b|сиви\w*|"
    r"(?:на\s+)?[ао][бп][ао]р[ао]т\w*|обратн\w*\s+сторон\w*|с\s+обратки|\bсзади\b|"
    r"код\w*\s+безопасност\w*|защитн\w*\s+код\w*|секретн\w*\s+код\w*|проверочн\w*\s+код\w*|"
    r"тр[её]хзначн\w*|тр[её]х\s+ц[иы]фр|(?:три|3)\s+ц[иы]фр\w*|три\s+последн\w*|последн\w*\s+три"
)
_EXPIRY_CUE = re.compile(r"срок\w*\s+(?:действ\w*|карт\w*)|действ\w*\s+до\b|годн\w*\s+до\b|мм\s*/?\s*гг")


@dataclass(frozen=True)
class _Cue:
    end: int
    kind: str  # the placeholder kind the digits after it get: card, cvv, card_expiry


# «номер арты», «номер карди»: the card misheard right after «номер».
_NUMBER_OF = re.compile(r"(?<!\w)номер\w*\s+(?:вашей\s+|моей\s+)?([а-яё]{3,8})(?!\w)")
_CARD_FORMS = ("карта", "карты", "карту", "картой", "карте", "карточки", "карточку")


def _cues(lower: str) -> list[_Cue]:
    found: list[_Cue] = []
    for m in _NUMBER_OF.finditer(lower):
        if any(Levenshtein.distance(m.group(1), form, score_cutoff=1) <= 1 for form in _CARD_FORMS):
            found.append(_Cue(m.end(), "card"))
    for m in _CARD_CUE.finditer(lower):
        if not _NOT_PAYMENT.search(lower, max(0, m.start() - 30), m.start()):
            found.append(_Cue(m.end(), "card"))
    found += [_Cue(m.end(), "cvv") for m in _CVV_CUE.finditer(lower)]
    found += [_Cue(m.end(), "card_expiry") for m in _EXPIRY_CUE.finditer(lower)]
    return sorted(found, key=lambda c: c.end)


def has_card_cue(text: str) -> bool:
    """Does the text name a payment card, its security code or its expiry date?"""
    return bool(_cues(text.lower()))


# What a number said after a card cue may still be: a flight, a time, a weight, a count of days.
_NOT_CARD_BEFORE = re.compile(
    r"(?<!\w)(?:рейс\w*|в|во|через|мест\w*|ряд\w*|телефон\w*|течени\w*|около|примерно|за|от|с|после|"
    r"кроме)\s+$"
)
_NOT_CARD_AFTER = re.compile(r"^\W*(?:[а-яё]+\s+)?(?:кило\w*|кг|рубл\w*|руб|тысяч\w*|процент\w*|минут\w*|"
                             r"час\w*|дн\w*|сут\w*|сантиметр\w*|см\b|евро|доллар\w*|штук\w*|раз\b|год\w*|числ\w*)")


# Another number named between the card cue and the digits: «оплатил картой, номер заказа 123456».
_OTHER_NUMBER = re.compile(
    r"(?<!\w)(?:заказ\w*|брон\w*|билет\w*|рейс\w*|телефон\w*|паспорт\w*|квитанц\w*|emd|эмд|документ\w*|"
    r"сч[её]т\w*|смс|sms|эсэмэс|пин\w*|договор\w*|обращени\w*|заявк\w*|квартир\w*|дом\w*|индекс\w*)"
)


def _phone_shaped(digits: str) -> bool:
    """A Russian phone number (a kept public line among them): no card starts with 7, 8 or 9."""
    return len(digits) >= 10 and digits[0] in "789"


def _kind(digits: str, cue: str) -> str:
    """A code or expiry has at most four digits; anything longer is (part of) the card number."""
    return cue if cue != "card" and len(digits) <= 4 else "card"


def _not_card(doc: Document, start: int, end: int, all_ordinal: bool) -> bool:
    """A flight, a time, a weight, a date («двадцать пятого»): said after a card cue, still not card data."""
    if all_ordinal or _NOT_CARD_AFTER.match(doc.lower[end:end + 16]):
        return True
    return _NOT_CARD_BEFORE.search(doc.lower[max(0, start - 16):start]) is not None


def _runs(text: str, after: int, cue: str, taken: SpanIndex) -> list[Span]:
    """Runs of ≥ 3 digits starting at or after `after` that no other rule keeps or claims."""
    doc = Document(text)
    tickets, kept = find_kept(doc)
    shield = SpanIndex([*tickets, *kept])
    spans: list[Span] = []
    for run in doc.runs:
        if run.start < after or len(run.digits) < MIN_DIGITS:
            continue
        if shield.overlaps(run.start, run.end) or taken.overlaps(run.start, run.end) or money_run(doc, run):
            continue
        if _not_card(doc, run.start, run.end, all(g.ordinal for g in run.groups)):
            continue
        if _OTHER_NUMBER.search(doc.lower, after, run.start) or _phone_shaped(run.digits):
            continue
        spans.append(Span(run.start, run.end, _kind(run.digits, cue)))
    return spans


def spoken_card_spans(
    texts: Sequence[str], speakers: Sequence[str], claimed: Sequence[Sequence[Span]] = ()
) -> dict[int, list[Span]]:
    """Per turn index, the card-data spans (offsets into that turn's text) the call's context gives.

    `claimed[i]` are spans other detectors already found in turn i (a phone stays a phone)."""
    out: dict[int, list[Span]] = {}
    pending: dict[int, str] = {}  # turn index → kind of the cue that reaches into it
    for index, text in enumerate(texts):
        # After a card cue a card outranks a phone: 14 dictated digits are not a phone number and ten.
        taken = SpanIndex([s for s in (claimed[index] if index < len(claimed) else ()) if s.kind != "phone"])
        lower = text.lower()
        spans: list[Span] = []
        if index in pending:
            spans += _runs(text, 0, pending[index], taken)
        cues = _cues(lower)
        kind = _strongest(cues) if cues else pending.get(index, "card")
        if cues:
            spans += _runs(text, cues[0].end, kind, taken)
        if spans:
            out[index] = sorted(set(spans))
        if cues or spans:
            for nxt in _next_turns(speakers, index):
                pending.setdefault(nxt, kind)
    return out


def _strongest(cues: list[_Cue]) -> str:
    """«три цифры на обороте карты» asks for the code, «срок действия карты» for the expiry."""
    kinds = {c.kind for c in cues}
    return next(k for k in ("cvv", "card_expiry", "card") if k in kinds)


def _next_turns(speakers: Sequence[str], index: int) -> list[int]:
    """The next turn of each speaker after `index` (the answer, and the speaker's own next turn)."""
    seen: set[str] = set()
    found: list[int] = []
    for nxt in range(index + 1, len(speakers)):
        if speakers[nxt] in ("system", "bot") or speakers[nxt] in seen:
            continue
        seen.add(speakers[nxt])
        found.append(nxt)
        if len(seen) >= 2:
            break
    return found


def mask_words(
    words: Sequence[Word], current: Sequence[Word], spans: Sequence[Span], margin: float = 0.25
) -> tuple[list[Word], list[tuple[float, float]]]:
    """`current` (the redacted copy of `words`) with each word overlapping `spans` (offsets into
    `words` joined) replaced by the placeholder, and the audio to silence: each such word with
    `margin`, and each span from its first word to its last."""
    out: list[Word] = []
    intervals: list[tuple[float, float]] = []
    reach: dict[Span, list[float]] = {}
    at = 0
    for word, now in zip(words, current, strict=True):
        start, end = at, at + len(word.word)
        at = end
        hit = next((s for s in spans if s.overlaps(start, end)), None)
        if hit is None:
            out.append(now)
            continue
        intervals.append((max(0.0, word.start - margin), word.end + margin))
        bounds = reach.setdefault(hit, [intervals[-1][0], intervals[-1][1]])
        bounds[1] = intervals[-1][1]
        lead = word.word[: len(word.word) - len(word.word.lstrip())]
        out.append(Word(word.start, word.end, lead + PLACEHOLDERS[hit.kind], word.probability))
    intervals.extend((lo, hi) for lo, hi in reach.values())
    return out, intervals


@dataclass(frozen=True)
class SpokenCards:
    """Turns with the context's card digits removed, per speaker the audio to silence, and
    whether any card data was removed."""

    turns: list[Turn]
    intervals: dict[str, list[tuple[float, float]]]
    card_seen: bool


def redact_spoken_cards(turns: Sequence[Turn]) -> SpokenCards:
    """The cross-speaker pass over a call already redacted channel by channel (`asr.pipeline`).

    Each channel was redacted alone, so a code the customer says in answer to the agent's
    «три цифры на обороте» is still there; the turns are read together here, in time order.
    What other rules removed is a placeholder already and has no digits left to find."""
    found = spoken_card_spans([t.text for t in turns], [t.speaker for t in turns])
    out = list(turns)
    intervals: dict[str, list[tuple[float, float]]] = {}
    for index, spans in found.items():
        turn = turns[index]
        words = list(turn.words)
        joined = "".join(w.word for w in words)
        if words and turn.text in (joined, joined.strip()):
            shift = len(joined) - len(joined.lstrip()) if turn.text != joined else 0
            words, muted = mask_words(turn.words, turn.words, [Span(s.start + shift, s.end + shift, s.kind)
                                                               for s in spans])
            intervals.setdefault(turn.speaker, []).extend(muted)
        out[index] = replace(turn, text=apply(turn.text, spans), words=words)
    seen = any(s.kind in ("card", "cvv") for spans in found.values() for s in spans)
    return SpokenCards(out, intervals, seen)


_CVV_REACH = 40  # characters after a security-code cue where the code itself would stand


def cvv_after_cues(text: str) -> list[tuple[int, int]]:
    """(start, end) of 3–4-digit runs (in digits or words) standing right after a security-code cue.

    The stored-text check of `security scan-cards`: a CVV has no checksum to find it by, only the
    words before it («CVV 123», «три цифры на обороте: семь четыре два»)."""
    if not any(c.isdigit() for c in text) and not any(w in text.lower() for w in ("ноль", "один", "два", "три",
                                                                                    "четыре", "пять", "шесть",
                                                                                    "семь", "восемь", "девять")):
        return []
    lower = text.lower()
    cues = [m.end() for m in _CVV_CUE.finditer(lower)]
    if not cues:
        return []
    found: list[tuple[int, int]] = []
    doc = Document(text)
    for cue in cues:
        for run in doc.runs_between(max(0, cue - 8), cue + _CVV_REACH):
            groups = [g for g in run.groups if g.start >= cue]  # «cvc2»: the 2 is the cue's own
            digits = "".join(g.digits for g in groups)
            if len(digits) not in (3, 4) or _OTHER_NUMBER.search(lower, cue, groups[0].start):
                continue
            if _not_card(doc, groups[0].start, groups[-1].end, all(g.ordinal for g in groups)):
                continue
            found.append((groups[0].start, groups[-1].end))
            break
    return sorted(set(found))
