"""The one redaction of a whole interaction: every turn's text, subject and words, and `meta`.

Ingestion, the `score` CLI and transcription all call `redact_interaction`; nothing else
redacts an interaction, and the card flag is read from the spans it found — never derived
again from placeholders or by a second detector.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from qa_service.core.interaction import Interaction, Turn, Word
from qa_service.core.redaction.contacts import AIRLINE_PUBLIC_PHONES
from qa_service.core.redaction.names import self_introduced
from qa_service.core.redaction.redactor import find_spans, redact
from qa_service.core.redaction.spans import CARD_SPAN_KINDS, Redaction, Span, apply, resolve
from qa_service.core.redaction.spoken_cards import mask_words, spoken_card_spans
from qa_service.core.redaction.timed import redact_timed_words

# A card number or its security code in the input is what the ingestion flag and the
# `no_card_by_voice` criterion are about; an expiry date alone identifies no card.
CARD_KINDS = frozenset({"card", "cvv"})


@dataclass(frozen=True)
class FoundSpan:
    """One removed piece: `field` names where it was ("turns[2].text", "turns[0].subject", "meta.note")."""

    field: str
    span: Span

    @property
    def kind(self) -> str:
        return self.span.kind


@dataclass(frozen=True)
class RedactedInteraction:
    """The interaction as it may be stored, and every span the redaction removed.

    `turn_spans[i]` are the spans of turn i's text as stored (offsets into the input text),
    kept with the turn so a reviewer sees where a placeholder stands.  `audio_intervals`
    are the (start, end) seconds to silence in the recording.
    """

    interaction: Interaction
    spans: tuple[FoundSpan, ...] = ()
    turn_spans: tuple[tuple[Span, ...], ...] = ()
    audio_intervals: list[tuple[float, float]] = field(default_factory=list)

    @property
    def card_seen(self) -> bool:
        """The ingestion flag: a card number or CVV was in the input (the digits themselves are gone)."""
        return any(found.kind in CARD_KINDS for found in self.spans)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(found.kind for found in self.spans)

    def counts(self) -> dict[str, int]:
        """How many spans of each kind were removed (stored in the interaction's `meta.redacted`)."""
        return dict(Counter(found.kind for found in self.spans))


@dataclass(frozen=True)
class _Policy:
    """What this interaction's redaction keeps: the tenant's public phones, the agent's own name."""

    keep_phones: tuple[str, ...]
    names: bool
    keep_names: frozenset[str]

    def text(self, text: str, extra: list[Span] | None = None) -> Redaction:
        result = redact(text, keep_phones=self.keep_phones, names=self.names, keep_names=self.keep_names)
        if not extra:
            return result
        spans = resolve([*result.spans, *extra])
        return Redaction(apply(text, spans), spans)


def _joined(words: list[Word]) -> str:
    return "".join(w.word for w in words)


class _WordStreams:
    """Each speaker's words across all their turns, redacted as one stream.

    A card number dictated across pauses falls into several ASR turns; redacting turn by
    turn would miss it, so the redactor sees a speaker's whole word stream at once.
    """

    def __init__(self, turns: list[Turn], policy: _Policy) -> None:
        by_speaker: dict[str, list[int]] = {}
        for index, turn in enumerate(turns):
            if turn.words:
                by_speaker.setdefault(turn.speaker, []).append(index)
        self.words: dict[int, list[Word]] = {}
        self.spans: dict[int, list[Span]] = {}  # per turn, offsets into the turn's joined words
        self.intervals: list[tuple[float, float]] = []
        for indices in by_speaker.values():
            stream = [w for i in indices for w in turns[i].words]
            timed = redact_timed_words(stream, keep_phones=policy.keep_phones, names=policy.names,
                                       keep_names=policy.keep_names)
            self.intervals.extend(timed.intervals)
            at_word = at_char = 0
            for i in indices:
                count = len(turns[i].words)
                self.words[i] = list(timed.redacted_words[at_word : at_word + count])
                length = len(_joined(turns[i].words))
                self.spans[i] = [
                    Span(max(s.start, at_char) - at_char, min(s.end, at_char + length) - at_char, s.kind)
                    for s in timed.spans
                    if s.overlaps(at_char, at_char + length)
                ]
                at_word += count
                at_char += length


def _is_asr_text(turn: Turn) -> bool:
    """Is the turn's text its words joined (ASR output), so the word stream redacts it?"""
    if not turn.words:
        return False
    spoken = _joined(turn.words)
    return turn.text in (spoken, spoken.strip())


def _split_cards(turns: list[Turn], policy: _Policy) -> dict[int, list[Span]]:
    """Card numbers a speaker split over consecutive written messages («4111 1111» / «1111 1111»).

    Each speaker's messages are read as one text, a newline between them (a newline joins
    numbers as a space does); a card span that crosses a message boundary is cut into the
    pieces each message holds.  Spans inside one message are the turn redaction's business.
    """
    by_speaker: dict[str, list[int]] = {}
    for index, turn in enumerate(turns):
        if not _is_asr_text(turn) and turn.text:
            by_speaker.setdefault(turn.speaker, []).append(index)
    pieces: dict[int, list[Span]] = {}
    for indices in by_speaker.values():
        if len(indices) < 2:
            continue
        bounds: list[tuple[int, int, int]] = []  # (turn index, start, end) in the joined text
        at = 0
        for index in indices:
            bounds.append((index, at, at + len(turns[index].text)))
            at += len(turns[index].text) + 1
        joined = "\n".join(turns[i].text for i in indices)
        for span in find_spans(joined, policy.keep_phones, names=False):
            touched = [(i, lo, hi) for i, lo, hi in bounds if span.overlaps(lo, hi)]
            if span.kind not in CARD_SPAN_KINDS or len(touched) < 2:
                continue
            for i, lo, hi in touched:
                pieces.setdefault(i, []).append(Span(max(span.start, lo) - lo, min(span.end, hi) - lo, span.kind))
    return pieces


def _redact_turn(
    index: int, turn: Turn, streams: _WordStreams, policy: _Policy, split_cards: list[Span]
) -> tuple[Turn, list[FoundSpan], list[Span]]:
    found: list[FoundSpan] = []
    words = turn.words
    spoken = _joined(turn.words) if turn.words else None
    if turn.words and spoken is not None and turn.text in (spoken, spoken.strip()):
        # The text is the words joined (ASR output): it is redacted with the spans the stream
        # found, so a number dictated across turns is removed from every turn's text too.
        words = streams.words[index]
        shift = len(spoken) - len(spoken.lstrip()) if turn.text != spoken else 0
        text_spans = [Span(max(0, s.start - shift), max(0, s.end - shift), s.kind) for s in streams.spans[index]]
        rebuilt = apply(spoken, streams.spans[index])
        text = rebuilt if turn.text == spoken else rebuilt.strip()
    else:
        redacted_text = policy.text(turn.text, split_cards)
        text, text_spans = redacted_text.text, list(redacted_text.spans)
        if turn.words:
            words = streams.words[index]
            found.extend(FoundSpan(f"turns[{index}].words", s) for s in streams.spans[index])
    found.extend(FoundSpan(f"turns[{index}].text", s) for s in text_spans)
    subject = turn.subject
    if subject:
        redacted_subject = policy.text(subject)
        subject = redacted_subject.text
        found.extend(FoundSpan(f"turns[{index}].subject", s) for s in redacted_subject.spans)
    return replace(turn, text=text, subject=subject, words=words), found, text_spans


def _redact_value(value: Any, where: str, policy: _Policy, found: list[FoundSpan]) -> Any:
    """The platform's extra fields are kept as they are — except that no string in them keeps card or personal data."""
    if isinstance(value, str):
        result = policy.text(value)
        found.extend(FoundSpan(where, s) for s in result.spans)
        return result.text
    if isinstance(value, dict):
        return {key: _redact_value(item, f"{where}.{key}", policy, found) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_value(item, f"{where}[{i}]", policy, found) for i, item in enumerate(value)]
    return value


def redact_interaction(
    item: Interaction, *, keep_phones: Iterable[str] = AIRLINE_PUBLIC_PHONES, redact_names: bool = True
) -> RedactedInteraction:
    """A redacted copy of `item` (the input is not changed): turns, subjects, words and `meta`.

    `keep_phones` are the tenant's public numbers.  Customers' person names are redacted unless
    `redact_names` is off (a tenant setting); the name the agent introduces themselves or signs
    with is kept in every turn, text and audio alike.
    """
    agent_names = frozenset(w for t in item.turns if t.speaker == "agent" for w in self_introduced(t.text))
    policy = _Policy(tuple(keep_phones), redact_names, agent_names)
    streams = _WordStreams(item.turns, policy)
    split_cards = _split_cards(item.turns, policy)
    turns: list[Turn] = []
    found: list[FoundSpan] = []
    turn_spans: list[tuple[Span, ...]] = []
    for index, turn in enumerate(item.turns):
        redacted, turn_found, text_spans = _redact_turn(index, turn, streams, policy, split_cards.get(index, []))
        turns.append(redacted)
        found.extend(turn_found)
        turn_spans.append(tuple(text_spans))
    # Digits that answer a card or CVV request, or follow a card cue, whatever their count (calls: what
    # is said cannot be taken back; typed text has its own card rules).
    spoken = (spoken_card_spans([t.text for t in item.turns], [t.speaker for t in item.turns], turn_spans)
              if item.channel == "call" else {})
    for index, extra in spoken.items():
        turn = item.turns[index]
        spans = resolve([*turn_spans[index], *extra])
        words = turns[index].words
        if _is_asr_text(turn):
            joined = _joined(turn.words)
            shift = len(joined) - len(joined.lstrip()) if turn.text != joined else 0
            moved = [Span(s.start + shift, s.end + shift, s.kind) for s in extra]
            words, intervals = mask_words(turn.words, words, moved)
            streams.intervals.extend(intervals)
        turns[index] = replace(turns[index], text=apply(turn.text, spans), words=words)
        found.extend(FoundSpan(f"turns[{index}].text", s) for s in extra)
        turn_spans[index] = tuple(spans)
    meta = _redact_value(item.meta, "meta", policy, found) if item.meta else {}
    return RedactedInteraction(
        replace(item, turns=turns, meta=meta),
        tuple(found),
        tuple(turn_spans),
        _merge(streams.intervals),
    )


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
