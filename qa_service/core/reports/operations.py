"""The operational report of tender §3.2: per local hour, calls, chats, e-mails, sales, statuses, staffing.

Targets from the tender and the airline's standard: 80 % of inbound calls answered within
20 s (a call answered at exactly 20 s counts, at 21 s it does not), at most 5 % abandoned,
the first chat reply within 60 s, an e-mail answered within 24 hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import fmean
from typing import Any

from qa_service.core.reports.statuses import (
    HourWindow,
    Presence,
    Segment,
    per_agent,
    presence_by_window,
    split_by_hour,
)

ANSWER_TARGET_SECONDS = 20.0
SERVICE_LEVEL_TARGET = 0.80
ABANDON_TARGET = 0.05
CHAT_FIRST_REPLY_SECONDS = 60.0
EMAIL_REPLY_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class CallRecord:
    started_at: datetime
    inbound: bool
    answered: bool
    wait_seconds: float | None = None
    talk_seconds: float | None = None
    hold_seconds: float = 0.0


@dataclass(frozen=True)
class TextRecord:
    """A chat or an e-mail: when it came in and how long the first reply took (None: unanswered)."""

    channel: str
    started_at: datetime
    first_reply_seconds: float | None


@dataclass(frozen=True)
class SaleRecord:
    channel: str
    started_at: datetime
    amount: float


@dataclass(frozen=True)
class Episode:
    """A stretch of time with fewer agents logged in than required (see services.reports.staffing)."""

    started_at: datetime
    ended_at: datetime | None
    lowest: int
    required: int


@dataclass
class HourRow:
    hour: int
    inbound_offered: int = 0
    inbound_answered: int = 0
    inbound_lost: int = 0
    answered_within_20s: int = 0
    outbound: int = 0
    agents_logged_in: int = 0
    agents_logged_in_avg: float = 0.0
    agents_planned: int | None = None
    understaffed: bool = False
    chats: int = 0
    chats_in_sla: int = 0
    emails: int = 0
    emails_in_sla: int = 0
    sales_count: int = 0
    sales_amount: float = 0.0
    waits: list[float] = field(default_factory=list, repr=False)
    talks: list[float] = field(default_factory=list, repr=False)
    holds: list[float] = field(default_factory=list, repr=False)
    status_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def service_level(self) -> float | None:
        return ratio(self.answered_within_20s, self.inbound_offered)

    @property
    def abandon_rate(self) -> float | None:
        return ratio(self.inbound_lost, self.inbound_offered)

    @property
    def average_wait(self) -> float | None:
        return fmean(self.waits) if self.waits else None

    @property
    def average_talk(self) -> float | None:
        return fmean(self.talks) if self.talks else None

    @property
    def average_hold(self) -> float | None:
        return fmean(self.holds) if self.holds else None


@dataclass
class OperationsReport:
    first: date
    last: date
    timezone: str
    min_agents: int
    hours: list[HourRow]
    total: HourRow
    sales_by_channel: dict[str, tuple[int, float]]
    agent_statuses: dict[str, dict[str, float]]
    episodes: list[Episode]

    @property
    def understaffed_hours(self) -> list[int]:
        return [row.hour for row in self.hours if row.understaffed]

    def to_json(self) -> dict[str, Any]:
        """The shape of record (contracts/README.md, `qa-service report daily-operations`)."""
        total = self.total
        return {
            "date": self.first.isoformat(),
            "timezone": self.timezone,
            "hours": [
                {
                    "hour": row.hour,
                    "inbound_offered": row.inbound_offered,
                    "inbound_answered": row.inbound_answered,
                    "inbound_lost": row.inbound_lost,
                    "answered_within_20s": row.answered_within_20s,
                    "outbound": row.outbound,
                    "agents_logged_in": row.agents_logged_in,
                    "agents_planned": row.agents_planned,
                    "understaffed": row.understaffed,
                }
                for row in self.hours
            ],
            "totals": {
                "inbound_offered": total.inbound_offered,
                "inbound_answered": total.inbound_answered,
                "inbound_lost": total.inbound_lost,
                "outbound": total.outbound,
                "service_level": _rounded(total.service_level),
                "abandon_rate": _rounded(total.abandon_rate),
                "sales_count": total.sales_count,
                "sales_amount": round(total.sales_amount, 2),
                "chats": total.chats,
                "emails": total.emails,
            },
        }


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _add_call(row: HourRow, call: CallRecord) -> None:
    if not call.inbound:
        row.outbound += 1
        return
    row.inbound_offered += 1
    if call.answered:
        row.inbound_answered += 1
        if call.wait_seconds is not None and call.wait_seconds <= ANSWER_TARGET_SECONDS:
            row.answered_within_20s += 1
        if call.wait_seconds is not None:
            row.waits.append(call.wait_seconds)
        if call.talk_seconds is not None:
            row.talks.append(call.talk_seconds)
            row.holds.append(call.hold_seconds)
    else:
        row.inbound_lost += 1


def _add_text(row: HourRow, item: TextRecord) -> None:
    limit = CHAT_FIRST_REPLY_SECONDS if item.channel == "chat" else EMAIL_REPLY_SECONDS
    in_sla = item.first_reply_seconds is not None and item.first_reply_seconds <= limit
    if item.channel == "chat":
        row.chats += 1
        row.chats_in_sla += in_sla
    else:
        row.emails += 1
        row.emails_in_sla += in_sla


def build_operations(
    *,
    first: date,
    last: date,
    timezone: str,
    windows: Sequence[HourWindow],
    until: datetime,
    calls: Iterable[CallRecord],
    texts: Iterable[TextRecord],
    sales: Iterable[SaleRecord],
    status_segments: Sequence[Segment],
    planned: Mapping[datetime, int],
    min_agents: int,
    episodes: Sequence[Episode] = (),
) -> OperationsReport:
    """Bucket everything by local hour of day; `windows` are the period's hours, `until` is now or the end.

    Over a period of several days an hour's staffing is its worst day: the fewest agents
    logged in, and understaffed if it was on any day.
    """
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    rows = [HourRow(hour=h) for h in range(24)]
    total = HourRow(hour=-1)
    for call in calls:
        hour = call.started_at.astimezone(zone).hour
        _add_call(rows[hour], call)
        _add_call(total, call)
    for item in texts:
        hour = item.started_at.astimezone(zone).hour
        _add_text(rows[hour], item)
        _add_text(total, item)
    sales_by_channel: dict[str, list[float]] = defaultdict(list)
    for sale in sales:
        row = rows[sale.started_at.astimezone(zone).hour]
        row.sales_count += 1
        row.sales_amount += sale.amount
        total.sales_count += 1
        total.sales_amount += sale.amount
        sales_by_channel[sale.channel].append(sale.amount)

    presence = presence_by_window(status_segments, windows, until)
    seen: set[int] = set()
    for window, present in zip(windows, presence, strict=True):
        row = rows[window.hour]
        plan = planned.get(window.start)
        if plan is not None:
            row.agents_planned = max(row.agents_planned or 0, plan)
        if present is None:
            continue
        _apply_presence(row, present, plan, min_agents, first_seen=window.hour not in seen)
        seen.add(window.hour)
    for hour, seconds in split_by_hour(status_segments, windows).items():
        rows[hour].status_seconds = seconds
    return OperationsReport(
        first=first, last=last, timezone=timezone, min_agents=min_agents, hours=rows, total=total,
        sales_by_channel={k: (len(v), round(sum(v), 2)) for k, v in sorted(sales_by_channel.items())},
        agent_statuses=per_agent(status_segments), episodes=list(episodes),
    )


def _apply_presence(row: HourRow, present: Presence, plan: int | None, min_agents: int, *, first_seen: bool) -> None:
    if first_seen:
        row.agents_logged_in, row.agents_logged_in_avg = present.lowest, present.average
    else:
        row.agents_logged_in = min(row.agents_logged_in, present.lowest)
        row.agents_logged_in_avg = min(row.agents_logged_in_avg, present.average)
    required = max(min_agents, plan or 0)
    row.understaffed = row.understaffed or present.lowest < required
