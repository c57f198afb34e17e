"""Agent statuses over a period: time in each status per agent and per hour, and how many were logged in.

A status lasts from its event to the agent's next event; the status an agent was in when the
period started comes from their last event before it, and an agent who never logs out stays in
their last status until the end of the period (or until now, for a day still running).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

LOGGED_OUT = "logged_out"
STATUSES = ("ready", "not_ready", "on_call", "break", "logged_out")


@dataclass(frozen=True)
class StatusChange:
    agent: str
    status: str
    at: datetime


@dataclass(frozen=True)
class Segment:
    agent: str
    status: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class HourWindow:
    """One hour of the period: its local hour of day and its UTC bounds."""

    hour: int
    start: datetime
    end: datetime


def segments(
    changes: Iterable[StatusChange], initial: Mapping[str, str], start: datetime, end: datetime
) -> list[Segment]:
    """Continuous status segments of every agent within [start, end)."""
    by_agent: dict[str, list[StatusChange]] = defaultdict(list)
    for change in changes:
        by_agent[change.agent].append(change)
    for agent in initial:
        by_agent.setdefault(agent, [])
    result: list[Segment] = []
    for agent, items in by_agent.items():
        current = initial.get(agent, LOGGED_OUT)
        cursor = start
        for change in sorted(items, key=lambda c: c.at):
            if change.at >= end:
                break
            if change.at > cursor:
                result.append(Segment(agent, current, cursor, change.at))
                cursor = change.at
            current = change.status
        if cursor < end:
            result.append(Segment(agent, current, cursor, end))
    return result


def split_by_hour(parts: Iterable[Segment], hours: Sequence[HourWindow]) -> dict[int, dict[str, float]]:
    """Seconds in each status per local hour of day; a segment crossing an hour (or midnight) is split."""
    starts = [h.start for h in hours]
    per_hour: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0.0))
    for part in parts:
        index = max(0, bisect_right(starts, part.start) - 1)
        while index < len(hours) and hours[index].start < part.end:
            window = hours[index]
            overlap = (min(part.end, window.end) - max(part.start, window.start)).total_seconds()
            if overlap > 0:
                per_hour[window.hour][part.status] = per_hour[window.hour].get(part.status, 0.0) + overlap
            index += 1
    return dict(per_hour)


def per_agent(parts: Iterable[Segment]) -> dict[str, dict[str, float]]:
    """Seconds in each status per agent."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0.0))
    for part in parts:
        totals[part.agent][part.status] += (part.end - part.start).total_seconds()
    return dict(totals)


@dataclass(frozen=True)
class Presence:
    """Agents logged in during one hour window: the fewest at any moment, and the average."""

    lowest: int
    average: float


def presence_by_window(parts: Iterable[Segment], hours: Sequence[HourWindow], until: datetime) -> list[Presence | None]:
    """For each window (None once it lies after `until`): the fewest agents logged in at once, and the mean.

    Changes at the same instant are applied together, so a hand-over at 10:00:00 is no dip.
    """
    deltas: dict[datetime, int] = defaultdict(int)
    for part in parts:
        if part.status != LOGGED_OUT:
            deltas[part.start] += 1
            deltas[part.end] -= 1
    times = sorted(deltas)
    counts: list[int] = []
    running = 0
    for moment in times:
        running += deltas[moment]
        counts.append(running)

    def count_at(moment: datetime) -> int:
        index = bisect_right(times, moment) - 1
        return counts[index] if index >= 0 else 0

    result: list[Presence | None] = []
    for window in hours:
        end = min(window.end, until)
        if window.start >= end:
            result.append(None)
            continue
        lowest = level = count_at(window.start)
        weighted = 0.0
        cursor = window.start
        index = bisect_right(times, window.start)
        while index < len(times) and times[index] < end:
            weighted += level * (times[index] - cursor).total_seconds()
            cursor, level = times[index], counts[index]
            lowest = min(lowest, level)
            index += 1
        weighted += level * (end - cursor).total_seconds()
        result.append(Presence(lowest=lowest, average=weighted / (end - window.start).total_seconds()))
    return result
