"""Configurable mapping from a platform's JSON records to the interaction contract.

A mapping per kind says where each contract field is in the platform's record:
  "agent_id": "operator.id"                                         a dotted path
  "outcome": {"path": "result", "values": {"lost": "abandoned"}}    with value translation
  "started_at": {"path": "started", "type": "datetime"}             normalised (naive → tz)
  "wait_seconds": {"path": "wait_ms", "type": "number", "scale": 0.001, "default": 0}
  "started_at": {"path": "created_ms", "type": "datetime", "scale": 0.001}    epoch milliseconds
plus "id" and "cursor" (paths of the platform id and the time the API orders by),
"turns" (where messages are and their speaker/text/at/subject), "recording" (path of the
recording URL), "channels" and "meta" (extra paths kept under `meta`).  A tenant's
configuration overrides the defaults key by key (`merge_mapping`).
"""

from __future__ import annotations

import copy
from datetime import tzinfo
from typing import Any

from qa_service.connectors.base import iso
from qa_service.connectors.mime_thread import strip_quoted
from qa_service.connectors.statuses import parse_moment

_SPEAKERS = {"client": "customer", "customer": "customer", "operator": "agent", "agent": "agent",
             "bot": "bot", "system": "system"}

# The defaults read the simulator's shape (qa_service.simulator.data), a typical platform API.
DEFAULT_MAPPINGS: dict[str, dict[str, Any]] = {
    "call": {
        "id": "id",
        "cursor": "updated_at",
        "fields": {
            "external_id": "id",
            "agent_id": {"path": "operator.id", "default": "unassigned"},
            "direction": {"path": "direction", "values": {"in": "inbound", "out": "outbound"}},
            "queue": "queue",
            "started_at": {"path": "started_at", "type": "datetime"},
            "ended_at": {"path": "ended_at", "type": "datetime"},
            "outcome": {"path": "result", "values": {"lost": "abandoned", "no_answer": "missed"}},
            "wait_seconds": {"path": "wait_sec", "type": "number"},
            "sale_amount": {"path": "amount", "type": "number"},
            "topic": "wrapup",
        },
        "recording": "recording",
        "channels": {"0": "agent", "1": "customer"},
        "meta": {"agent_name": "operator.name", "customer_phone": "customer.phone", "booking_code": "booking"},
    },
    "chat": {
        "id": "id",
        "cursor": "updated_at",
        "fields": {
            "external_id": "id",
            "agent_id": {"path": "operator.id", "default": "unassigned"},
            "queue": "queue",
            "started_at": {"path": "opened_at", "type": "datetime"},
            "ended_at": {"path": "closed_at", "type": "datetime"},
            "outcome": {"path": "status", "values": {"lost": "abandoned", "timeout": "abandoned"}},
            "topic": "topic",
        },
        "turns": {"path": "messages", "speaker": {"path": "author", "values": _SPEAKERS, "default": "unknown"},
                  "text": "text", "at": {"path": "sent_at", "type": "datetime"}},
        "meta": {"agent_name": "operator.name", "customer_phone": "customer.phone",
                 "customer_email": "customer.email", "booking_code": "booking"},
    },
    "email": {
        "id": "id",
        "cursor": "updated_at",
        "fields": {
            "external_id": "id",
            "agent_id": {"path": "operator.id", "default": "unassigned"},
            "queue": {"path": "mailbox", "default": "email"},
            "started_at": {"path": "received_at", "type": "datetime"},
            "topic": "topic",
        },
        "turns": {"path": "messages", "speaker": {"path": "from", "values": _SPEAKERS, "default": "unknown"},
                  "text": "body", "at": {"path": "sent_at", "type": "datetime"}, "subject": "subject",
                  "strip_quotes": True},
        "meta": {"subject": "subject", "agent_name": "operator.name", "customer_email": "messages.0.address",
                 "booking_code": "booking"},
    },
    "status": {"id": "id", "cursor": "updated_at",
               "fields": {"agent_id": "operator_id", "status": "state", "at": "at"}},
    "staffing": {"id": "id", "cursor": "updated_at",
                 "fields": {"hour_start": "hour", "planned_agents": "planned", "queue": "queue"}},
    # Booking and payment events (a tenant enables the endpoint: `endpoints: {"transaction": …}`).
    "transaction": {"id": "id", "cursor": "updated_at",
                    "fields": {"kind": "type", "at": {"path": "at", "type": "datetime"},
                               "amount": {"path": "amount", "type": "number"}, "currency": "currency",
                               "booking_code": "booking", "ticket_number": "ticket", "emd_number": "emd",
                               "agent_id": "operator_id"}},
}


def merge_mapping(kind: str, override: dict[str, Any] | None) -> dict[str, Any]:
    """The default mapping of a kind with a tenant's overrides applied key by key."""
    mapping = copy.deepcopy(DEFAULT_MAPPINGS.get(kind, {"fields": {}}))
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(mapping.get(key), dict):
            mapping[key] = {**mapping[key], **value}
        else:
            mapping[key] = value
    return mapping


def get_path(record: Any, path: str) -> Any:
    """The value at a dotted path ("operator.id", "messages.0.text"); None when absent."""
    value = record
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def map_value(record: Any, spec: Any, tz: tzinfo) -> Any:
    """One field: follow the spec's path, translate, convert; None when absent and no default."""
    if isinstance(spec, str):
        spec = {"path": spec}
    value = get_path(record, spec["path"]) if spec.get("path") else None
    if value is None or value == "":
        return spec.get("default")
    values = spec.get("values")
    if values is not None:
        value = values.get(str(value), value)
    kind = spec.get("type", "string")
    if kind == "datetime":
        if isinstance(value, int | float):  # epoch seconds; "scale": 0.001 reads milliseconds
            value = float(value) * float(spec.get("scale", 1))
        return iso(parse_moment(value, tz))
    if kind == "number":
        return float(value) * float(spec.get("scale", 1))
    if kind == "integer":
        return int(float(value))
    return value if isinstance(value, bool | dict | list) else str(value)


def map_fields(record: Any, fields: dict[str, Any], tz: tzinfo) -> dict[str, Any]:
    """Every mapped field that has a value."""
    out = {}
    for target, spec in fields.items():
        value = map_value(record, spec, tz)
        if value is not None:
            out[target] = value
    return out


def map_turns(record: Any, spec: dict[str, Any], tz: tzinfo) -> list[dict[str, Any]]:
    """The messages of a chat or e-mail as contract turns, in the platform's order."""
    turns = []
    for item in get_path(record, spec["path"]) or []:
        turn = map_fields(item, {k: v for k, v in spec.items() if k in ("speaker", "text", "at", "subject")}, tz)
        if "text" not in turn:
            continue
        if spec.get("strip_quotes"):
            turn["text"] = strip_quoted(str(turn["text"]))
        turn.setdefault("speaker", "unknown")
        turns.append(turn)
    return turns


def map_record(kind: str, record: dict[str, Any], mapping: dict[str, Any], tz: tzinfo, source: str) -> dict[str, Any]:
    """A platform record of a call, chat or e-mail → the interaction JSON (not yet validated)."""
    document: dict[str, Any] = {"channel": kind, "source": source}
    document.update(map_fields(record, mapping.get("fields", {}), tz))
    turns = map_turns(record, mapping["turns"], tz) if mapping.get("turns") else []
    document["turns"] = turns
    if kind == "email":
        document.setdefault("direction", "inbound")
        if any(t["speaker"] == "agent" for t in turns):
            document.setdefault("outcome", "replied")
        times = [t["at"] for t in turns if t.get("at")]
        if times:
            document.setdefault("started_at", times[0])
            document.setdefault("ended_at", times[-1])
    meta = map_fields(record, mapping.get("meta") or {}, tz)
    if kind == "email":
        attachments = [
            {"name": a.get("name"), "size": a.get("size"), "type": a.get("type")}
            for m in get_path(record, mapping.get("turns", {}).get("path", "messages")) or []
            for a in (m.get("attachments") or [] if isinstance(m, dict) else [])
            if isinstance(a, dict)
        ]
        if attachments:
            meta["attachments"] = attachments
    if meta:
        document["meta"] = meta
    return document
