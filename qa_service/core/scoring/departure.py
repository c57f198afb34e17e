"""Departure dates mentioned in a customer's e-mail, for the urgent-reply rule."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

_MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}
_NUMERIC = re.compile(r"\b(\d{1,2})\.(\d{1,2})(?:\.(\d{2}|\d{4}))?\b")
_WORDED = re.compile(r"\b(\d{1,2})\s+(январ|феврал|марта?|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр)\w*",
                     re.IGNORECASE)
_RELATIVE = {"сегодня": 0, "завтра": 1, "послезавтра": 2}
_TRAVEL = re.compile(r"вылет|вылета|рейс|лечу|летим|лететь|улета|отправлени|перелет|перелёт", re.IGNORECASE)


def _month(word: str) -> int:
    word = word.lower()
    if word.startswith("мар"):
        return 3
    if word.startswith("ма"):
        return 5
    return next(v for k, v in _MONTHS.items() if word.startswith(k))


def _dated(day: int, month: int, year: int | None, received: datetime) -> date | None:
    try:
        found = date(year or received.year, month, day)
    except ValueError:
        return None
    if year is None and found < received.date() - timedelta(days=180):
        found = date(found.year + 1, month, day)  # «5 января» written in late December
    return found


def mentioned_dates(text: str, received: datetime) -> list[date]:
    """Calendar dates in the text, resolved against the receipt time (in its own time zone)."""
    found: list[date] = []
    for m in _NUMERIC.finditer(text):
        year = int(m.group(3)) if m.group(3) else None
        if year is not None and year < 100:
            year += 2000
        d = _dated(int(m.group(1)), int(m.group(2)), year, received)
        if d:
            found.append(d)
    for m in _WORDED.finditer(text):
        d = _dated(int(m.group(1)), _month(m.group(2)), None, received)
        if d:
            found.append(d)
    lowered = text.lower()
    for word, offset in _RELATIVE.items():
        if re.search(rf"\b{word}\b", lowered):
            found.append(received.date() + timedelta(days=offset))
    return found


def departure_within(text: str, received: datetime, hours: float) -> date | None:
    """A travel date in the text that falls within `hours` after receipt, if any."""
    if not _TRAVEL.search(text):
        return None
    horizon = received + timedelta(hours=hours)
    for day in mentioned_dates(text, received):
        day_start = datetime.combine(day, time.min, tzinfo=received.tzinfo)
        day_end = day_start + timedelta(days=1)
        if day_end > received and day_start < horizon:
            return day
    return None
