"""Response-time answerers: chat first reply, chat reply times, e-mail reply SLA."""

from __future__ import annotations

import statistics
from datetime import datetime

from qa_service.core.rubric.model import Rule
from qa_service.core.scoring.context import ScoringContext, seconds_between
from qa_service.core.scoring.departure import departure_within
from qa_service.core.scoring.evidence import Outcome

SLA_CONFIDENCE = 0.97  # timestamps from the platform are facts, not guesses


def _timed(ctx: ScoringContext, speaker: str) -> list[int]:
    return [i for i in ctx.speaker_turns(speaker) if ctx.turns[i].at is not None]


def _at(ctx: ScoringContext, index: int) -> datetime:
    moment = ctx.turns[index].at
    assert moment is not None  # _timed() keeps only turns with a send time
    return moment


def _fmt(seconds: float) -> str:
    return f"{seconds:.0f} с" if seconds < 3600 else f"{seconds / 3600:.1f} ч"


def answer_first_reply(ctx: ScoringContext, rule: Rule) -> Outcome:
    """The first agent message after the customer's first one, within `seconds`."""
    limit = float(rule.params.get("seconds", 60))
    customers = _timed(ctx, "customer")
    if not customers:
        return Outcome("na", 0.9, "клиент не писал")
    first = customers[0]
    reply = next((i for i in _timed(ctx, "agent") if i > first), None)
    if reply is None:
        return Outcome("no", 0.9, "оператор не ответил", (ctx.evidence(first),))
    delay = seconds_between(_at(ctx, first), _at(ctx, reply))
    verdict = "yes" if delay <= limit else "no"
    return Outcome(verdict, SLA_CONFIDENCE, f"первый ответ через {_fmt(delay)} (норма {limit:g} с)",
                   (ctx.evidence(first), ctx.evidence(reply)))


def answer_reply_time(ctx: ScoringContext, rule: Rule) -> Outcome:
    """Median wait for an agent reply ≤ `median_seconds`, none over `max_seconds`."""
    median_limit = float(rule.params.get("median_seconds", 120))
    max_limit = float(rule.params.get("max_seconds", 300))
    holding = rule.groups.get("holding")
    waits: list[tuple[float, int, int | None]] = []
    pending: int | None = None
    for i, turn in enumerate(ctx.turns):
        if turn.at is None:
            continue
        if turn.speaker == "customer" and pending is None:
            pending = i
        elif turn.speaker == "agent" and pending is not None:
            waits.append((seconds_between(_at(ctx, pending), turn.at), pending, i))
            pending = None
    ended = ctx.interaction.ended_at
    if pending is not None and ended is not None:
        # A closing «спасибо» after the agent's last message is not a question left waiting,
        # unless the chat stayed open past the limit.
        trailing = seconds_between(_at(ctx, pending), ended)
        if trailing > max_limit:
            waits.append((trailing, pending, None))
    if not waits:
        return Outcome("na", 0.9, "нет сообщений клиента, ждавших ответа")
    median = statistics.median(w for w, _, _ in waits)
    worst, worst_turn, worst_reply = max(waits, key=lambda w: w[0])
    evidence = [ctx.evidence(worst_turn)]
    if worst_reply is not None:
        evidence.append(ctx.evidence(worst_reply))
    held = sum(1 for _, _, r in waits if r is not None and holding and ctx.texts[r].contains(holding))
    note = f"; ответов-ожиданий: {held}" if held else ""
    reason = f"медиана {_fmt(median)} (норма {median_limit:g} с), максимум {_fmt(worst)} (норма {max_limit:g} с){note}"
    verdict = "yes" if median <= median_limit and worst <= max_limit else "no"
    return Outcome(verdict, SLA_CONFIDENCE, reason, tuple(evidence))


def answer_email_reply(ctx: ScoringContext, rule: Rule) -> Outcome:
    """First reply within `hours`, or `urgent_hours` for urgent mail or a departure soon."""
    customers = _timed(ctx, "customer")
    if not customers:
        return Outcome("na", 0.9, "нет входящего письма")
    first = customers[0]
    received = _at(ctx, first)
    urgent_reason = _urgent(ctx, rule, first, received)
    limit_h = float(rule.params.get("urgent_hours", 8) if urgent_reason else rule.params.get("hours", 24))
    reply = next((i for i in _timed(ctx, "agent") if i > first), None)
    why = f" ({urgent_reason})" if urgent_reason else ""
    if reply is None:
        return Outcome("no", 0.85, f"ответа нет; норма {limit_h:g} ч{why}", (ctx.evidence(first),))
    delay = seconds_between(received, _at(ctx, reply))
    verdict = "yes" if delay <= limit_h * 3600 else "no"
    reason = f"ответ через {delay / 3600:.2f} ч (норма {limit_h:g} ч{why})"
    return Outcome(verdict, SLA_CONFIDENCE, reason, (ctx.evidence(first), ctx.evidence(reply)))


def _urgent(ctx: ScoringContext, rule: Rule, first: int, received: datetime) -> str | None:
    meta = ctx.interaction.meta
    if meta.get("urgent") is True or str(meta.get("priority", "")).lower() in ("high", "urgent", "срочно"):
        return "помечено срочным"
    turn = ctx.turns[first]
    urgent = rule.groups.get("urgent")
    if urgent and (ctx.texts[first].contains(urgent) or (turn.subject and "срочн" in turn.subject.lower())):
        return "письмо срочное"
    hours = float(rule.params.get("departure_within_hours", 48))
    text = f"{turn.subject or ''}\n{turn.text}"
    day = departure_within(text, received, hours)
    if day is not None:
        return f"вылет {day.strftime('%d.%m.%Y')} — в пределах {hours:g} ч"
    return None
