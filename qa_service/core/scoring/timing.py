"""Answerers from call timing: hold etiquette around long pauses, and overtalk."""

from __future__ import annotations

from qa_service.core.rubric.model import PhraseGroup, Rule
from qa_service.core.scoring.context import ScoringContext
from qa_service.core.scoring.evidence import Evidence, Outcome

Interval = tuple[float, float]


def derived_silences(ctx: ScoringContext) -> list[Interval]:
    """Gaps between turns when the recording came without measured silences."""
    spans = sorted((t.start, t.end) for t in ctx.turns if t.start is not None and t.end is not None)
    gaps: list[Interval] = []
    reach = None
    for start, end in spans:
        if reach is not None and start > reach:
            gaps.append((reach, start))
        reach = end if reach is None else max(reach, end)
    return gaps


def _agent_turn_near(ctx: ScoringContext, group: PhraseGroup | None, moment: float, near: float,
                     before: bool) -> int | None:
    if not group:
        return None
    for i in ctx.speaker_turns("agent"):
        turn = ctx.turns[i]
        if turn.start is None or turn.end is None:
            continue
        close = (moment - near <= turn.end <= moment + 1.0) if before else (moment - 1.0 <= turn.start <= moment + near)
        if close and ctx.texts[i].contains(group) is not None:
            return i
    return None


def answer_hold(ctx: ScoringContext, rule: Rule) -> Outcome:
    """Every pause over the threshold is announced before and thanked after; none too long."""
    pause = float(rule.params.get("pause_seconds", 20))
    longest = float(rule.params.get("max_silence_seconds", 60))
    near = float(rule.params.get("near_seconds", 15))
    metrics = ctx.interaction.metrics
    measured = metrics is not None and bool(metrics.silences or metrics.holds)
    silences = list(metrics.silences) if measured and metrics else derived_silences(ctx)
    holds = list(metrics.holds) if metrics else []
    pauses = sorted({(s, e) for s, e in [*silences, *holds] if e - s > pause})
    confidence = 0.85 if measured else 0.7
    if not pauses:
        return Outcome("na", confidence, f"пауз длиннее {pause:g} с нет")
    problems: list[str] = []
    evidence: list[Evidence] = []
    for start, end in pauses:
        asked = _agent_turn_near(ctx, rule.groups.get("before"), start, near, before=True)
        thanked = _agent_turn_near(ctx, rule.groups.get("after"), end, near, before=False)
        evidence.append(Evidence(asked if asked is not None else thanked, start, end,
                                 ctx.turns[asked].text if asked is not None else f"пауза {end - start:.0f} с"))
        if asked is None:
            problems.append(f"пауза {start:.0f}–{end:.0f} с без просьбы подождать")
        if thanked is None:
            problems.append(f"после паузы {start:.0f}–{end:.0f} с нет благодарности за ожидание")
        if (start, end) in silences and end - start > longest:
            problems.append(f"тишина {end - start:.0f} с длиннее {longest:g} с")
    if problems:
        return Outcome("no", confidence, "; ".join(problems), tuple(evidence))
    return Outcome("yes", confidence, f"пауз длиннее {pause:g} с: {len(pauses)}, этикет соблюдён", tuple(evidence))


def _derived_overtalk(ctx: ScoringContext) -> list[Interval]:
    timed = [(t.speaker, t.start, t.end) for t in ctx.turns if t.start is not None and t.end is not None]
    agent = [(s, e) for who, s, e in timed if who == "agent"]
    other = [(s, e) for who, s, e in timed if who == "customer"]
    return sorted((max(a0, c0), min(a1, c1)) for a0, a1 in agent for c0, c1 in other if min(a1, c1) > max(a0, c0))


def answer_overtalk(ctx: ScoringContext, rule: Rule) -> Outcome:
    """At most N overtalk episodes longer than the minimum; `na` for mono recordings."""
    if not ctx.interaction.is_stereo or not ctx.speakers_known:
        return Outcome("na", 0.95, "моно-запись: перебивания не измеряются")
    limit = int(rule.params.get("max_episodes", 2))
    minimum = float(rule.params.get("min_seconds", 1.0))
    metrics = ctx.interaction.metrics
    intervals = list(metrics.overtalk) if metrics is not None and metrics.overtalk else _derived_overtalk(ctx)
    episodes = [(s, e) for s, e in intervals if e - s > minimum]
    evidence = []
    for start, end in episodes[:5]:
        turn = next((i for i, t in enumerate(ctx.turns) if t.speaker == "agent" and t.start is not None
                     and t.end is not None and t.start <= end and t.end >= start), None)
        quote = ctx.turns[turn].text if turn is not None else ""
        evidence.append(Evidence(turn, start, end, quote))
    confidence = 0.85 if metrics is not None and metrics.overtalk is not None else 0.7
    if len(episodes) > limit:
        return Outcome("no", confidence, f"перебиваний: {len(episodes)} (допустимо {limit})", tuple(evidence))
    return Outcome("yes", confidence, f"перебиваний: {len(episodes)} (допустимо {limit})", tuple(evidence))
