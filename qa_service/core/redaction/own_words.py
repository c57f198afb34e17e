"""The tenant's own words: the company's name, its fares and services, the words of its rubrics.

Speech recognition garbles them («Витер», «тарив», «эсемэс»), and pymorphy3 guesses a
person's name for almost any word it does not know (a capital letter, an ending like
«-ер», «-ин», «-ов»), so a transcript would lose «Северный Ветер» to «[имя]».  A word the
dictionary does not know and that is within a slip of one of these words is taken for the
word, not for a name.  Words the dictionary knows as names («Мила», «Денис») are never
read this way: only the recogniser's misspellings are.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from functools import cache, lru_cache
from importlib import resources

import yaml
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from qa_service.core.phonetic import contains_sound, sounds_like

# The airline's own names and the everyday words of its calls that the rubrics do not list.
_TENANT_TEXT = """
северный северного северному северным северном ветер ветра ветру ветром ветре авиакомпания
авиакомпании тариф тарифа тарифу тарифом тарифе тарифы тарифов эконом экономи комфорт бизнес
стандарт лайт базовый оптимум премиум плюс максимум промо эсэмэс эсэмэска эсэмэску эсэмэски смс
смска смску эсмс sms багаж багажа багажу багажом ручная кладь клади рейс рейса рейсу рейсом билет
билета билету билетом бронь брони бронирование бронирования маршрут маршрута маршрутная квитанция
квитанции регистрация регистрации посадка посадки посадочный талон талона пересадка пересадки
стыковка стыковки аэропорт аэропорта терминал вылет вылета прилёт прилета перелёт перелета места
место кресло доплата доплаты сбор сбора штраф штрафа возврат возврата обмен обмена ваучер ваучера
сертификат сертификата мили миль бонус бонусы бонусов ссылка ссылку ссылки оплата оплату оплаты
оператор оператора специалист специалиста контакт центр здравствуйте спасибо пожалуйста минуточку
секундочку подождите уточню алло слушаю
"""
TENANT_WORDS = frozenset(re.findall(r"\S+", _TENANT_TEXT))

_WORD = re.compile(r"[а-яёa-z]+")


@cache
def _rubric_words() -> frozenset[str]:
    """Every word of the shipped rubrics' phrase lists (patterns aside): the tenant's vocabulary."""
    words: set[str] = set()
    folder = resources.files("qa_service.resources") / "rubrics"
    for entry in folder.iterdir():
        if not entry.name.endswith(".yaml"):
            continue
        for phrase in _phrases(yaml.safe_load(entry.read_text(encoding="utf-8"))):
            if not phrase.startswith("re:"):
                words.update(_WORD.findall(phrase.lower().replace("ё", "е")))
    return frozenset(w for w in words if len(w) >= 4)


def _phrases(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _phrases(item)]
    if isinstance(node, dict):
        return [s for key, item in node.items() if key not in ("id", "title", "standard", "training_module", "kind",
                                                                 "model", "positive_label", "flag")
                for s in _phrases(item)]
    return []


@cache
def vocabulary() -> frozenset[str]:
    return frozenset(w.replace("ё", "е") for w in TENANT_WORDS) | _rubric_words()


@lru_cache(maxsize=50_000)
def own_word(folded: str, known: bool) -> bool:
    """Is `folded` (lower case, «ё» as «е») one of the tenant's words, or — when the dictionary does
    not know it (`known` false) — a recogniser's slip of one (one edit, two from 7 letters on)?"""
    words = vocabulary()
    if folded in words:
        return True
    if known or len(folded) < 4:
        return False
    limit = 1 if len(folded) < 7 else 2
    best = process.extractOne(folded, words, scorer=Levenshtein.distance, score_cutoff=limit)
    return best is not None


# The company's name as the recogniser may write it: «Песеверный ветер», «Исцеберный ветер», «Сибирный Витер».
COMPANY = ("северн", ("ветер", "ветра", "ветру", "ветром", "ветре"))
_TOKEN = re.compile(r"[А-ЯЁа-яё]+")


def company_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of word pairs that sound like the company's name, however the words were spelled."""
    words = list(_TOKEN.finditer(text))
    found: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(words):
        if text[a.end():b.start()].strip(" ,«»\"-") != "":
            continue
        if len(a.group()) >= 5 and contains_sound(a.group(), COMPANY[0]) \
                and any(sounds_like(b.group(), form) for form in COMPANY[1]):
            found.append((a.start(), b.end()))
    return found


# Letters a recogniser swaps for one another: unstressed vowels and voiced/voiceless pairs.
_CONFUSED = {"а": "о", "о": "а", "е": "иэя", "и": "еы", "я": "е", "ы": "и", "э": "е", "б": "п", "п": "б", "в": "ф",
             "ф": "в", "д": "т", "т": "д", "з": "с", "с": "з", "г": "к", "к": "г", "ж": "ш", "ш": "ж"}


@lru_cache(maxsize=50_000)
def slip_of_known_word(folded: str, is_word: Callable[[str], bool]) -> bool:
    """Is the unknown `folded` one swapped letter away from a word `is_word` accepts («рублий» →
    «рублей», «глафное» → «главное»)?  Such a form is the recogniser's slip of that word."""
    for at, letter in enumerate(folded):
        for other in _CONFUSED.get(letter, ""):
            if is_word(folded[:at] + other + folded[at + 1:]):
                return True
    return False
