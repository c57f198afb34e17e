"""How an interaction is drawn: turn text with evidence and redactions marked, the call timeline,
and response-time (SLA) markers for chats and e-mails.  Pure functions over the stored rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from qa_service.db.models import CriterionAnswer, Interaction, Turn

# From the standard: chat replies within 120 s (first within 60 s), e-mail within 24 h.
SLA_SECONDS = {"chat": 120.0, "email": 24 * 3600.0}
FIRST_REPLY_SECONDS = {"chat": 60.0, "email": 24 * 3600.0}


@dataclass
class TurnView:
    turn: Turn
    html: Markup
    criteria: list[str] = field(default_factory=list)
    reply_delay: float | None = None
    sla_breach: bool = False


@dataclass
class TimelineSpan:
    kind: str  # agent | customer | silence | hold | overtalk
    start: float
    end: float
    left: float  # percent of the duration
    width: float


def _evidence_by_turn(answers: list[CriterionAnswer]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for answer in answers:
        for item in answer.evidence or []:
            if isinstance(item, dict) and isinstance(item.get("turn"), int):
                found[item["turn"]].append((answer.criterion_id, str(item.get("quote") or "")))
    return found


def mark_text(text: str, redactions: list[Any] | None, quotes: list[tuple[str, str]]) -> Markup:
    """Escape `text`, wrapping redacted spans and evidence quotes in tags the page styles."""
    classes: list[set[str]] = [set() for _ in text]
    for span in redactions or []:
        for i in range(max(0, int(span.get("start", 0))), min(len(text), int(span.get("end", 0)))):
            classes[i].add("redacted")
    lowered = text.lower()
    for criterion, quote in quotes:
        if not quote:
            continue
        at = lowered.find(quote.lower())
        while at >= 0:
            for i in range(at, at + len(quote)):
                classes[i].add("ev:" + criterion)
            at = lowered.find(quote.lower(), at + len(quote))
    parts: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and classes[j] == classes[i]:
            j += 1
        chunk = str(escape(text[i:j]))
        marks = classes[i]
        if marks:
            evidence = sorted(c[3:] for c in marks if c.startswith("ev:"))
            css = " ".join((["redacted"] if "redacted" in marks else []) + (["evidence"] if evidence else []))
            data = f' data-criteria="{escape(" ".join(evidence))}"' if evidence else ""
            chunk = f'<mark class="{css}"{data}>{chunk}</mark>'
        parts.append(chunk)
        i = j
    return Markup("".join(parts))  # noqa: S704 - every piece of text above went through escape()


def turn_views(interaction: Interaction, answers: list[CriterionAnswer]) -> list[TurnView]:
    """The transcript as the page shows it, with evidence marks and SLA markers."""
    evidence = _evidence_by_turn(answers)
    views: list[TurnView] = []
    channel = interaction.channel.value
    waiting_since = None
    first_reply_done = False
    for turn in interaction.turns:
        quotes = evidence.get(turn.position, [])
        view = TurnView(turn, mark_text(turn.text, turn.redactions, quotes), sorted({c for c, _ in quotes}))
        if channel in SLA_SECONDS and turn.at is not None:
            if turn.speaker == "customer" and waiting_since is None:
                waiting_since = turn.at
            elif turn.speaker == "agent" and waiting_since is not None:
                view.reply_delay = (turn.at - waiting_since).total_seconds()
                limit = SLA_SECONDS[channel] if first_reply_done else FIRST_REPLY_SECONDS[channel]
                view.sla_breach = view.reply_delay > limit
                first_reply_done = True
                waiting_since = None
        views.append(view)
    return views


def duration_of(interaction: Interaction) -> float:
    if interaction.recording is not None and interaction.recording.duration:
        return float(interaction.recording.duration)
    ends = [t.end for t in interaction.turns if t.end is not None]
    return float(max(ends)) if ends else 0.0


def timeline(interaction: Interaction) -> list[TimelineSpan]:
    """Speech per speaker, silences, holds and overtalk of a call, positioned as percentages."""
    duration = duration_of(interaction)
    if duration <= 0:
        return []
    spans: list[tuple[str, float, float]] = [
        (t.speaker, float(t.start), float(t.end))
        for t in interaction.turns
        if t.start is not None and t.end is not None
    ]
    metrics = interaction.metrics or {}
    for kind, key in (("silence", "silences"), ("hold", "holds"), ("overtalk", "overtalk")):
        spans += [(kind, float(s), float(e)) for s, e in metrics.get(key) or []]
    return [
        TimelineSpan(
            kind, start, end, round(100 * start / duration, 3), round(max(0.3, 100 * (end - start) / duration), 3)
        )
        for kind, start, end in spans
    ]


def format_seconds(value: float | None) -> str:
    if value is None:
        return ""
    value = max(0.0, value)
    if value >= 3600:
        return f"{int(value // 3600)}:{int(value % 3600 // 60):02d}:{int(value % 60):02d}"
    return f"{int(value // 60)}:{int(value % 60):02d}"
