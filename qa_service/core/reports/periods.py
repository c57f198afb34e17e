"""Days and hours in the tenant's time zone, as UTC bounds the queries can use."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from qa_service.core import date_input
from qa_service.core.errors import UserFacingError


def parse_day(text: str) -> date:
    """YYYY-MM-DD → date within the bounds of `core.date_input`, with a one-line error for anything else."""
    return date_input.parse_day(text)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def period_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local days `first`..`last` inclusive."""
    if last < first:
        raise UserFacingError("период: конец раньше начала", "period: the end is before the start")
    return local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)


def hour_starts(first: date, last: date, zone: ZoneInfo) -> Iterator[tuple[int, datetime, datetime]]:
    """(local hour of day, start, end) of every local wall-clock hour of the period, in UTC.

    Built from the local wall clock rather than by adding hours to UTC, so zones with
    half-hour offsets still bucket on their own hour marks.
    """
    day = first
    while day <= last:
        for hour in range(24):
            start = datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)
            end = (datetime.combine(day, time(hour), tzinfo=zone) + timedelta(hours=1)).astimezone(UTC)
            if hour == 23:
                end = local_midnight(day + timedelta(days=1), zone)
            yield hour, start, end
        day += timedelta(days=1)
