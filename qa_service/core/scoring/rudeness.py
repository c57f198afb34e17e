"""Rudeness by meaning: an agent's clause close to one of the standard's kinds of rudeness.

The rubric's forbidden phrases are exact wordings («я же вам сказал»); agents are rude in
other words too («второй раз пересказывать не буду», «а я-то что могу сделать»).  Each
clause of an agent turn is compared with example sentences of each kind (refusing to
explain again, «I told you», not my business, sending the customer elsewhere, sarcasm,
blaming the customer) by the cosine of mean navec vectors.  Mean vectors lose the words
that carry the attitude («не», «я», «вы» are stop words there), so a clause counts only
when it agrees with the example in polarity (both negated or neither), shares at least
two known words' worth of content, and none of the courtesy words of service («для вас»,
«помочь», «пожалуйста») is in it: «чем ещё могу для вас сделать» is not «что я могу
сделать».  The threshold was chosen on the development calls, never on held-out ones.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from qa_service.core.embeddings import navec, similarity, text_vector, word_vector
from qa_service.core.rubric.model import PhraseGroup
from qa_service.core.scoring.matching import Match

THRESHOLD = 0.93
_CLAUSE = re.compile(r"[^.,!?;:—…\n]+")
_WORD = re.compile(r"[а-яё]+")
_NEGATION = frozenset({"не", "ни", "нет", "нельзя"})
# Courtesy of service: a clause holding any of these is an offer of help, however its other words look.
_COURTESY = frozenset({"для", "помочь", "помогу", "пожалуйста", "рада", "рад", "спасибо", "благодарю", "извините",
                       "простите", "подскажу", "уточню", "ещё", "еще"})
_MIN_KNOWN = 2


_PUNCTUATED = re.compile(r"[.,!?;:—…]")
_WINDOW = re.compile(r"(?=((?:[а-яёА-ЯЁ-]+\s+){3,5}[а-яёА-ЯЁ-]+))")


def _clauses(text: str) -> list[tuple[int, int]]:
    """Clauses between punctuation; text without any (ASR) is read in windows of four to six words."""
    if _PUNCTUATED.search(text):
        return [m.span() for m in _CLAUSE.finditer(text)]
    return [m.span(1) for m in _WINDOW.finditer(text)]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("ё", "е"))


def _known(words: list[str]) -> int:
    return sum(word_vector(w) is not None for w in words)


@cache
def _examples(labels: tuple[str, ...]) -> list[tuple[str, np.ndarray, bool]]:
    out = []
    for label in labels:
        words = _words(label)
        vector = text_vector(words)
        if vector is not None and _known(words) >= _MIN_KNOWN:
            out.append((label, vector, bool(_NEGATION & set(words))))
    return out


def rude_by_meaning(text: str, examples: PhraseGroup, threshold: float = THRESHOLD) -> Match | None:
    """The clause of `text` closest to a rude example when it reaches `threshold`, else None."""
    if navec() is None or not examples.labels:
        return None
    known = _examples(tuple(label for label in examples.labels if not label.startswith("re:")))
    best: Match | None = None
    for start, end in _clauses(text):
        words = _words(text[start:end])
        if _known(words) < _MIN_KNOWN or _COURTESY & set(words):
            continue
        vector = text_vector(words)
        negated = bool(_NEGATION & set(words))
        for label, example, example_negated in known:
            if negated != example_negated:
                continue
            score = similarity(vector, example)
            if score >= threshold and (best is None or score > best.similarity):
                best = Match(start, end, label, text[start:end].strip(), score, "semantic")
    return best
