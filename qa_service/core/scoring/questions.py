"""Which parts of an agent's turn are questions, read from the words when punctuation does not say.

Speech recognition writes «Вы хотите вернуть оба перелёта.» with a full stop, or no
punctuation at all; intonation is lost.  A sentence is a question when it ends in «?», or
when its words make it one: an interrogative word or «ли» at its head («куда летите»,
«удобно ли вам»), an alternative («туда или обратно»), a request («уточните…»), or the
standard turns of asking («вы хотите…», «вам нужно…»).  Text without any punctuation is
read whole, as the classifier was trained to read it.  A request for an identifier («назовите фамилию», «код
бронирования подскажите») identifies the booking and is dropped: it is no question about
the customer's need.
"""

from __future__ import annotations

import itertools
import re

from qa_service.core.morphology import lemmatize
from qa_service.core.rubric.model import PhraseGroup
from qa_service.core.scoring.matching import IndexedText

_SENTENCE = re.compile(r"[^.!?…]+[.!?…]*")
_PUNCTUATED = re.compile(r"[.!?…]")
# Words that open a question, and the turns agents ask with.
QUESTION_HEAD = re.compile(
    r"(?i)(?<![\w-])(?:как(?:ой|ая|ое|ие|ую|им|их|ого|ом)?|когда|куда|откуда|где|сколько|почему|зачем|"
    r"кто|кого|кому|чей|чья|чьи|вы\s+(?:хотите|хотели|планируете|желаете|летите|будете|предпочитаете|"
    r"готовы|согласны|можете|сможете|знаете|помните)|вам\s+(?:нужн\w*|удобн\w*|подойд\w*|подходит|важн\w*)|"
    r"у\s+вас\s+(?:есть|будет|был\w*)|нужн[оаы]?\s+ли|правильно\s+ли|верно\s+ли|можно\s+ли)(?![\w-])"
)
# A question opens the sentence (after «а», «и», «так», «тогда», «скажите»…), or «ли» stands early in it.
_LEAD = re.compile(r"(?i)^\W*(?:(?:а|и|так|тогда|хорошо|понятно|скажите|подскажите|уточните|ну)\W+){0,2}"
                   r"(?:(?:на|в|во|с|со|к|ко|до|от|по|за|из|о|об|для|через)\s+)?")
_EARLY_LI = re.compile(r"(?i)^\W*(?:\S+\s+){1,3}ли(?![\w-])")
# «туда или туда-обратно», «вам удобнее утром или вечером»: an alternative put to the customer.
_ALTERNATIVE = re.compile(r"(?i)(?<![\w-])или(?![\w-])")
_TO_YOU = re.compile(r"(?i)(?<![\w-])(?:вы|вам|вас|ваш\w*|удобнее|хотите|предпочитаете|оформляем|берём|берем)(?![\w-])")
_CLAUSE = re.compile(r"[^,;—]+")
_AND_ASK = re.compile(r"(?i)\s+и\s+(?=назовите|продиктуйте|подскажите|скажите|уточните)")
_MIN_LEFT = 3  # words a question keeps once its identifier request is cut away


def _is_question(sentence: str, asks: PhraseGroup | None) -> bool:
    if sentence.rstrip().endswith("?"):
        return True
    if asks is not None and any(r.search(sentence) for r in asks.regexes):
        return True
    rest = sentence[_LEAD.match(sentence).end():]  # type: ignore[union-attr]  # the lead may be empty
    if QUESTION_HEAD.match(rest) or _EARLY_LI.match(sentence):
        return True
    return _ALTERNATIVE.search(sentence) is not None and _TO_YOU.search(sentence) is not None


def _loose_pieces(text: str, asks: PhraseGroup | None) -> list[tuple[int, int]]:
    """Unpunctuated text cut where a question or a request begins (each piece read on its own)."""
    starts = {m.start() for m in QUESTION_HEAD.finditer(text)}
    if asks is not None:
        starts |= {m.start() for r in asks.regexes for m in r.finditer(text)}
    bounds = [*sorted(starts | {0}), len(text)]
    return [(lo, hi) for lo, hi in itertools.pairwise(bounds) if text[lo:hi].strip()]


_PLACEHOLDER = re.compile(r"\[[^\]]{1,20}\]")


def _asks_identifier(clause: str, identifiers: PhraseGroup) -> bool:
    """Does the clause name an identifier (a redacted name «[имя]» is the passenger addressed, not asked for)?"""
    return IndexedText(lemmatize(_PLACEHOLDER.sub(" ", clause))).contains(identifiers) is not None


def _without_identifiers(text: str, start: int, end: int, identifiers: PhraseGroup | None) -> list[tuple[int, int]]:
    """The piece minus its clauses that ask for an identifier (nothing left: not a question)."""
    if identifiers is None:
        return [(start, end)]
    clauses: list[tuple[int, int]] = []
    for clause in _CLAUSE.finditer(text, start, end):
        at = clause.start()
        for part in _AND_ASK.split(clause.group()):
            found = text.find(part, at, clause.end())
            if part.strip() and found >= 0:
                clauses.append((found, found + len(part)))
                at = found + len(part)
    kept = [(lo, hi) for lo, hi in clauses if not _asks_identifier(text[lo:hi], identifiers)]
    if len(kept) == len(clauses):
        return [(start, end)]
    # What is left of a request for an identifier is a question only if it asks something itself.
    return [(lo, hi) for lo, hi in kept if len(text[lo:hi].split()) >= _MIN_LEFT and _is_question(text[lo:hi], None)]


def question_spans(text: str, asks: PhraseGroup | None, identifiers: PhraseGroup | None) -> list[tuple[int, int]]:
    """(start, end) of the question pieces of one agent turn, identifier requests left out."""
    if not _PUNCTUATED.search(text):
        # No sign of where questions are: the turn is read whole, less the pieces that ask for an identifier.
        pieces = _loose_pieces(text, asks)
        kept = [p for p in pieces if _without_identifiers(text, p[0], p[1], identifiers) == [p]]
        if len(kept) == len(pieces):
            return [(0, len(text))] if text.strip() else []
        return [(lo, hi) for lo, hi in kept if len(text[lo:hi].split()) >= _MIN_LEFT]
    out: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        if _is_question(m.group(), asks):
            out.extend(_without_identifiers(text, m.start(), m.end(), identifiers))
    return out
