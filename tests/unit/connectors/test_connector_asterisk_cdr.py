"""Asterisk CDR rows and MixMonitor recording names → call documents."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from qa_service.connectors.asterisk_cdr import (
    CDR_COLUMNS,
    cdr_to_document,
    channel_peer,
    parse_cdr_rows,
    parse_recording_name,
)
from qa_service.connectors.manifest import BrokenRecord
from qa_service.core.interaction import validate_interaction

MSK = timezone(timedelta(hours=3))

# Master.csv as Asterisk's cdr_csv writes it: no header, every field quoted.
INBOUND = (
    '"","79161234567","5000","from-trunk","""Smirnov"" <79161234567>","SIP/trunk-00000012",'
    '"SIP/1001-00000013","Queue","sales,t,,,300","2026-11-24 10:15:02","2026-11-24 10:15:20",'
    '"2026-11-24 10:19:40","278","260","ANSWERED","DOCUMENTATION","1764000902.18","topic=sale;sale=12400"'
)
ABANDONED = (
    '"","79030000000","5000","from-trunk","79030000000","SIP/trunk-00000020","","Queue","service,t",'
    '"2026-11-24 10:30:00","","2026-11-24 10:31:05","65","0","NO ANSWER","DOCUMENTATION","1764001800.25",""'
)
OUTBOUND = (
    '"","1002","89261112233","from-internal","""Agent"" <1002>","PJSIP/1002-0000002a",'
    '"PJSIP/trunk-0000002b","Dial","PJSIP/89261112233@trunk","2026-11-24 11:00:00","2026-11-24 11:00:09",'
    '"2026-11-24 11:03:00","180","171","ANSWERED","DOCUMENTATION","1764003600.31","","1764003600.31","5"'
)


def test_rows_keep_positions_and_skip_header_and_mark_broken_lines() -> None:
    header = ",".join(CDR_COLUMNS)
    rows = parse_cdr_rows("\n".join([header, INBOUND, "garbage,line", OUTBOUND]) + "\n")
    assert rows[0] is None and isinstance(rows[2], BrokenRecord) and "2 полей" in rows[2].ru
    assert rows[1] is not None and rows[1]["uniqueid"] == "1764000902.18"
    assert rows[1]["clid"] == '"Smirnov" <79161234567>'
    # Newer Asterisk appends linkedid and sequence: ignored, the 18 known columns still line up.
    assert rows[3] is not None and rows[3]["userfield"] == "" and rows[3]["disposition"] == "ANSWERED"


@pytest.mark.parametrize(
    ("name", "direction", "uniqueid"),
    [
        ("in-5000-79161234567-20261124-101502-1764000902.18.wav", "inbound", "1764000902.18"),
        ("out-89261112233-1002-20261124-110000-1764003600.31.wav", "outbound", "1764003600.31"),
        ("q5000-5000-79161234567-20261124-101502-1764000902.18.WAV", None, "1764000902.18"),
    ],
)
def test_mixmonitor_names(name: str, direction: str | None, uniqueid: str) -> None:
    parsed = parse_recording_name(name)
    assert parsed is not None
    assert parsed.direction == direction
    assert parsed.uniqueid == uniqueid
    assert parsed.stamp.startswith("20261124-")


def test_other_file_names_are_not_recordings() -> None:
    assert parse_recording_name("notes.wav") is None
    assert parse_recording_name("in-5000-79161234567-20261124-101502-1764000902.18.txt") is None


def test_channel_peer() -> None:
    assert channel_peer("SIP/1001-00000013") == "1001"
    assert channel_peer("PJSIP/agent07-00000011") == "agent07"
    assert channel_peer("Local/1001@from-queue-0000;1") == "1001"
    assert channel_peer("") is None


def test_inbound_queue_call_document() -> None:
    row = parse_cdr_rows(INBOUND + "\n")[0]
    assert row is not None
    recording = parse_recording_name("in-5000-79161234567-20261124-101502-1764000902.18.wav")
    doc = cdr_to_document(
        row, source="pbx", tz=MSK, recording_path="rec/x.wav", recording_name=recording,
        channels={"0": "agent", "1": "customer"}, agent_map={"1001": "A-101"},
    )
    validate_interaction(doc)
    assert doc["external_id"] == "1764000902.18"
    assert doc["agent_id"] == "A-101"
    assert doc["direction"] == "inbound"
    assert doc["queue"] == "sales"
    assert doc["started_at"] == "2026-11-24T10:15:02+03:00"
    assert doc["ended_at"] == "2026-11-24T10:19:40+03:00"
    assert doc["wait_seconds"] == 18.0
    assert doc["outcome"] == "answered"
    assert doc["topic"] == "sale" and doc["sale_amount"] == 12400.0
    assert doc["recording"] == {"uri": "rec/x.wav", "channels": {"0": "agent", "1": "customer"}}


def test_abandoned_and_outbound_calls() -> None:
    abandoned = parse_cdr_rows(ABANDONED + "\n")[0]
    outbound = parse_cdr_rows(OUTBOUND + "\n")[0]
    assert abandoned is not None and outbound is not None
    lost = cdr_to_document(abandoned, source="pbx", tz=MSK, recording_path=None, recording_name=None, channels=None)
    validate_interaction(lost)
    assert lost["outcome"] == "abandoned" and lost["wait_seconds"] == 65.0 and "recording" not in lost
    placed = cdr_to_document(outbound, source="pbx", tz=MSK, recording_path=None, recording_name=None, channels=None)
    validate_interaction(placed)
    # No recording name to tell: the internal dialplan context marks it outbound; the agent is the caller.
    assert placed["direction"] == "outbound" and placed["agent_id"] == "1002"
    assert "wait_seconds" not in placed
