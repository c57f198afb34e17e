"""Per-interaction scoring state: lemmatized turns, speaker filters and rule windows."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from qa_service.core.interaction import Interaction, Turn
from qa_service.core.morphology import lemmatize_many
from qa_service.core.rubric.model import Window
from qa_service.core.scoring.evidence import Evidence
from qa_service.core.scoring.matching import IndexedText, Match

_QUOTE_LIMIT = 200
MONO_FACTOR = 0.8  # a rule that needs a speaker is less sure when it cannot tell who spoke


class ScoringContext:
    """Everything the answerers share for one interaction; each turn is lemmatized once."""

    def __init__(self, interaction: Interaction, topic: str | None) -> None:
        self.interaction = interaction
        self.topic = topic
        self.turns = interaction.turns

    @cached_property
    def texts(self) -> list[IndexedText]:
        return [IndexedText(lem) for lem in lemmatize_many([turn.text for turn in self.turns])]

    @cached_property
    def speakers_known(self) -> bool:
        return any(t.speaker in ("agent", "customer") for t in self.turns)

    @cached_property
    def call_end(self) -> float:
        ends = [t.end if t.end is not None else t.start for t in self.turns]
        return max((e for e in ends if e is not None), default=0.0)

    def speaker_turns(self, speaker: str | None) -> list[int]:
        """Turn indices of a speaker; every turn when the recording cannot tell speakers apart."""
        if speaker is None or not self.speakers_known:
            return [i for i, t in enumerate(self.turns) if t.speaker not in ("system", "bot")]
        return [i for i, t in enumerate(self.turns) if t.speaker == speaker]

    def speaker_factor(self, speaker: str | None) -> float:
        return MONO_FACTOR if speaker is not None and not self.speakers_known else 1.0

    def window(self, indices: list[int], window: Window | None) -> list[int]:
        """Narrow turn indices to the rule's window (first/last seconds or turns)."""
        if window is None or not indices:
            return indices
        if window.first_turns is not None:
            return indices[: window.first_turns]
        if window.last_turns is not None:
            return indices[-window.last_turns :]
        if window.first_seconds is not None:
            origin = self.moment(indices[0])
            if origin is None:
                return indices[:1]
            return [i for i in indices if (m := self.moment(i)) is not None and m - origin <= window.first_seconds]
        if window.last_seconds is not None:
            cutoff = self.call_end - window.last_seconds
            # The opening is never the closing: in a short call the last seconds reach back to
            # «…авиакомпания Северный Ветер», which must not complete a bare «до свидания».
            closing = indices[1:] if len(indices) > 1 else indices
            return [i for i in closing if (self.turns[i].end or self.turns[i].start or 0.0) >= cutoff]
        return indices

    def moment(self, index: int) -> float | None:
        """Seconds of a turn's start: call offset, or send time for chats and e-mail."""
        turn = self.turns[index]
        if turn.start is not None:
            return turn.start
        if turn.at is not None:
            return turn.at.timestamp()
        return None

    def evidence(self, index: int, match: Match | None = None) -> Evidence:
        """Evidence for a turn, quoting the whole turn or the text around the match."""
        turn: Turn = self.turns[index]
        text = turn.text
        if len(text) > _QUOTE_LIMIT and match is not None:
            lo = max(0, match.start - 60)
            hi = min(len(text), match.end + 60)
            quote = ("…" if lo else "") + text[lo:hi].strip() + ("…" if hi < len(text) else "")
        elif len(text) > _QUOTE_LIMIT:
            quote = text[:_QUOTE_LIMIT].rstrip() + "…"
        else:
            quote = text.strip()
        return Evidence(index, turn.start, turn.end, quote, turn.at)


def seconds_between(earlier: datetime, later: datetime) -> float:
    """Elapsed seconds between two aware datetimes (time zones may differ)."""
    return (later - earlier).total_seconds()
