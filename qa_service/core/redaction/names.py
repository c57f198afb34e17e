"""Customers' person names (first names, patronymics, surnames) → «[имя]».

Transcripts arrive in lower case without punctuation, so a capital letter cannot be relied
on: the decision comes from pymorphy3's dictionary tags (`Name`, `Patr`, `Surn`), which
know Russian first names and patronymics and guess surnames from their endings.  A word
that is also a common word («вера», «роман», «слава», «зайцев» = «of hares») counts only
beside another name, after a cue («фамилия», «пассажир», «на имя») or capitalised in the
middle of a sentence.  Places (`Geox`), the airline's name and words of the trade are kept.

The agent's own name is not a customer's personal data: names the agent introduces
themselves with («меня зовут Ольга», «с вами Денис», «оператор Наталья», an e-mail
signature) are collected by `self_introduced` and kept wherever they occur.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

import pymorphy3

from qa_service.core.redaction.own_words import company_spans, own_word, slip_of_known_word
from qa_service.core.redaction.spans import Span, SpanIndex

_WORD = re.compile(r"[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)?")
_PERSON = frozenset({"Name", "Patr", "Surn"})
_STRONG = 0.5  # a name reading at least this probable needs no other support
_WEAK = 0.1
# Readings pymorphy3 offers for everyday words of this trade; never a person here.
_NEVER = frozenset({
    "северный", "ветер", "ветра", "авиакомпания", "спасибо", "рейс", "билет", "багаж", "итак", "вижу", "добрый",
    "день", "вечер", "утро", "здравствуйте", "карта", "карты", "бронь", "брони", "тариф", "минута", "минуту",
    "алло", "слушаю", "понятно", "хорошо", "ладно", "правильно", "верно", "готово", "оператор", "специалист",
    "пожалуйста", "подскажите", "сбор", "штраф", "обмен", "возврат", "место", "окна", "стоп", "код", "маршрут",
    "сумма", "справка", "справку", "доплата", "такса", "таксы", "стандарт", "эконом", "базовый", "лайт", "бизнес",
    "ожидание", "ожидайте", "оплата", "оплату", "ссылка", "ссылку", "уважением", "уважаемый", "уважаемая",
    # identifiers and banks said next to card and personal data
    "инн", "снилс", "паспорт", "тинькофф", "тиньков", "сбер", "сбербанк", "втб", "альфа", "альфабанк",
    "газпромбанк", "райффайзен", "открытие", "совкомбанк", "халва", "мир", "виза", "маэстро",
})
_CUE = re.compile(r"(?<![\w-])(?:фамили[яюи]|пассажир\w*|на имя|имя|клиент\w*|зовут|господин\w*|госпож\w*)\W*$",
                  re.IGNORECASE)
# How agents introduce themselves; the name follows the cue.
_SELF_CUE = re.compile(
    r"(?<![\w-])(?:меня зовут|с вами(?: говорит)?|на связи|оператор(?: контакт-? ?центра)?|специалист|консультант|"
    r"вас приветствует|я)\s+$",
    re.IGNORECASE,
)
_COMPANY_BEFORE = re.compile(r"(?<!\w)ветер\W{0,3}\s*$", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"(?<!\w)(?:с уважением|всего доброго|всего хорошего|ваш[аи]?|best regards)[,.!]?\s*\n", re.IGNORECASE
)


@cache
def _analyzer() -> Any:
    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=100_000)
def name_score(word: str) -> float:
    """How probable it is that `word` (any case) is a person's name part: 0 for places and common words."""
    folded = word.lower().replace("ё", "е")
    if len(folded) < 3 or folded in _NEVER:
        return 0.0
    analyzer = _analyzer()
    known = analyzer.word_is_known(folded)
    if own_word(folded, known):
        return 0.0  # «Витер», «тарив»: the tenant's own word as the recogniser wrote it
    if not known and slip_of_known_word(folded, _common_word):
        return 0.0  # «рублий», «глафное»: an ordinary word misheard, which pymorphy3 would guess a name
    person = place = 0.0
    for parse in _analyzer().parse(folded):
        grammemes = parse.tag.grammemes
        if grammemes & _PERSON:
            person += parse.score
        elif "Geox" in grammemes or "Orgn" in grammemes:
            place += parse.score
    return 0.0 if place > person else person


@lru_cache(maxsize=100_000)
def _common_word(folded: str) -> bool:
    """A dictionary word whose most probable reading is not a person's name."""
    analyzer = _analyzer()
    if not analyzer.word_is_known(folded):
        return False
    return not (analyzer.parse(folded)[0].tag.grammemes & _PERSON)


def _sentence_start(text: str, at: int) -> bool:
    head = text[:at].rstrip(" «\"'(—-")
    return not head or head[-1] in ".!?\n:"


def self_introduced(text: str) -> set[str]:
    """Lower-case name words the speaker introduces themselves with, or signs with."""
    found: set[str] = set()
    words = list(_WORD.finditer(text))
    for index, m in enumerate(words):
        if name_score(m.group()) < _WEAK:
            continue
        head = text[max(0, m.start() - 40):m.start()]
        if _SELF_CUE.search(head) or _COMPANY_BEFORE.search(head) or _after_company(text, m.start()):
            found.add(m.group().lower())
            # «Ольга Смирнова» after the cue: the surname belongs to the agent too.
            if index + 1 < len(words) and name_score(words[index + 1].group()) >= _WEAK \
                    and text[m.end():words[index + 1].start()].strip() == "":
                found.add(words[index + 1].group().lower())
    for sign in _SIGN_OFF.finditer(text):
        line_end = text.find("\n", sign.end())
        line = text[sign.end(): line_end if line_end >= 0 else len(text)]
        found |= {w.lower() for w in _WORD.findall(line) if name_score(w) >= _WEAK}
    return found


def find_names(text: str, shield: SpanIndex | None = None, keep: Iterable[str] = ()) -> list[Span]:
    """Spans of person names in `text`, except words in `keep` (lower case) and shielded spans."""
    words = list(_WORD.finditer(text))
    scores = [0.0 if m.group().isupper() and len(m.group()) > 1 else name_score(m.group()) for m in words]
    if not any(score >= _WEAK for score in scores):
        return []  # most lines: no word that could be a name, nothing more to read
    kept = {k.lower() for k in keep} | self_introduced_by_agent_cues(text)
    company = company_spans(text)
    cased = any(ch.isupper() for ch in text)
    accepted = [False] * len(words)
    for i, m in enumerate(words):
        score = scores[i]
        if score < _WEAK or m.group().lower() in kept or any(lo <= m.start() < hi for lo, hi in company):
            continue
        if score >= _STRONG and not (cased and _lowercase_guess(m.group())):
            accepted[i] = True
            continue
        neighbour = any(0 <= j < len(words) and scores[j] >= _STRONG and _adjacent(text, words, i, j)
                        for j in (i - 1, i + 1))
        capital = m.group()[0].isupper() and not _sentence_start(text, m.start())
        cue = _CUE.search(text[max(0, m.start() - 25):m.start()]) is not None
        accepted[i] = neighbour or capital or cue
    spans: list[Span] = []
    for i, m in enumerate(words):
        if not accepted[i] or (shield is not None and shield.overlaps(m.start(), m.end())):
            continue
        if spans and accepted[i - 1] and _adjacent(text, words, i - 1, i):
            spans[-1] = Span(spans[-1].start, m.end(), "name")
        else:
            spans.append(Span(m.start(), m.end(), "name"))
    return spans


def self_introduced_by_agent_cues(text: str) -> set[str]:
    """Names after cues only an agent uses («оператор Наталья», «с вами Денис»), for plain text."""
    found: set[str] = set()
    for m in _WORD.finditer(text):
        if name_score(m.group()) < _WEAK:
            continue
        head = text[max(0, m.start() - 40):m.start()]
        cue = _SELF_CUE.search(head)
        agent_cue = cue is not None and not cue.group().lower().startswith(("меня", "я"))
        if agent_cue or _COMPANY_BEFORE.search(head) or _after_company(text, m.start()):
            found.add(m.group().lower())
    return found


def _lowercase_guess(word: str) -> bool:
    """A lower-case word the dictionary does not know, in text that writes capitals: the recogniser's
    slip of an ordinary word («тцыры»), which pymorphy3 guesses to be a surname from its ending.  A
    cased transcript writes names with a capital, so such a word counts only with support (a cue,
    another name beside it)."""
    return word[0].islower() and not _analyzer().word_is_known(word.lower().replace("ё", "е"))


def _after_company(text: str, at: int) -> bool:
    """Does the word at `at` follow the company's name, however it was heard («Сибирный Витер, Ксения»)?"""
    head = text[max(0, at - 40):at]
    return any(len(head) - end <= 3 and not _WORD.search(head[end:]) for _, end in company_spans(head))


def _adjacent(text: str, words: list[re.Match[str]], i: int, j: int) -> bool:
    lo, hi = (i, j) if i < j else (j, i)
    return text[words[lo].end():words[hi].start()].strip() == ""
