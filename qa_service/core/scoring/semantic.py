"""Semantic fallback for phrase criteria: a clause close in meaning to one of the rubric's phrases.

Used only when neither the exact nor the ASR reading found a phrase, and only for criteria
whose rule opts in (`semantic: true`): a paraphrase the list lacks («по этому тарифу деньги
не возвращаются») is recognised by the cosine similarity of mean navec vectors.  The
threshold was chosen on the dev part of the evaluation set (`benchmarks/autoqa.py
--tune-semantic`), never on the held-out part.
"""

from __future__ import annotations

import re

import numpy as np

from qa_service.core.embeddings import navec, similarity, text_vector
from qa_service.core.rubric.model import PhraseGroup
from qa_service.core.scoring.matching import IndexedText, Match

# Chosen on the dev part: every threshold from 0.65 up keeps dev agreement at 99.0 %, so the
# closest clauses decide.  The most similar clause that is NOT a condition was 0.78 («Возврат
# оформлен» ~ «к возврату»), the most similar in rows answered no/na 0.63; 0.85 stays above both.
THRESHOLD = 0.85
_CLAUSE = re.compile(r"[^.,!?;:\n—]+")
_MIN_WORDS = 2
_PHRASE_VECTORS: dict[int, tuple[PhraseGroup, list[tuple[str, np.ndarray]]]] = {}


def _phrase_vectors(group: PhraseGroup) -> list[tuple[str, np.ndarray]]:
    cached = _PHRASE_VECTORS.get(id(group))
    if cached is not None and cached[0] is group:
        return cached[1]
    vectors = []
    for phrase, label in zip(group.phrases, group.labels, strict=True):
        vector = text_vector(phrase)
        if vector is not None and len(phrase) >= _MIN_WORDS:
            vectors.append((label, vector))
    _PHRASE_VECTORS[id(group)] = (group, vectors)
    return vectors


def closest(text: IndexedText, group: PhraseGroup) -> Match | None:
    """The clause of `text` most similar to a phrase of `group` (with its similarity), or None."""
    cached = text.closest_cache.get(id(group))
    if cached is not None and cached[0] is group:
        return cached[1]
    found = _closest(text, group)
    text.closest_cache[id(group)] = (group, found)
    return found


def _closest(text: IndexedText, group: PhraseGroup) -> Match | None:
    if navec() is None:
        return None
    phrases = _phrase_vectors(group)
    if not phrases:
        return None
    best: Match | None = None
    for clause in _CLAUSE.finditer(text.lem.text):
        words = clause.group().split()
        if len(words) < _MIN_WORDS:
            continue
        vector = text_vector(words)
        for label, phrase_vector in phrases:
            score = similarity(vector, phrase_vector)
            if best is None or score > best.similarity:
                best = Match(clause.start(), clause.end(), label, clause.group().strip(), score, "semantic")
    return best


def semantic_match(text: IndexedText, group: PhraseGroup, threshold: float | None = None) -> Match | None:
    """`closest` when it reaches the threshold."""
    found = closest(text, group)
    limit = THRESHOLD if threshold is None else threshold
    return found if found is not None and found.similarity >= limit else None
