"""Redaction of a whole interaction before it is stored: every turn's text, subject and words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from qa_service.core.interaction import Interaction, Turn
from qa_service.core.redaction.contacts import AIRLINE_PUBLIC_PHONES
from qa_service.core.redaction.names import self_introduced
from qa_service.core.redaction.redactor import contains_card_number, redact
from qa_service.core.redaction.timed import redact_timed_words


@dataclass(frozen=True)
class RedactedInteraction:
    """The interaction as it may be stored, and what the redaction found.

    `card_seen` is the ingestion flag (a card number was in the text; the number itself is
    gone).  `audio_intervals` are the (start, end) seconds to silence in the recording.
    """

    interaction: Interaction
    card_seen: bool
    kinds: frozenset[str] = field(default_factory=frozenset)
    audio_intervals: list[tuple[float, float]] = field(default_factory=list)


def _redact_turn(turn: Turn, keep_phones: tuple[str, ...], names: bool = True, keep_names: frozenset[str] = frozenset()
                 ) -> tuple[Turn, bool, set[str], list[tuple[float, float]]]:
    text = redact(turn.text, keep_phones=keep_phones, names=names, keep_names=keep_names)
    kinds = {s.kind for s in text.spans}
    card = contains_card_number(turn.text)
    subject = turn.subject
    if subject:
        card = card or contains_card_number(subject)
        redacted_subject = redact(subject, keep_phones=keep_phones, names=names, keep_names=keep_names)
        kinds |= {s.kind for s in redacted_subject.spans}
        subject = redacted_subject.text
    words, intervals = turn.words, []
    if turn.words:
        timed = redact_timed_words(turn.words, keep_phones=keep_phones)
        words, intervals = timed.redacted_words, timed.intervals
        kinds |= {s.kind for s in timed.spans}
        card = card or any(s.kind == "card" for s in timed.spans)
    return replace(turn, text=text.text, subject=subject, words=words), card, kinds, intervals


def redact_interaction(
    item: Interaction, *, keep_phones: Iterable[str] = AIRLINE_PUBLIC_PHONES, redact_names: bool = True
) -> RedactedInteraction:
    """A redacted copy of `item` (the input is not changed) with the card flag and mute intervals.

    Customers' names are redacted unless `redact_names` is off (a tenant setting); the name
    the agent introduces themselves or signs with is kept in every turn.
    """
    keep = tuple(keep_phones)
    agent_names = frozenset(w for t in item.turns if t.speaker == "agent" for w in self_introduced(t.text))
    turns, card_seen, kinds, intervals = [], False, set(), []
    for turn in item.turns:
        redacted, card, turn_kinds, turn_intervals = _redact_turn(turn, keep, redact_names, agent_names)
        turns.append(redacted)
        card_seen |= card
        kinds |= turn_kinds
        intervals.extend(turn_intervals)
    return RedactedInteraction(replace(item, turns=turns), card_seen, frozenset(kinds), sorted(intervals))
