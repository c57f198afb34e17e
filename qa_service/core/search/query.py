"""The search box's language on lemmas: words, "quoted phrases" and -excluded words.

Both backends index the same thing: each turn's lemmas (pymorphy3, through `core.morphology`)
as plain space-separated words.  A query is lemmatised the same way, so «вернуть деньги»
finds «верните денег» on SQLite FTS5 and on PostgreSQL alike, and the two backends only
differ in how they spell the expression (`fts5_expression`, `tsquery_expression`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from qa_service.core.errors import UserFacingError
from qa_service.core.morphology import lemmatize, lemmatize_many

# Letters and digits only: punctuation inside a lemma («какой-то», «15:30») would be split
# differently by FTS5's tokenizer and PostgreSQL's parser, so we split it ourselves.
_WORD = re.compile(r"[^\W_]+")
_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
MAX_QUERY_CHARS = 500
MAX_TERMS = 20

Phrase = tuple[str, ...]


def index_tokens(lemmas: Iterable[str]) -> list[str]:
    """The indexable words of a sequence of lemmas, in order."""
    return [word for lemma in lemmas for word in _WORD.findall(lemma)]


def lemma_text(text: str) -> str:
    """What the index stores for a turn: its lemmas as space-separated words."""
    return " ".join(index_tokens(lemmatize(text).lemmas))


def lemma_texts(texts: list[str]) -> list[str]:
    """`lemma_text` for many turns at once."""
    return [" ".join(index_tokens(item.lemmas)) for item in lemmatize_many(texts)]


class BadSearchQuery(UserFacingError):
    """A search box entry that asks for nothing, or for too much."""


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: every phrase must occur in a turn; no excluded phrase anywhere in the conversation."""

    typed: str
    phrases: tuple[Phrase, ...]
    excluded: tuple[Phrase, ...] = ()


def parse_query(typed: str) -> SearchQuery:
    """Parse what was typed in the search box (an unclosed quote runs to the end)."""
    typed = (typed or "").strip()
    if len(typed) > MAX_QUERY_CHARS:
        raise BadSearchQuery(f"запрос длиннее {MAX_QUERY_CHARS} символов",
                             f"query longer than {MAX_QUERY_CHARS} characters")
    phrases: list[Phrase] = []
    excluded: list[Phrase] = []
    for match in _TERM.finditer(typed):
        minus_quoted, quoted, minus_word, word = match.groups()
        text = quoted if quoted is not None else word
        lemmas = tuple(index_tokens(lemmatize(text).lemmas)) if text else ()
        if not lemmas:
            continue
        if minus_quoted or minus_word:
            excluded.append(lemmas)
        else:
            # An unquoted word with punctuation inside («какой-то») is its own little phrase too.
            phrases.append(lemmas)
    if not phrases:
        raise BadSearchQuery("в запросе нет ни одного слова для поиска", "the query has no word to search for")
    if len(phrases) + len(excluded) > MAX_TERMS:
        raise BadSearchQuery(f"в запросе больше {MAX_TERMS} слов и фраз",
                             f"the query has more than {MAX_TERMS} words and phrases")
    return SearchQuery(typed, tuple(dict.fromkeys(phrases)), tuple(dict.fromkeys(excluded)))


def fts5_expression(phrases: Iterable[Phrase], *, any_of: bool = False) -> str:
    """SQLite FTS5 MATCH text: each phrase quoted, joined by AND (or OR)."""
    return (" OR " if any_of else " AND ").join('"' + " ".join(phrase) + '"' for phrase in phrases)


def tsquery_expression(phrases: Iterable[Phrase], *, any_of: bool = False) -> str:
    """PostgreSQL `to_tsquery('simple', …)` text: words of a phrase adjacent (<->), phrases & (or |)."""
    return (" | " if any_of else " & ").join(
        "(" + " <-> ".join(f"'{word}'" for word in phrase) + ")" for phrase in phrases
    )
