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

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from qa_service.core.morphology import is_known
from qa_service.core.phonetic import phonetic

# concept → stems (as written); a word belongs to a concept when its phonetic key starts with a
# stem's key (exactly, or within one edit for stems of 7+ sounds).
CONCEPTS: dict[str, tuple[str, ...]] = {
    "card": ("карт", "карточк", "кард", "visa", "мастеркард", "mastercard", "maestro", "маэстро"),
    "number": ("номер", "цифр", "шестнадцат", "реквизит", "данны"),
    # asking to read out: with the card alone a request («продиктуйте карту», «продиктументиномер карты»)
    "dictate": ("продикт", "диктуй", "диктов", "назов", "назва", "озвуч", "зачит", "прочит", "прочт"),
    "code": ("cvv", "cvc", "cvv2", "cvc2", "сививи", "сивиси", "свв", "свс", "цвв", "оборот", "сзади",
             "трехзначн", "трёхзначн", "безопасност", "защитн"),
    "back": ("обратн",),  # «обратно» is a return trip: only «обратная сторона» is the card's back
    "side": ("сторон",),
    "three": ("три", "трех", "трёх", "3"),
    "digit": ("цифр",),  # not «цифер»: its sound key is that of a misheard «северный»
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
    if exact_only or len(stem) < 7 or len(key) < len(stem):
        return False  # the key already folds the usual slips; an edit on top only for long stems
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
            exact_only = known or concept in ("three", "key", "ask", "term", "document", "dictate")
            if (folded.startswith(written) if known else _matches(key, stem, exact_only)):
                found.add(concept)
                break
    if "card" in found and folded.endswith(("той", "кой")):
        found.discard("card")  # «оплатить картой», «какой картой будете платить»: the means, not its data
    if "back" in found and folded == "обратно":
        found.discard("back")  # «туда и обратно» is a return trip, not the card's back
    if "three" in found and folded not in ("три", "трех", "3"):
        found.discard("three")  # «трижды», «третий»: not the count of the code's digits
    return frozenset(found)


@dataclass(frozen=True)
class CardRequest:
    """A sentence of an agent turn that asks for card data (or may have: `doubtful`)."""

    start: int
    end: int
    what: str  # number, code, expiry
    doubtful: bool = False


def _word_concepts(sentence: str) -> list[tuple[int, int, str, set[str]]]:
    """(start, end, word, concepts) per word; a word spoken apart («кар ту», «си ви ви») is also read glued
    onto the word it starts."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(sentence)]
    out = [(lo, hi, word, set(concepts_of(word))) for lo, hi, word in words]
    for k in range(len(words)):
        for size in (2, 3):
            part = words[k:k + size]
            if len(part) == size and max(len(w) for _, _, w in part) <= (3 if size == 2 else 2):
                out[k][3].update(concepts_of("".join(w for _, _, w in part)))
    return out


def _what(found: set[str], question: bool) -> str | None:
    """Which card data the concepts of a sentence ask for, if they ask for any."""
    asks = "ask" in found or question
    if "code" in found and ("digit" in found or "key" in found or "card" in found or asks):
        return "code"
    if "three" in found and "digit" in found and ("card" in found or asks):
        return "code"
    if "card" in found and (("number" in found and asks) or "dictate" in found):
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


_REACH = 8  # words: a request's parts stand this close together («назовите … три цифры … на обороте»)


def card_requests(text: str, probabilities: list[tuple[int, int, float]] | None = None) -> list[CardRequest]:
    """Stretches of an agent turn asking for card data; `probabilities` are (start, end, p) of its words.

    The parts of a request are read within a few words of each other, in a sentence (ASR text
    without punctuation is one long «sentence»).  A stretch one concept short of a request, with
    a word the recogniser was unsure of, is returned `doubtful`: that word may have been the
    missing one."""
    found_requests: list[CardRequest] = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        words = _word_concepts(sentence)
        if not any(c & {"card", "code", "three", "digit", "term", "back"} for _, _, _, c in words):
            continue
        asked = sentence.rstrip().endswith("?")
        doubt: CardRequest | None = None
        for k in range(len(words)):
            window = words[k:k + _REACH]
            found = set().union(*(c for _, _, _, c in window))
            if {"back", "side"} <= found:
                found.add("code")
            if not found & {"card", "code", "three", "digit", "term"}:
                continue
            question = asked or any(w.lower() in _QUESTION_WORDS for _, _, w, _ in window)
            around = words[max(0, k - 3):k + _REACH + 2]
            if _negated_or_elsewhere([w for _, _, w, _ in around]):
                continue
            start, end = m.start() + window[0][0], m.start() + window[-1][1]
            what = _what(found, question)
            if what is not None:
                found_requests.append(CardRequest(start, end, what))
                doubt = None
                break
            if doubt is not None or probabilities is None or not found & {"card", "code", "digit"}:
                continue
            if not ("ask" in found or question):
                continue  # a doubt needs something asked: «деньги вернутся на ту же карту» asks nothing
            unsure = [p for lo, hi, p in probabilities if start <= lo < end and p < LOW_PROBABILITY]
            # One concept short: any of the missing ones might be the word the recogniser was unsure of.
            if unsure and any(_what(found | {extra}, question) for extra in ("ask", "number", "digit", "card", "code")):
                doubt = CardRequest(start, end, "unclear", doubtful=True)
        if doubt is not None:
            found_requests.append(doubt)
    return found_requests
