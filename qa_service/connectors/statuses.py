"""Agent status events and planned staffing: rows from any platform → `StatusEvent` / `StaffingSlot`.

Platforms name statuses their own way ("Available", "Pause", «Перерыв»…); everything is
normalised to the five statuses operations reports understand.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from typing import Any

from qa_service.connectors.base import StaffingSlot, StatusEvent

log = logging.getLogger(__name__)

STATUSES = ("ready", "not_ready", "on_call", "break", "logged_out")

_SYNONYMS = {
    "ready": "ready",
    "available": "ready",
    "idle": "ready",
    "logged_in": "ready",
    "login": "ready",
    "готов": "ready",
    "свободен": "ready",
    "not_ready": "not_ready",
    "notready": "not_ready",
    "unavailable": "not_ready",
    "pause": "not_ready",
    "paused": "not_ready",
    "wrap_up": "not_ready",
    "acw": "not_ready",
    "не_готов": "not_ready",
    "поствызывная_обработка": "not_ready",
    "on_call": "on_call",
    "oncall": "on_call",
    "busy": "on_call",
    "talking": "on_call",
    "in_call": "on_call",
    "в_разговоре": "on_call",
    "разговор": "on_call",
    "break": "break",
    "lunch": "break",
    "перерыв": "break",
    "обед": "break",
    "logged_out": "logged_out",
    "loggedout": "logged_out",
    "logout": "logged_out",
    "offline": "logged_out",
    "вышел": "logged_out",
    "не_в_системе": "logged_out",
}


def normalize_status(raw: str, extra: dict[str, str] | None = None) -> str | None:
    """One of `STATUSES`, or None when the platform's name is unknown."""
    token = "_".join(str(raw).strip().lower().replace("-", " ").split())
    if extra:
        mapped = {k.strip().lower(): v for k, v in extra.items()}.get(str(raw).strip().lower())
        if mapped in STATUSES:
            return mapped
    return _SYNONYMS.get(token)


def parse_moment(value: Any, tz: tzinfo) -> datetime:
    """ISO text (naive text is read in the platform's zone) or a Unix timestamp → aware datetime."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), tz)
    moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def status_event(
    row: dict[str, Any], source_key: str, tz: tzinfo, extra: dict[str, str] | None = None
) -> StatusEvent | None:
    """A status row (`agent_id`, `status`, `at`) → `StatusEvent`; None (logged) when unusable."""
    try:
        agent = str(row.get("agent_id") or "").strip()
        status = normalize_status(str(row.get("status") or ""), extra)
        at = parse_moment(row.get("at"), tz)
    except (TypeError, ValueError):
        log.warning("status row %s skipped: bad time %r", source_key, row.get("at"))
        return None
    if not agent or status is None:
        log.warning("status row %s skipped: agent %r, status %r", source_key, agent, row.get("status"))
        return None
    return StatusEvent(agent_id=agent, status=status, at=at, source_key=source_key)


def staffing_slot(row: dict[str, Any], tz: tzinfo) -> StaffingSlot | None:
    """A plan row (`hour_start`, `planned_agents`, optional `queue`) → `StaffingSlot`; None when unusable."""
    try:
        hour = parse_moment(row.get("hour_start"), tz).replace(minute=0, second=0, microsecond=0)
        planned = int(float(str(row.get("planned_agents"))))
    except (TypeError, ValueError):
        log.warning("staffing row skipped: %r", row)
        return None
    if planned < 0:
        log.warning("staffing row skipped: negative plan %r", row)
        return None
    queue = str(row["queue"]).strip() if row.get("queue") not in (None, "") else None
    return StaffingSlot(hour_start=hour, planned_agents=planned, queue=queue)
