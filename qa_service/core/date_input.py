"""Dates typed into forms and query strings, within bounds every later step can handle.

`date.fromisoformat("0001-01-01")` is a fine date; once it becomes midnight in Moscow and is
converted to UTC, or `9999-12-31` gets its day added for an end bound, Python raises
`OverflowError` and the page answers 500.  Every form field and query parameter that takes a date
goes through here: outside 1990–2199 (the years an interaction may carry, see
`core.interaction.parse_time`) it is refused in one line, or, for a lenient filter, moved onto the bound.
"""

from __future__ import annotations

from datetime import date, datetime

from qa_service.core.errors import UserFacingError

EARLIEST_DAY = date(1990, 1, 1)
LATEST_DAY = date(2199, 12, 31)


class DateInputError(UserFacingError):
    """A typed date that is not one, or is outside the years the service works with."""


def _shown(text: object) -> str:
    return repr(text[:30]) if isinstance(text, str) else type(text).__name__


def _in_bounds(day: date, text: object) -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise DateInputError(
            f"дата {_shown(text)} вне {EARLIEST_DAY.year}–{LATEST_DAY.year} годов",
            f"date {_shown(text)} is outside the years {EARLIEST_DAY.year}–{LATEST_DAY.year}",
        )


def parse_day(text: str) -> date:
    """YYYY-MM-DD within the bounds, or one line saying what is wrong."""
    try:
        day = date.fromisoformat(text.strip())
    except (ValueError, AttributeError, TypeError):
        raise DateInputError(f"дата: ожидается ГГГГ-ММ-ДД, а не {_shown(text)}",
                             f"date: expected YYYY-MM-DD, not {_shown(text)}") from None
    _in_bounds(day, text)
    return day


def day_or_none(text: str | None) -> date | None:
    """For filters that ignore what they cannot read: the day, or None (empty or garbled).

    A day beyond the bounds is moved onto them: "from 2999-01-01" still finds nothing and
    "to 0001-01-01" still everything before 1990, as the person asked, without the overflow.
    """
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except (ValueError, AttributeError, TypeError):
        return None
    return min(max(day, EARLIEST_DAY), LATEST_DAY)


def parse_local_datetime(text: str) -> datetime:
    """A `date` or `datetime-local` field (naive: the caller applies the tenant's zone), within the bounds."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError, TypeError):
        raise DateInputError(f"неверная дата: {_shown(text)}", f"invalid date: {_shown(text)}") from None
    _in_bounds(moment.date(), text)
    return moment.replace(tzinfo=None)
