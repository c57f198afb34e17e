"""Asterisk call records (cdr-csv `Master.csv` layout) and MixMonitor recording names → call documents.

Asterisk writes CDR rows without a header, times in the PBX's local time and no zone;
MixMonitor names recordings `in-<dst>-<src>-<YYYYMMDD>-<HHMMSS>-<uniqueid>.wav` (FreePBX
style; `out-`, `q<queue>-`, `rg-` too), so the uniqueid ties a recording to its CDR row.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from qa_service.connectors.base import iso
from qa_service.connectors.manifest import BrokenRecord

CDR_COLUMNS = (
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
    "start", "answer", "end", "duration", "billsec", "disposition", "amaflags", "uniqueid", "userfield",
)

_RECORDING_NAME = re.compile(
    r"^(?P<prefix>in|out|q[\w.]*|rg|external|internal|exten|ondemand|force)-"
    r"(?P<first>[^-]*)-(?P<second>[^-]*)-(?P<date>\d{8})-(?P<time>\d{6})-(?P<uniqueid>\d+\.\d+)"
    r"\.(?P<ext>wav|WAV|gsm|mp3|ogg|flac|wav49)$"
)
# "SIP/1001-0000002a", "PJSIP/agent07-00000011", "Local/1001@from-queue-0000;1" → "1001", "agent07"
_CHANNEL_PEER = re.compile(r"^[A-Za-z0-9]+/(?P<peer>[^-@;/]+)")


@dataclass(frozen=True)
class RecordingName:
    """What a MixMonitor file name tells: direction, both numbers, time and the call's uniqueid."""

    direction: str | None  # inbound | outbound | None (queue / ring group: decided by the CDR)
    first: str
    second: str
    stamp: str  # YYYYMMDD-HHMMSS, local time of the PBX
    uniqueid: str
    extension: str


def parse_recording_name(filename: str) -> RecordingName | None:
    """Parse a MixMonitor-style recording name; None when the name is not one."""
    match = _RECORDING_NAME.match(filename)
    if not match:
        return None
    prefix = match["prefix"]
    direction = {"in": "inbound", "external": "inbound", "out": "outbound"}.get(prefix)
    return RecordingName(
        direction=direction,
        first=match["first"],
        second=match["second"],
        stamp=f"{match['date']}-{match['time']}",
        uniqueid=match["uniqueid"],
        extension=match["ext"].lower(),
    )


def parse_cdr_rows(lines: str | list[str | BrokenRecord]) -> list[dict[str, str] | BrokenRecord | None]:
    """All CSV records in file order: a dict per CDR row, a `BrokenRecord`, or None for a header or blank line.

    Positions matter (the drop-folder cursor counts records), so nothing is dropped.
    Newer Asterisk versions append columns (linkedid, sequence…); they are ignored.  Asterisk
    writes one record per line, so each line is parsed on its own: an unclosed quote spoils
    its own line, not every record after it.
    """
    if isinstance(lines, str):
        lines = list(lines.removesuffix("\n").split("\n")) if lines else []
    rows: list[dict[str, str] | BrokenRecord | None] = []
    for number, line in enumerate(lines, start=1):
        if isinstance(line, BrokenRecord):
            rows.append(line)
            continue
        try:
            record = next(csv.reader([line.rstrip("\r")], strict=True), [])
        except csv.Error as error:
            rows.append(BrokenRecord(f"строка {number}: неверный CSV ({error})", f"line {number}: bad CSV ({error})"))
            continue
        if not record or (len(record) == 1 and not record[0].strip()) or record[0].strip().lower() == "accountcode":
            rows.append(None)
            continue
        if len(record) < len(CDR_COLUMNS) - 1:
            rows.append(BrokenRecord(
                f"строка {number}: {len(record)} полей вместо {len(CDR_COLUMNS)}",
                f"line {number}: {len(record)} fields instead of {len(CDR_COLUMNS)}",
            ))
            continue
        values = [*record[: len(CDR_COLUMNS)], *[""] * (len(CDR_COLUMNS) - len(record))]
        rows.append(dict(zip(CDR_COLUMNS, (v.strip() for v in values), strict=True)))
    return rows


def channel_peer(channel: str) -> str | None:
    """The peer (extension / agent login) in an Asterisk channel name."""
    match = _CHANNEL_PEER.match(channel or "")
    return match["peer"] if match else None


def _local_time(value: str, tz: tzinfo) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)


def _userfield(value: str) -> dict[str, str]:
    # Dialplans often stash wrap-up data as "topic=refund;sale=12500" in userfield.
    pairs = (part.split("=", 1) for part in value.split(";") if "=" in part)
    return {k.strip(): v.strip() for k, v in pairs}


def cdr_direction(row: dict[str, str], recording: RecordingName | None, outbound_contexts: tuple[str, ...]) -> str:
    """Outbound when the recording name says so or the call was placed from an internal context."""
    if recording is not None and recording.direction is not None:
        return recording.direction
    return "outbound" if row["dcontext"] in outbound_contexts else "inbound"


def cdr_outcome(row: dict[str, str], direction: str) -> str:
    """ANSWERED → answered; an unanswered inbound queue call was abandoned; voicemail is its own."""
    disposition = row["disposition"].upper()
    if row["lastapp"].lower() == "voicemail":
        return "voicemail"
    if disposition == "ANSWERED":
        return "answered"
    if direction == "inbound" and row["lastapp"].lower() == "queue":
        return "abandoned"
    return "missed"


def cdr_to_document(
    row: dict[str, str],
    *,
    source: str,
    tz: tzinfo,
    recording_path: str | None,
    recording_name: RecordingName | None,
    channels: dict[str, str] | None,
    outbound_contexts: tuple[str, ...] = ("from-internal",),
    agent_map: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One CDR row (plus its recording, if any) → the interaction JSON of a call."""
    direction = cdr_direction(row, recording_name, outbound_contexts)
    agent_channel = row["dstchannel"] if direction == "inbound" else row["channel"]
    peer = channel_peer(agent_channel) or (row["dst"] if direction == "inbound" else row["src"]) or "unknown"
    agent = (agent_map or {}).get(peer, peer)
    start = _local_time(row["start"], tz)
    end = _local_time(row["end"], tz)
    answer = _local_time(row["answer"], tz)
    if start is None:
        raise ValueError(f"CDR row {row['uniqueid']} has no start time")
    extra = _userfield(row["userfield"])
    document: dict[str, Any] = {
        "external_id": row["uniqueid"],
        "source": source,
        "channel": "call",
        "direction": direction,
        "agent_id": agent,
        "started_at": iso(start),
        "outcome": cdr_outcome(row, direction),
        "turns": [],
        "meta": {
            "cdr": {k: row[k] for k in ("src", "dst", "clid", "dcontext", "channel", "dstchannel",
                                        "lastapp", "disposition", "duration", "billsec", "accountcode",
                                        "userfield")},
        },
    }
    if end is not None and end >= start:
        document["ended_at"] = iso(end)
    if row["lastapp"].lower() == "queue" and row["lastdata"]:
        document["queue"] = row["lastdata"].split(",")[0]
    if direction == "inbound":
        waited = (answer - start).total_seconds() if answer else _number(row["duration"])
        if waited is not None and waited >= 0:
            document["wait_seconds"] = waited
    if extra.get("topic"):
        document["topic"] = extra["topic"]
    sale = _number(extra.get("sale", ""))
    if sale is not None and sale >= 0:
        document["sale_amount"] = sale
    if recording_path is not None:
        document["recording"] = {"uri": recording_path, **({"channels": channels} if channels else {})}
    return document


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
