"""The interaction as the domain sees it: one call, chat or e-mail thread with its turns.

`parse_interaction` turns the contract JSON (`schemas/interaction.schema.json`) into these
dataclasses, or raises `InvalidInteraction` with one line naming what is wrong.  Calls may
also carry `metrics` and `quality` as produced by `qa-service transcribe` (an extension
the schema allows: it does not forbid extra properties).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from qa_service.core.errors import InvalidInteraction
from qa_service.core.interaction_limits import check_volume
from qa_service.core.json_input import check_tree

CHANNELS = ("call", "chat", "email")
SPEAKERS = ("agent", "customer", "system", "bot", "unknown")


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass
class Turn:
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    at: datetime | None = None
    subject: str | None = None
    words: list[Word] = field(default_factory=list)


@dataclass
class CallMetrics:
    """Timing measured from the audio (see `qa_service.asr`): intervals in seconds."""

    silences: list[tuple[float, float]] = field(default_factory=list)
    overtalk: list[tuple[float, float]] = field(default_factory=list)
    talk_ratio: dict[str, float] = field(default_factory=dict)
    holds: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class TranscriptQuality:
    score: float = 1.0
    flags: list[str] = field(default_factory=list)

    @property
    def is_poor(self) -> bool:
        return self.score < 0.6


@dataclass
class Interaction:
    external_id: str
    channel: str
    agent_id: str
    started_at: datetime
    direction: str = "inbound"
    source: str | None = None
    queue: str | None = None
    ended_at: datetime | None = None
    outcome: str | None = None
    wait_seconds: float | None = None
    sale_amount: float | None = None
    currency: str = "RUB"
    topic: str | None = None
    recording: dict[str, Any] | None = None
    turns: list[Turn] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    metrics: CallMetrics | None = None
    quality: TranscriptQuality | None = None

    @property
    def is_stereo(self) -> bool:
        return bool(self.recording and self.recording.get("channels"))


@cache
def interaction_schema() -> dict[str, Any]:
    """The contract schema shipped inside the package."""
    text = resources.files("qa_service.schemas").joinpath("interaction.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _where(error: jsonschema.ValidationError) -> str:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return path.lstrip(".") or "(документ)"


def _problem(error: jsonschema.ValidationError) -> tuple[str, str]:
    """What is wrong, short and without echoing the value (it may be megabytes, or a card number)."""
    limit: Any = error.validator_value
    match error.validator:
        case "maxLength":
            return f"длиннее {limit} символов", f"longer than {limit} characters"
        case "minLength":
            return f"короче {limit} символов", f"shorter than {limit} characters"
        case "maximum":
            return f"больше {limit}", f"greater than {limit}"
        case "minimum":
            return f"меньше {limit}", f"less than {limit}"
        case "type":
            return f"ожидается тип {limit}", f"expected type {limit}"
        case "enum":
            allowed = ", ".join(map(str, limit))
            return f"допустимо одно из: {allowed}", f"must be one of: {allowed}"
        case "format":
            return f"ожидается формат {limit}", f"expected format {limit}"
        case "required":
            return error.message.replace("is a required property", "— обязательное поле"), error.message
        case "minItems" | "maxItems":
            ru = f"неверное число элементов ({error.validator} {limit})"
            return ru, f"wrong number of items ({error.validator} {limit})"
    message = " ".join(error.message.split())[:200]
    return message, message


@cache
def _validator() -> jsonschema.Draft202012Validator:
    # The format checker checks `date-time` only with rfc3339-validator installed (requirements.txt).
    return jsonschema.Draft202012Validator(
        interaction_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def validate_interaction(data: Any) -> None:
    """Raise `InvalidInteraction` (or `UnsafeJson`) naming the first field that breaks the contract."""
    if not isinstance(data, dict):
        raise InvalidInteraction("взаимодействие должно быть JSON-объектом", "an interaction must be a JSON object")
    check_volume(data)  # first: walking 100,000 turns (the tree check, the schema) is itself the stall
    check_tree(data)
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        first = errors[0]
        where = _where(first)
        ru, en = _problem(first)
        raise InvalidInteraction(f"неверное поле {where}: {ru}", f"invalid field {where}: {en}")


# Contact-center times: anything outside is a platform bug, and year 1 or 9999 overflows
# time-zone arithmetic (and every report that adds a day to it).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def parse_time(value: str, where: str) -> datetime:
    """ISO 8601 with an offset, 1990–2199; anything else is an error naming the field."""
    shown = repr(value[:40]) if isinstance(value, str) else type(value).__name__
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInteraction(
            f"неверное время в поле {where}: {shown}", f"bad time in field {where}: {shown}"
        ) from None
    if moment.tzinfo is None:
        raise InvalidInteraction(
            f"время в поле {where} без часового пояса: {shown}",
            f"time in field {where} has no UTC offset: {shown}",
        )
    try:
        in_range = EARLIEST <= moment < LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise InvalidInteraction(
            f"время в поле {where} вне 1990–2199 годов: {shown}",
            f"time in field {where} is outside the years 1990–2199: {shown}",
        )
    return moment


def _intervals(raw: Any, where: str) -> list[tuple[float, float]]:
    result: list[tuple[float, float]] = []
    for i, pair in enumerate(raw or []):
        try:
            start, end = float(pair[0]), float(pair[1])
        except (TypeError, ValueError, IndexError):
            raise InvalidInteraction(f"неверный интервал {where}[{i}]", f"bad interval {where}[{i}]") from None
        result.append((start, end))
    return result


def _parse_turn(raw: dict[str, Any], index: int) -> Turn:
    where = f"turns[{index}]"
    start = raw.get("start")
    end = raw.get("end")
    if start is not None and end is not None and float(end) < float(start):
        raise InvalidInteraction(
            f"{where}: конец реплики раньше начала ({end} < {start})",
            f"{where}: turn ends before it starts ({end} < {start})",
        )
    words = [
        Word(float(w["start"]), float(w["end"]), str(w["word"]), float(w.get("probability", 1.0)))
        for w in raw.get("words") or []
        if isinstance(w, dict) and {"start", "end", "word"} <= w.keys()
    ]
    return Turn(
        speaker=raw["speaker"],
        text=raw["text"],
        start=float(start) if start is not None else None,
        end=float(end) if end is not None else None,
        at=parse_time(raw["at"], f"{where}.at") if raw.get("at") else None,
        subject=raw.get("subject"),
        words=words,
    )


def parse_interaction(data: Any) -> Interaction:
    """Validate the contract JSON and build an `Interaction`."""
    validate_interaction(data)
    started = parse_time(data["started_at"], "started_at")
    ended = parse_time(data["ended_at"], "ended_at") if data.get("ended_at") else None
    if ended is not None and ended < started:
        raise InvalidInteraction("ended_at раньше started_at", "ended_at is before started_at")
    metrics = None
    if isinstance(data.get("metrics"), dict):
        m = data["metrics"]
        metrics = CallMetrics(
            silences=_intervals(m.get("silences"), "metrics.silences"),
            overtalk=_intervals(m.get("overtalk"), "metrics.overtalk"),
            talk_ratio={str(k): float(v) for k, v in (m.get("talk_ratio") or {}).items()},
            holds=_intervals(m.get("holds"), "metrics.holds"),
        )
    quality = None
    if isinstance(data.get("quality"), dict):
        q = data["quality"]
        quality = TranscriptQuality(score=float(q.get("score", 1.0)), flags=list(q.get("flags") or []))
    return Interaction(
        external_id=data["external_id"],
        channel=data["channel"],
        agent_id=data["agent_id"],
        started_at=started,
        direction=data.get("direction", "inbound"),
        source=data.get("source"),
        queue=data.get("queue"),
        ended_at=ended,
        outcome=data.get("outcome"),
        wait_seconds=data.get("wait_seconds"),
        sale_amount=data.get("sale_amount"),
        currency=data.get("currency", "RUB"),
        topic=data.get("topic"),
        recording=data.get("recording"),
        turns=[_parse_turn(t, i) for i, t in enumerate(data.get("turns") or [])],
        meta=dict(data.get("meta") or {}),
        metrics=metrics,
        quality=quality,
    )


def interaction_to_json(item: Interaction) -> dict[str, Any]:
    """The contract JSON of an interaction (inverse of `parse_interaction`)."""
    out: dict[str, Any] = {
        "external_id": item.external_id,
        "channel": item.channel,
        "direction": item.direction,
        "agent_id": item.agent_id,
        "started_at": item.started_at.isoformat(),
        "currency": item.currency,
    }
    optional: dict[str, Any] = {
        "source": item.source,
        "queue": item.queue,
        "ended_at": item.ended_at.isoformat() if item.ended_at else None,
        "outcome": item.outcome,
        "wait_seconds": item.wait_seconds,
        "sale_amount": item.sale_amount,
        "topic": item.topic,
        "recording": item.recording,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    turns = []
    for t in item.turns:
        turn: dict[str, Any] = {"speaker": t.speaker, "text": t.text}
        if t.start is not None:
            turn["start"] = t.start
        if t.end is not None:
            turn["end"] = t.end
        if t.at is not None:
            turn["at"] = t.at.isoformat()
        if t.subject is not None:
            turn["subject"] = t.subject
        if t.words:
            turn["words"] = [
                {"start": w.start, "end": w.end, "word": w.word, "probability": w.probability} for w in t.words
            ]
        turns.append(turn)
    out["turns"] = turns
    if item.meta:
        out["meta"] = item.meta
    if item.metrics is not None:
        out["metrics"] = {
            "silences": [list(p) for p in item.metrics.silences],
            "overtalk": [list(p) for p in item.metrics.overtalk],
            "talk_ratio": item.metrics.talk_ratio,
            "holds": [list(p) for p in item.metrics.holds],
        }
    if item.quality is not None:
        out["quality"] = {"score": item.quality.score, "flags": item.quality.flags}
    return out
