"""Booking codes as customers say them, and the agent reading one back.

A PNR is six letters and digits; on the phone it is spelled («Вэ Ка Эр пять один семь»,
«ЖЖК ноль ноль три», in ASR text «жжк ноль ноль три» or «эр тэ эм пять восемь ка»).  When the
customer gives the code and the agent later says the same code back («…бронь ЖЖК ноль ноль
три»), the agent has confirmed the booking: that is identification in the standard's sense
(«ask for and confirm the booking code»), whatever words come around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER = (r"(?:ноль|нуль|один|одна|два|две|три|четыре|пять|шесть|семь|восемь|девять|десять|одиннадцать"
           r"|двенадцать|тринадцать|четырнадцать|пятнадцать|шестнадцать|семнадцать|восемнадцать|девятнадцать"
           r"|двадцать|тридцать|сорок|пятьдесят|шестьдесят|семьдесят|восемьдесят|девяносто|сто|двести|триста"
           r"|четыреста|пятьсот|шестьсот|семьсот|восемьсот|девятьсот|\d{1,4})")
# Consonant letter names start a spelled code; vowels («о», «а») are letters only inside one,
# where they cannot be the conjunction or preposition.
_LETTER = (r"(?:[бвгджзйклмнпрстфхцчшщ]|бэ|вэ|гэ|дэ|жэ|зэ|кэ|ка|эл|эм|эн|пэ|эр|эс|тэ|эф|ха|хэ|цэ|че|ша|икс|игрек"
           r"|зет)")
_INNER = rf"(?:{_LETTER}|[аоуеиэыюя]|{_NUMBER})"
# A code: an abbreviation-like head (capitals as written, a vowel-less cluster in ASR text, or
# two spelled letters), then letters and numbers with at least one number.
SPOKEN_CODE = re.compile(
    rf"(?<![\w\[])(?:[А-ЯЁA-Z]{{2,4}}|(?i:[бвгджзйклмнпрстфхцчшщ]{{2,4}})|(?i:{_LETTER}(?:\s+{_LETTER})+))"
    rf"(?i:(?:\s+{_INNER})*?\s+{_NUMBER}(?:\s+{_INNER})*)(?![\w\]])"
)


_NUMBER_WORD = re.compile(rf"(?i:{_NUMBER})")
_LETTER_WORD = re.compile(rf"(?i:{_LETTER})")
# A PNR has at least three letters; a flight number («СВ 431», «эс вэ четыре три один») has two.
_MIN_LETTERS = 3


def _letters(words: list[str]) -> int:
    """Letters in a code: a spelled name («вэ») is one, an abbreviation («ЖЖК», «жжк») each of its letters."""
    head = 1 if _LETTER_WORD.fullmatch(words[0]) else len(words[0])
    return head + sum(1 for w in words[1:] if not _NUMBER_WORD.fullmatch(w))


def spoken_codes(text: str) -> list[str]:
    """Booking codes said in `text`, normalised (lower case, single spaces)."""
    out = []
    for m in SPOKEN_CODE.finditer(text):
        words = m.group(0).split()
        if _letters(words) >= _MIN_LETTERS:
            out.append(" ".join(words).lower())
    return out


def read_back(code: str, texts: Iterable[tuple[int, str]]) -> tuple[int, int, int] | None:
    """(turn, start, end) of the first of `texts` ((turn, text) pairs) that says `code` back, or None.

    Same words in any case and spacing: «ЖЖК ноль ноль три» is «жжк ноль ноль три»."""
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, code.split())) + r"(?!\w)", re.IGNORECASE)
    for index, text in texts:
        m = pattern.search(text)
        if m is not None:
            return index, m.start(), m.end()
    return None
