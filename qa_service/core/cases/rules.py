"""Phrase rules on lemmas: a phrase matches where its lemmas occur in a row in a turn."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from qa_service.core.morphology import Lemmatized, lemma_phrase, lemmatize


@cache
def phrase_lemmas(phrase: str) -> tuple[str, ...]:
    return lemma_phrase(phrase)


@dataclass(frozen=True)
class Hit:
    phrase: str
    first: int  # token positions in the turn, inclusive
    last: int


def find_phrases(text: Lemmatized, phrases: Iterable[str]) -> list[Hit]:
    """Every occurrence of every phrase (lemma sequence) in `text`, in token order."""
    hits: list[Hit] = []
    lemmas = text.lemmas
    for phrase in phrases:
        wanted = phrase_lemmas(phrase)
        if not wanted:
            continue
        size = len(wanted)
        for i in range(len(lemmas) - size + 1):
            if lemmas[i : i + size] == wanted:
                hits.append(Hit(phrase, i, i + size - 1))
    hits.sort(key=lambda h: h.first)
    return hits


def lemmatized(text: str) -> Lemmatized:
    return lemmatize(text)
