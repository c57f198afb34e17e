"""Russian lemmas for rule matching: spaCy's blank-ru tokenizer plus pymorphy3.

spaCy's blank "ru" pipeline has no tagger, so its pymorphy3 lemmatizer returns a word
unchanged (even capitalised) when pymorphy3's readings disagree («Здравствуйте», «чем»).
We therefore take pymorphy3's most probable parse ourselves, lowercase it and fold «ё»
into «е», so every token gets a usable lemma.  Lemmas are cached per word form: a contact
center's vocabulary is small and the same forms repeat across thousands of turns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import pymorphy3
import spacy


@cache
def _tokenizer() -> Any:
    return spacy.blank("ru").tokenizer


@cache
def _analyzer() -> Any:
    return pymorphy3.MorphAnalyzer(lang="ru")


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The lowercase lemma of one word form (most probable pymorphy3 parse)."""
    folded = _fold(word)
    if not any(ch.isalpha() for ch in folded):
        return folded
    parses = _analyzer().parse(folded)
    return _fold(parses[0].normal_form) if parses else folded


@lru_cache(maxsize=200_000)
def is_known(word: str) -> bool:
    """Is `word` in the dictionary (not a form pymorphy3 guessed from its ending)?"""
    return bool(_analyzer().word_is_known(_fold(word)))


@lru_cache(maxsize=50_000)
def is_name(word: str) -> bool:
    """Is a person's name (first name, patronymic, surname) the most probable reading of `word`?"""
    parses = _analyzer().parse(_fold(word))
    return bool(parses) and bool({"Name", "Surn", "Patr"} & parses[0].tag.grammemes)


@dataclass(frozen=True)
class Lemmatized:
    """A text cut into tokens, with each token's lemma and character span in the original."""

    text: str
    tokens: tuple[str, ...]
    lemmas: tuple[str, ...]
    starts: tuple[int, ...]

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character span of tokens first..last (inclusive) in the original text."""
        return self.starts[first], self.starts[last] + len(self.tokens[last])

    def quote(self, first: int, last: int) -> str:
        start, end = self.span(first, last)
        return self.text[start:end]


def lemmatize(text: str) -> Lemmatized:
    """Tokenize `text` with spaCy's Russian rules and lemmatize every token."""
    doc = _tokenizer()(text)
    words = [t for t in doc if not t.is_space]
    return Lemmatized(
        text=text,
        tokens=tuple(t.text for t in words),
        lemmas=tuple(lemma(t.text) for t in words),
        starts=tuple(t.idx for t in words),
    )


def lemmatize_many(texts: list[str]) -> list[Lemmatized]:
    """`lemmatize` for many texts at once (spaCy's batch tokenizer is ~3× faster per text)."""
    out = []
    for text, doc in zip(texts, _tokenizer().pipe(texts), strict=True):
        words = [t for t in doc if not t.is_space]
        out.append(Lemmatized(text, tuple(t.text for t in words), tuple(lemma(t.text) for t in words),
                              tuple(t.idx for t in words)))
    return out


def lemma_phrase(phrase: str) -> tuple[str, ...]:
    """Lemmas of a rule phrase written in natural form, punctuation dropped."""
    return tuple(lem for lem in lemmatize(phrase).lemmas if any(ch.isalnum() for ch in lem))
