"""The one connector interface: list new items since a cursor, fetch one, map it to the contract.

The ingestion service calls `list_new(cursor)`, then `fetch(ref)` for each ref in order,
stores the result in one transaction and only then persists `ref.cursor_after`, so the
cursor never moves past an item that was not stored.  Cursors are opaque strings owned by
the connector that made them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from qa_service.core.errors import UserFacingError

KINDS = ("call", "chat", "email", "status", "staffing", "transaction")
INTERACTION_KINDS = ("call", "chat", "email")


@dataclass(frozen=True)
class ItemRef:
    """One item the platform has, in cursor order."""

    kind: str  # "call" | "chat" | "email" | "status" | "staffing" | "invalid" (fetching it raises `PoisonItem`)
    key: str  # stable id at the platform (external_id for interactions)
    cursor_after: str  # the connector cursor value once this item is stored


@dataclass
class FetchedInteraction:
    """An interaction document (the contract JSON) and, for calls, the raw recording."""

    document: dict[str, Any]
    recording: bytes | None = None
    recording_filename: str | None = None


@dataclass(frozen=True)
class StatusEvent:
    """An agent changed status; `status` is one of `STATUSES`."""

    agent_id: str
    status: str
    at: datetime
    source_key: str


@dataclass(frozen=True)
class StaffingSlot:
    """How many agents the plan puts on one hour (optionally for one queue)."""

    hour_start: datetime
    planned_agents: int
    queue: str | None = None


@dataclass(frozen=True)
class TransactionRecord:
    """What the booking system or payment gateway did (kinds: `core.cases.matching.EVENT_KINDS`).

    The booking code and ticket/EMD numbers are clear here, in memory only: the cases service
    stores their keyed digests."""

    source_key: str
    kind: str
    at: datetime
    amount: float | None = None
    currency: str = "RUB"
    booking_code: str | None = None
    ticket_number: str | None = None
    emd_number: str | None = None
    agent_id: str | None = None


FetchResult = FetchedInteraction | list[StatusEvent] | list[StaffingSlot] | list[TransactionRecord]


class Connector(Protocol):
    name: str
    SECRET_KEYS: tuple[str, ...]

    def list_new(self, cursor: str | None, limit: int = 500) -> list[ItemRef]: ...

    def fetch(self, ref: ItemRef) -> FetchResult: ...


class TransientFetchError(Exception):
    """The platform failed in a way worth retrying later (5xx, timeout, malformed JSON, truncated audio)."""


class PoisonItem(UserFacingError):
    """This one item can never be stored (a broken manifest line, a MIME bomb): quarantine it and go on."""


class ConnectorConfigError(UserFacingError):
    """The connector's configuration is wrong: one bilingual line naming the key."""


def config_error(key: str, ru: str, en: str) -> ConnectorConfigError:
    """A configuration error that names the offending key."""
    return ConnectorConfigError(f"настройка коннектора «{key}»: {ru}", f"connector setting '{key}': {en}")


def require(config: dict[str, Any], key: str) -> Any:
    """The value of a mandatory configuration key."""
    value = config.get(key)
    if value in (None, ""):
        raise config_error(key, "обязательный параметр не задан", "required setting is missing")
    return value


def parse_tz(value: str | None, key: str = "timezone") -> tzinfo:
    """A fixed offset ('+03:00') or an IANA zone name ('Europe/Moscow'); default Moscow time."""
    if not value:
        return timezone(timedelta(hours=3))
    text = value.strip()
    if text[:1] in "+-" and len(text) == 6 and text[3] == ":":
        try:
            sign = 1 if text[0] == "+" else -1
            return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6])))
        except ValueError:
            pass
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise config_error(key, f"неизвестный часовой пояс {value!r}", f"unknown time zone {value!r}") from None


def iso(moment: datetime) -> str:
    """ISO 8601 with the offset, seconds precision (what the contract expects)."""
    return moment.isoformat(timespec="seconds")


def dump_cursor(state: dict[str, Any]) -> str:
    """Cursors are compact JSON with sorted keys, so equal states give equal strings."""
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def load_cursor(cursor: str | None) -> dict[str, Any]:
    """The state in a cursor string; an unreadable cursor starts from the beginning."""
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}
