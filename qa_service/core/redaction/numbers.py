"""Numbers as people say or type them, turned into digit strings that point back into the text.

Customers dictate cards and phones digit by digit («четыре два семь шесть»), in pairs
(«сорок два семьдесят шесть»), in hundreds or thousands, in any case form, mixed with
digits («4276 тридцать восемь ноль ноль»), with fillers («так», «э»).  Whisper writes the
same things as words, digits or both.  A `NumberRun` is one stretch of such tokens: its
`groups` are the numbers as said, each with the input span it came from, so a detector
can look for 16 Luhn-valid digits and still report offsets into the input text.

No library parses spoken Russian digit strings with offsets (text2num has no Russian;
natasha/yargy would add a grammar engine to the hot path), hence this small table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa_service.core.redaction.numbers_en import ENGLISH_CARDINALS

UNIT, TEEN, TENS, HUNDRED, THOUSAND = "unit", "teen", "tens", "hundred", "thousand"

_CARDINALS: dict[int, str] = {
    0: "ноль нуль ноля нуля нолю нулю нолём нулём нолем нулем ноле нуле ноли нули нолей нулей",
    1: "один одна одно одного одной одному одним одном одну",
    2: "два две двух двум двумя",
    3: "три трёх трех трём трем тремя",
    4: "четыре четырёх четырех четырём четырем четырьмя",
    5: "пять пяти пятью",
    6: "шесть шести шестью",
    7: "семь семи семью",
    8: "восемь восьми восемью восьмью",
    9: "девять девяти девятью",
    40: "сорок сорока",
    90: "девяносто девяноста",
    100: "сто ста",
    200: "двести двухсот двумстам двумястами двухстах",
    300: "триста трёхсот трехсот трёмстам тремстам тремястами трёхстах трехстах",
    400: "четыреста четырёхсот четырехсот четырёмстам четыремстам четырьмястами четырёхстах четырехстах",
}
# Regular "-ь" numerals: nominative, genitive/dative/prepositional, instrumental.
_SOFT = {
    10: "десять", 11: "одиннадцать", 12: "двенадцать", 13: "тринадцать", 14: "четырнадцать",
    15: "пятнадцать", 16: "шестнадцать", 17: "семнадцать", 18: "восемнадцать", 19: "девятнадцать",
    20: "двадцать", 30: "тридцать",
}
_COMPOUND_TENS = {50: ("пятьдесят", "пяти"), 60: ("шестьдесят", "шести"), 70: ("семьдесят", "семи"),
                  80: ("восемьдесят", "восьми")}
_COMPOUND_HUNDREDS = {500: "пят", 600: "шест", 700: "сем", 800: "восьм", 900: "девят"}
_THOUSAND_FORMS = "тысяча тысячи тысяч тысячу тысячей тысячею тысячам тысячами тысячах тыща тыщи тыщ тыщу"

_ORDINAL_STEMS: dict[int, tuple[str, ...]] = {
    0: ("нулев",), 1: ("перв",), 2: ("втор",), 4: ("четвёрт", "четверт"), 5: ("пят",), 6: ("шест",),
    7: ("седьм",), 8: ("восьм",), 9: ("девят",), 10: ("десят",), 11: ("одиннадцат",), 12: ("двенадцат",),
    13: ("тринадцат",), 14: ("четырнадцат",), 15: ("пятнадцат",), 16: ("шестнадцат",), 17: ("семнадцат",),
    18: ("восемнадцат",), 19: ("девятнадцат",), 20: ("двадцат",), 30: ("тридцат",), 40: ("сороков",),
    50: ("пятидесят",), 60: ("шестидесят",), 70: ("семидесят",), 80: ("восьмидесят",), 90: ("девяност",),
    100: ("сот",),
}
_HARD_ENDINGS = ("ый", "ой", "ого", "ому", "ым", "ом", "ая", "ую", "ое", "ые", "ых", "ыми")
_THIRD_FORMS = "третий третьего третьему третьим третьем третья третьей третью третье третьи третьих третьими"

# Words a speaker puts between digits without ending the dictation.
FILLERS = frozenset(
    ["и", "э", "ээ", "эээ", "эм", "мм", "ммм", "так", "ещё", "еще", "дальше", "далее", "потом", "затем",
     "пробел", "тире", "дефис", "значит", "вот", "да"]
)


def _klass(value: int) -> str:
    if value < 10:
        return UNIT
    if value < 20:
        return TEEN
    if value < 100:
        return TENS
    return HUNDRED


def _build_lexicon() -> dict[str, tuple[int, str, bool]]:
    lexicon: dict[str, tuple[int, str, bool]] = {}
    for value, forms in _CARDINALS.items():
        for form in forms.split():
            lexicon[form] = (value, _klass(value), False)
    for value, word in _SOFT.items():
        for form in (word, word[:-1] + "и", word + "ю"):
            lexicon[form] = (value, _klass(value), False)
    for value, (word, oblique) in _COMPOUND_TENS.items():
        for form in (word, oblique + "десяти", word[: -len("десят")] + "юдесятью", oblique + "юдесятью"):
            lexicon[form] = (value, TENS, False)
    for value, stem in _COMPOUND_HUNDREDS.items():
        nominative = {"пят": "пятьсот", "шест": "шестьсот", "сем": "семьсот", "восьм": "восемьсот",
                      "девят": "девятьсот"}[stem]
        instrumental = {"восьм": "восемьюстами"}.get(stem, stem + "ьюстами")
        for form in (nominative, stem + "исот", stem + "истам", instrumental, stem + "истах"):
            lexicon[form] = (value, HUNDRED, False)
    for form in _THOUSAND_FORMS.split():
        lexicon[form] = (1000, THOUSAND, False)
    for value, stems in _ORDINAL_STEMS.items():
        for stem in stems:
            for ending in _HARD_ENDINGS:
                lexicon.setdefault(stem + ending, (value, _klass(value), True))
    for form in _THIRD_FORMS.split():
        lexicon[form] = (3, UNIT, True)
    lexicon["ноль"] = (0, UNIT, False)
    for value, english in ENGLISH_CARDINALS.items():
        for word in english:
            lexicon.setdefault(word, (value, _klass(value), False))
    return lexicon


LEXICON = _build_lexicon()

_WORDS = re.compile(r"[^\W\d_]+")


def has_number_words(text: str) -> bool:
    """Does `text` hold a number word («четыре», «four»), so a card might be written without a digit?"""
    return any(word.lower() in LEXICON for word in _WORDS.findall(text))


_TOKEN = re.compile(r"(?P<digits>\d+)|(?P<word>[^\W\d_]+)")
# What may stand between two numbers of one dictation: spaces, dashes, commas, dots, brackets,
# underscores (a typed «4111_1111_1111_1111» is a card too).
_GAP = re.compile(r"[\s\-‐‑–—,.;:()+*/#№_]*")
_HARD_GAP = re.compile(r"[,.;:]")


@dataclass(frozen=True)
class NumberGroup:
    """One number as said or typed: its digits and where it stands in the input."""

    digits: str
    start: int
    end: int
    ordinal: bool = False
    spoken: bool = False


@dataclass(frozen=True)
class NumberRun:
    """Consecutive numbers with nothing but separators or fillers between them."""

    groups: tuple[NumberGroup, ...]

    @property
    def start(self) -> int:
        return self.groups[0].start

    @property
    def end(self) -> int:
        return self.groups[-1].end

    @property
    def digits(self) -> str:
        return "".join(g.digits for g in self.groups)


@dataclass
class _Word:
    value: int
    klass: str
    ordinal: bool
    start: int
    end: int
    joined: bool  # nothing but spaces since the previous number word, so they may compose


class _Composer:
    """Folds number words into numbers: «сорок два» → 42, «две тысячи двадцать седьмого» → 2027."""

    def __init__(self) -> None:
        self.groups: list[NumberGroup] = []
        self._reset()

    def _reset(self) -> None:
        self.high: int | None = None
        self.low = 0
        self.slots: set[str] = set()
        self.start = self.end = -1
        self.ordinal = False

    def _accepts(self, word: _Word) -> bool:
        if self.start < 0:
            return True
        if not word.joined or self.ordinal or word.value == 0 or (self.low == 0 and self.slots):
            return False
        if word.klass == THOUSAND:
            return self.high is None
        if word.klass == HUNDRED:
            return not self.slots
        if word.klass in (TENS, TEEN):
            return not self.slots & {TENS, TEEN, UNIT}
        return not self.slots & {TEEN, UNIT}

    def add(self, word: _Word) -> None:
        if not self._accepts(word):
            self.flush()
        if self.start < 0:
            self.start = word.start
        self.end = word.end
        self.ordinal = word.ordinal
        if word.klass == THOUSAND:
            self.high = self.low if self.slots else 1
            self.low = 0
            self.slots = set()
            return
        self.low += word.value
        self.slots.add(word.klass)
        if word.value == 0:
            self.slots.add(UNIT)

    def flush(self) -> None:
        if self.start >= 0:
            value = self.low if self.high is None else self.high * 1000 + self.low
            self.groups.append(NumberGroup(str(value), self.start, self.end, self.ordinal, spoken=True))
        self._reset()


def _close(tokens: list[NumberGroup | _Word], runs: list[NumberRun]) -> None:
    composer = _Composer()
    for token in tokens:
        if isinstance(token, NumberGroup):
            composer.flush()
            composer.groups.append(token)
        else:
            composer.add(token)
    composer.flush()
    if composer.groups:
        runs.append(NumberRun(tuple(composer.groups)))


def number_runs(text: str) -> list[NumberRun]:
    """Every stretch of written or spoken numbers in `text`, with input offsets."""
    runs: list[NumberRun] = []
    current: list[NumberGroup | _Word] = []
    last_end = -1
    pending_fillers = 0
    joined = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        start, end = match.span()
        gap = text[last_end:start] if last_end >= 0 else ""
        gap_ok = last_end >= 0 and _GAP.fullmatch(gap) is not None
        if match.lastgroup == "digits":
            # Unicode digits (fullwidth, Arabic-Indic) count as the digits they are.
            digits = token if token.isascii() else "".join(str(int(c)) for c in token)
            number: NumberGroup | _Word | None = NumberGroup(digits, start, end)
        else:
            entry = LEXICON.get(token.lower())
            number = _Word(entry[0], entry[1], entry[2], start, end, False) if entry else None
        if number is None:
            if current and gap_ok and token.lower() in FILLERS and pending_fillers < 2:
                pending_fillers += 1
                joined = False
                last_end = end
                continue
            if current:
                _close(current, runs)
                current = []
            last_end = -1
            pending_fillers = 0
            continue
        if current and not gap_ok:
            _close(current, runs)
            current = []
        if isinstance(number, _Word):
            number.joined = bool(current) and joined and pending_fillers == 0 and not _HARD_GAP.search(gap)
        current.append(number)
        joined = True
        pending_fillers = 0
        last_end = end
    if current:
        _close(current, runs)
    return runs


def windows(run: NumberRun, min_len: int, max_len: int) -> list[tuple[int, int, str]]:
    """Group-aligned digit windows of a run: (first group, last group, digits), shortest first.

    A card or phone is said as whole groups; cutting inside «сорок два» would invent numbers
    nobody said.
    """
    found: list[tuple[int, int, str]] = []
    groups = run.groups
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += groups[j].digits
            if len(digits) > max_len:
                break
            if len(digits) >= min_len:
                found.append((i, j, digits))
    return found
