"""Status durations and presence: hand-computed figures for segments crossing an hour and midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qa_service.core.errors import UserFacingError
from qa_service.core.reports.periods import hour_starts, parse_day, period_bounds
from qa_service.core.reports.statuses import (
    HourWindow,
    StatusChange,
    per_agent,
    presence_by_window,
    segments,
    split_by_hour,
)

MSK = ZoneInfo("Europe/Moscow")
DAY = date(2026, 11, 20)


def local(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MSK).astimezone(UTC)


def windows() -> list[HourWindow]:
    return [HourWindow(h, s, e) for h, s, e in hour_starts(DAY, DAY, MSK)]


def test_the_day_is_bounded_by_local_midnights() -> None:
    start, end = period_bounds(DAY, DAY, MSK)
    assert start == datetime(2026, 11, 19, 21, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
    assert [w.hour for w in windows()] == list(range(24))
    assert windows()[0].start == start and windows()[-1].end == end


def test_bad_date_is_one_line() -> None:
    with pytest.raises(UserFacingError) as error:
        parse_day("20.11.2026")
    assert "ГГГГ-ММ-ДД" in error.value.one_line()


def _day_segments() -> list:
    start, end = period_bounds(DAY, DAY, MSK)
    changes = [
        StatusChange("A", "ready", local(9, 50)),
        StatusChange("A", "on_call", local(10, 10)),
        StatusChange("A", "logged_out", local(10, 40)),
        # B logged in the evening before (initial status) and went on a break after midnight: never logs out.
        StatusChange("B", "break", local(0, 15)),
    ]
    return segments(changes, {"B": "ready"}, start, end)


def test_durations_split_across_an_hour() -> None:
    per_hour = split_by_hour(_day_segments(), windows())
    assert per_hour[9]["ready"] == 10 * 60
    assert per_hour[10]["ready"] == 10 * 60
    assert per_hour[10]["on_call"] == 30 * 60
    # A is logged out 20 minutes of hour 10; B is on a break the whole hour.
    assert per_hour[10]["logged_out"] == 20 * 60 + 0
    assert per_hour[10]["break"] == 60 * 60


def test_a_status_from_before_midnight_and_an_agent_who_never_logs_out() -> None:
    totals = per_agent(_day_segments())
    assert totals["B"]["ready"] == 15 * 60  # 00:00–00:15 local, the rest of yesterday evening not counted
    assert totals["B"]["break"] == 23 * 3600 + 45 * 60  # until the end of the day
    assert totals["A"]["logged_out"] == (9 * 60 + 50 + 13 * 60 + 20) * 60
    assert sum(totals["A"].values()) == 24 * 3600


def test_presence_lowest_and_average_per_hour() -> None:
    presence = presence_by_window(_day_segments(), windows(), until=period_bounds(DAY, DAY, MSK)[1])
    assert presence[9] is not None and presence[9].lowest == 1
    assert presence[9].average == pytest.approx((1 * 50 + 2 * 10) / 60)
    assert presence[10] is not None and presence[10].lowest == 1
    assert presence[10].average == pytest.approx((2 * 40 + 1 * 20) / 60)
    assert presence[0] is not None and presence[0].lowest == 1


def test_hours_after_now_have_no_presence_and_statuses_stop_at_now() -> None:
    start, _ = period_bounds(DAY, DAY, MSK)
    now = local(12, 30)
    parts = segments([StatusChange("A", "ready", local(12, 10))], {}, start, now)
    presence = presence_by_window(parts, windows(), until=now)
    # The running hour is measured up to now: 10 of its 30 minutes without A.
    assert presence[12] is not None and presence[12].lowest == 0
    assert presence[12].average == pytest.approx(20 / 30)
    assert all(p is None for p in presence[13:])
    assert per_agent(parts)["A"]["ready"] == 20 * 60


def test_a_hand_over_at_the_same_instant_is_no_dip() -> None:
    start, end = period_bounds(DAY, DAY, MSK)
    changes = [StatusChange("A", "logged_out", local(10)), StatusChange("B", "ready", local(10))]
    parts = segments(changes, {"A": "ready"}, start, end)
    presence = presence_by_window(parts, windows(), until=end)
    assert presence[10] is not None and presence[10].lowest == 1
    assert presence[9] is not None and presence[9].lowest == 1
    assert timedelta(hours=1) == windows()[10].end - windows()[10].start
