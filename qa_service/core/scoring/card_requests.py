"""The agent asking for card data, found in whatever form speech recognition wrote it.

The rubric's «ask» phrases are exact wordings; a recogniser turns «назовите три цифры на
обороте карты» into «назовите три цыфры на аборотной стороне кар ты».  Here a request is
read from concepts instead of phrases: the card («карта», «карточка»), its number
(«номер», «цифры», a count of digits), the security code («CVV», «си-ви-ви», «три цифры»,
«оборот», «обратная сторона», «код безопасности»), the expiry («срок действия»), and a
verb of asking («продиктуйте», «назовите», «скажите», «нужен»…) or a question.  Each word
is compared on a phonetic key (unstressed vowels, voicing and «ц»/«тс» folded, as the
recogniser confuses them) by its stem, so inflection does not matter; a word the
dictionary knows is taken as said unless its stem is the concept's own.

A sentence that names the card and forbids or redirects («не называйте…», «введёте сами на
странице оплаты») is no request.  A sentence that comes close — a concept heard, the words
around it at low recogniser confidence — is `doubtful`: the answer goes to a person.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from qa_service.core.morphology import is_known
from qa_service.core.phonetic import phonetic

# concept → stems (as written); a word belongs to a concept when its phonetic key starts with a
# stem's key (exactly for short stems, within one edit for stems of 5+ sounds).
CONCEPTS: dict[str, tuple[str, ...]] = {
    "card": ("карт", "карточк", "кард", "visa", "мастеркард", "mastercard", "maestro", "маэстро"),
    "number": ("номер", "цифр", "шестнадцат", "реквизит"),
    "code": ("cvv", "cvc", "cvv2", "cvc2", "сививи", "сивиси", "свв", "свс", "цвв", "оборот", "сзади",
             "трехзначн", "трёхзначн", "безопасност", "защитн"),
    "back": ("обратн",),  # «обратно» is a return trip: only «обратная сторона» is the card's back
    "side": ("сторон",),
    "three": ("три", "трех", "трёх", "3"),
    "digit": ("цифр", "цифер", "циферк"),
    "key": ("код",),
    "term": ("срок",),
    "valid": ("действ", "годн", "истека"),
    # the expiry of something else: a passport, a visa, a voucher
    "document": ("паспорт", "документ", "виз", "ваучер", "сертификат", "билет", "тариф"),
    "ask": ("продикт", "диктуй", "диктов", "назов", "назва", "назыв", "скаж", "сказа", "подскаж", "сообщ",
            "озвуч", "зачит", "прочит", "прочт", "повтор", "нуж", "требу", "необходим", "дава", "уточн"),
}
# Not a payment card: a loyalty, boarding or bonus card.
_OTHER_CARDS = ("лояльн", "бонус", "мильн", "посадочн", "постоянн", "клубн")
# Sentences that tell the customer where card data goes instead, or forbid giving it.
_ELSEWHERE = ("ввест", "ввод", "введ", "сайт", "ссылк", "страниц", "приложени", "платежн", "шлюз", "смс",
              "эсэмэс", "sms")
_NEGATIONS = frozenset({"не", "нельзя", "никогда", "ни", "запрещено", "никому"})
_QUESTION_WORDS = ("какой", "какая", "какие", "какую", "каким")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]?")

LOW_PROBABILITY = 0.5


@lru_cache(maxsize=1)
def _stem_keys() -> dict[str, tuple[str, ...]]:
    return {concept: tuple(phonetic(s) for s in stems) for concept, stems in CONCEPTS.items()}


def _matches(key: str, stem: str, exact_only: bool) -> bool:
    if len(stem) < 4:  # «свв», «три»: too short to be a prefix of anything but themselves
        return key in (stem, stem + "2")
    if key.startswith(stem):
        return True
    if exact_only or len(stem) < 5 or len(key) < len(stem):
        return False
    return Levenshtein.distance(key[: len(stem)], stem) <= 1


@lru_cache(maxsize=50_000)
def concepts_of(word: str) -> frozenset[str]:
    """The card concepts a word (as transcribed) stands for; empty for most words."""
    folded = word.lower().replace("ё", "е")
    if len(folded) < 3 and folded not in ("3",):
        return frozenset()
    key = phonetic(folded)
    # A real word is what was said («корт» is a court, not a card): known words match stems exactly.
    known = folded.isalpha() and is_known(folded)
    found = set()
    for concept, stems in _stem_keys().items():
        for stem, written in zip(stems, CONCEPTS[concept], strict=True):
            exact_only = known or concept in ("three", "key", "ask", "term", "document")
            if (folded.startswith(written) if known else _matches(key, stem, exact_only)):
                found.add(concept)
                break
    if "three" in found and folded not in ("три", "трех", "трех", "3"):
        found.discard("three")  # «трижды», «третий»: not the count of the code's digits
    return frozenset(found)


@dataclass(frozen=True)
class CardRequest:
    """A sentence of an agent turn that asks for card data (or may have: `doubtful`)."""

    start: int
    end: int
    what: str  # number, code, expiry
    doubtful: bool = False


def _tokens(sentence: str) -> list[tuple[str, int, int]]:
    """Words of a sentence, with the spoken-apart «кар ту», «си ви ви» also read glued."""
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(sentence)]
    glued = []
    for a, b in itertools.pairwise(words):
        if len(a[0]) <= 3 and len(b[0]) <= 3:
            glued.append((a[0] + b[0], a[1], b[2]))
    for a, b, c in zip(words, words[1:], words[2:], strict=False):
        if max(len(a[0]), len(b[0]), len(c[0])) <= 2:
            glued.append((a[0] + b[0] + c[0], a[1], c[2]))
    return words + glued


def _what(found: set[str], question: bool) -> str | None:
    """Which card data the concepts of a sentence ask for, if they ask for any."""
    asks = "ask" in found or question
    if "code" in found and ("digit" in found or "key" in found or "card" in found or asks):
        return "code"
    if "three" in found and "digit" in found and ("card" in found or asks):
        return "code"
    if "card" in found and "number" in found and asks:
        return "number"
    if "term" in found and "valid" in found and ("card" in found or (asks and "document" not in found)):
        return "expiry"
    return None


def _negated_or_elsewhere(words: list[str]) -> bool:
    lowered = [w.lower() for w in words]
    if any(w in _NEGATIONS for w in lowered):
        return True
    if any(w.startswith(_OTHER_CARDS) for w in lowered):
        return True
    return any(w.startswith(_ELSEWHERE) for w in lowered)


def card_requests(text: str, probabilities: list[tuple[int, int, float]] | None = None) -> list[CardRequest]:
    """Sentences of an agent turn asking for card data; `probabilities` are (start, end, p) of its words.

    A sentence one concept short of a request, with a word the recogniser was unsure of, is
    returned `doubtful`: that word may have been the missing one."""
    found_requests: list[CardRequest] = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        tokens = _tokens(sentence)
        plain = [t for t in tokens if " " not in t[0]][: len(_WORD.findall(sentence))]
        found: set[str] = set()
        for word, _, _ in tokens:
            found |= concepts_of(word)
        if not found & {"card", "code", "three", "digit", "term"}:
            continue
        question = sentence.rstrip().endswith("?") or any(w.lower() in _QUESTION_WORDS for w, _, _ in plain)
        if _negated_or_elsewhere([w for w, _, _ in plain]):
            continue
        what = _what(found, question)
        if what is not None:
            found_requests.append(CardRequest(m.start(), m.end(), what))
            continue
        if probabilities is None or not found & {"card", "code", "digit"}:
            continue
        unsure = [p for lo, hi, p in probabilities if m.start() <= lo < m.end() and p < LOW_PROBABILITY]
        # One concept short: any of the missing ones might be the word the recogniser was unsure of.
        if unsure and any(_what(found | {extra}, question) for extra in ("ask", "number", "digit", "card", "code")):
            found_requests.append(CardRequest(m.start(), m.end(), "unclear", doubtful=True))
    return found_requests
