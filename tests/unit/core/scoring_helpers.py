"""Builders for scoring tests: small Russian interactions in the contract shape."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from qa_service.core.interaction import Interaction, parse_interaction
from qa_service.core.rubric import load_rubric
from qa_service.core.scoring import Evaluation, score_interaction

CallTurn = tuple[str, float, float, str]


def call(turns: list[CallTurn], *, stereo: bool = True, topic: str | None = None, **extra: Any) -> Interaction:
    data: dict[str, Any] = {
        "external_id": "t-call",
        "channel": "call",
        "agent_id": "a1",
        "started_at": "2026-11-20T10:00:00+03:00",
        "turns": [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in turns],
        **extra,
    }
    if stereo:
        data["recording"] = {"channels": {"0": "agent", "1": "customer"}}
    if topic:
        data["topic"] = topic
    return parse_interaction(data)


def chat(messages: list[tuple[str, float, str]], *, start: str = "2026-11-21T10:00:00+03:00",
         topic: str | None = None, **extra: Any) -> Interaction:
    """Messages as (speaker, seconds after `start`, text)."""
    origin = datetime.fromisoformat(start)
    data: dict[str, Any] = {
        "external_id": "t-chat",
        "channel": "chat",
        "agent_id": "a1",
        "started_at": start,
        "turns": [{"speaker": s, "at": (origin + timedelta(seconds=sec)).isoformat(), "text": t}
                  for s, sec, t in messages],
        **extra,
    }
    if topic:
        data["topic"] = topic
    return parse_interaction(data)


def email(messages: list[dict[str, Any]], **extra: Any) -> Interaction:
    data: dict[str, Any] = {
        "external_id": "t-mail",
        "channel": "email",
        "agent_id": "a1",
        "started_at": messages[0]["at"],
        "turns": messages,
        **extra,
    }
    return parse_interaction(data)


def score(interaction: Interaction, rubric: str | None = None) -> Evaluation:
    rubric_id = rubric or {"call": "airline-call", "chat": "airline-chat", "email": "airline-email"}[
        interaction.channel]
    return score_interaction(interaction, load_rubric(rubric_id))


def answer(interaction: Interaction, criterion: str) -> str | float | None:
    return score(interaction).answer(criterion).answer


OPENING: list[CallTurn] = [
    ("agent", 0.5, 5.0, "Добрый день, авиакомпания «Северный Ветер», меня зовут Анна."),
    ("customer", 5.5, 9.0, "Здравствуйте, подскажите, во сколько регистрация на рейс?"),
]
CLOSING: list[CallTurn] = [
    ("agent", 100.0, 103.0, "Могу ли я ещё чем-то помочь?"),
    ("customer", 103.5, 105.0, "Нет, спасибо."),
    ("agent", 105.5, 109.0, "Спасибо за обращение в авиакомпанию «Северный Ветер», всего доброго!"),
]
