"""Highlighted snippets: the part of a turn around the words a query matched."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qa_service.core.morphology import lemmatize
from qa_service.core.search.query import Phrase, index_tokens

CONTEXT_BEFORE = 60
WIDTH = 200


@dataclass(frozen=True)
class Segment:
    text: str
    matched: bool


def matched_spans(text: str, phrases: Iterable[Phrase]) -> list[tuple[int, int]]:
    """Character spans of `text` whose lemmas spell one of `phrases` (merged where they touch)."""
    lem = lemmatize(text)
    flat: list[tuple[str, int]] = [
        (word, i) for i, lemma in enumerate(lem.lemmas) for word in index_tokens([lemma])
    ]
    words = [w for w, _ in flat]
    marked: set[int] = set()
    for phrase in phrases:
        n = len(phrase)
        for start in range(len(words) - n + 1):
            if tuple(words[start : start + n]) == phrase:
                marked.update(flat[k][1] for k in range(start, start + n))
    spans: list[tuple[int, int]] = []
    for i in sorted(marked):
        start, end = lem.span(i, i)
        if spans and not text[spans[-1][1] : start].strip():
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def snippet(text: str, phrases: Iterable[Phrase]) -> list[Segment]:
    """The turn cut to about `WIDTH` characters around its first match, as plain and matched segments."""
    spans = matched_spans(text, phrases)
    first = spans[0][0] if spans else 0
    begin = max(0, first - CONTEXT_BEFORE)
    if begin:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < first else begin
    end = min(len(text), max(begin + WIDTH, spans[0][1] if spans else 0))
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > (spans[0][1] if spans else begin) else end
    segments: list[Segment] = [Segment("…", False)] if begin else []
    cursor = begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        if start > cursor:
            segments.append(Segment(text[cursor:start], False))
        segments.append(Segment(text[start:stop], True))
        cursor = stop
    if cursor < end:
        segments.append(Segment(text[cursor:end], False))
    if end < len(text):
        segments.append(Segment("…", False))
    return segments


def snippet_text(segments: Iterable[Segment]) -> str:
    """A snippet as one line of text, matched words in [brackets] (the CLI and API form)."""
    return "".join(f"[{s.text}]" if s.matched else s.text for s in segments)
