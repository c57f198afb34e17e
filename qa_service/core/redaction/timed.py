"""Redaction of word-timed ASR output: the text, the words, and the audio intervals to silence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from qa_service.core.interaction import Word
from qa_service.core.redaction.contacts import AIRLINE_PUBLIC_PHONES
from qa_service.core.redaction.redactor import redact
from qa_service.core.redaction.spans import PLACEHOLDERS, Span


@dataclass(frozen=True)
class TimedRedaction:
    """`text` and `spans` as `redact` gives them for the joined words; `intervals` to mute."""

    text: str
    spans: list[Span] = field(default_factory=list)
    intervals: list[tuple[float, float]] = field(default_factory=list)
    redacted_words: list[Word] = field(default_factory=list)


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def redact_timed_words(
    words: Sequence[Word], margin: float = 0.25, *, keep_phones: Iterable[str] = AIRLINE_PUBLIC_PHONES,
    names: bool = True, keep_names: Iterable[str] = (),
) -> TimedRedaction:
    """Redact Whisper words (each carries its leading space) and say which audio to silence."""
    offsets: list[tuple[int, int]] = []
    at = 0
    for word in words:
        offsets.append((at, at + len(word.word)))
        at += len(word.word)
    result = redact("".join(w.word for w in words), keep_phones=keep_phones, names=names, keep_names=keep_names)
    intervals: list[tuple[float, float]] = []
    spans_of_words: dict[Span, list[int]] = {}
    out: list[Word] = []
    for word, (start, end) in zip(words, offsets, strict=True):
        hit = next((s for s in result.spans if s.overlaps(start, end)), None)
        if hit is None:
            out.append(word)
            continue
        intervals.append((max(0.0, word.start - margin), word.end + margin))
        spans_of_words.setdefault(hit, []).append(len(intervals) - 1)
        lead = word.word[: len(word.word) - len(word.word.lstrip())]
        out.append(Word(word.start, word.end, lead + PLACEHOLDERS[hit.kind], word.probability))
    # The stretch from a span's first word to its last is silenced whole.
    for members in spans_of_words.values():
        intervals.append((intervals[members[0]][0], intervals[members[-1]][1]))
    return TimedRedaction(result.text, result.spans, _merge(intervals), out)
