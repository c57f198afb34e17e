"""Field mapping from a platform's JSON to the contract; status names; recording checks."""

from __future__ import annotations

import io
import wave
from datetime import datetime, timedelta, timezone

import pytest

from qa_service.connectors.audio_check import check_recording
from qa_service.connectors.base import TransientFetchError, dump_cursor, load_cursor, parse_tz
from qa_service.connectors.field_mapping import get_path, map_record, map_value, merge_mapping
from qa_service.connectors.statuses import normalize_status, staffing_slot, status_event
from qa_service.core.interaction import validate_interaction

MSK = timezone(timedelta(hours=3))

# Another vendor's shape: different names, epoch milliseconds, nested agent, numeric direction.
OTHER_PLATFORM_CHAT = {
    "conversationId": 99812,
    "agent": {"login": "olga.k", "displayName": "Ольга"},
    "createdMs": 1764000000000,
    "closedMs": 1764000300000,
    "state": "RESOLVED",
    "transcript": [
        {"role": "VISITOR", "body": "Здравствуйте, где мой багаж?", "ts": "2026-11-24 19:00:00"},
        {"role": "AGENT", "body": "Здравствуйте! Меня зовут Ольга.", "ts": "2026-11-24 19:00:40"},
        {"role": "VISITOR", "ts": "2026-11-24 19:01:00"},
    ],
}
OTHER_MAPPING = {
    "id": "conversationId",
    "cursor": "closedMs",
    "fields": {
        "external_id": "conversationId",
        "agent_id": "agent.login",
        "started_at": {"path": "createdMs", "type": "datetime", "scale": 0.001},
        "outcome": {"path": "state", "values": {"RESOLVED": "closed"}},
        "queue": {"path": "queue", "default": "chat"},
    },
    "turns": {"path": "transcript", "text": "body", "at": {"path": "ts", "type": "datetime"},
              "speaker": {"path": "role", "values": {"VISITOR": "customer", "AGENT": "agent"}}},
}


def test_get_path() -> None:
    record = {"a": {"b": [{"c": 1}]}}
    assert get_path(record, "a.b.0.c") == 1
    assert get_path(record, "a.x.c") is None
    assert get_path(record, "a.b.5") is None


def test_value_types_and_translation() -> None:
    record = {"ms": 2500, "when": "2026-11-24 10:00:00", "epoch": 1764000000, "dir": "in"}
    assert map_value(record, {"path": "ms", "type": "number", "scale": 0.001}, MSK) == 2.5
    assert map_value(record, {"path": "when", "type": "datetime"}, MSK) == "2026-11-24T10:00:00+03:00"
    assert map_value(record, {"path": "epoch", "type": "datetime"}, MSK) == "2025-11-24T19:00:00+03:00"
    assert map_value(record, {"path": "dir", "values": {"in": "inbound"}}, MSK) == "inbound"
    assert map_value(record, {"path": "missing", "default": "x"}, MSK) == "x"


def test_another_platform_chat_maps_to_a_valid_document() -> None:
    mapping = merge_mapping("chat", OTHER_MAPPING)
    doc = map_record("chat", OTHER_PLATFORM_CHAT, mapping, MSK, "vendor-x")
    validate_interaction(doc)
    assert doc["external_id"] == "99812" and doc["agent_id"] == "olga.k"
    assert doc["outcome"] == "closed" and doc["queue"] == "chat"
    assert doc["started_at"] == "2025-11-24T19:00:00+03:00"  # epoch milliseconds, scaled
    # The empty third message has no text and is dropped; speakers translated.
    assert [(t["speaker"], t["at"]) for t in doc["turns"]] == [
        ("customer", "2026-11-24T19:00:00+03:00"),
        ("agent", "2026-11-24T19:00:40+03:00"),
    ]


def test_overrides_merge_key_by_key() -> None:
    merged = merge_mapping("call", {"fields": {"agent_id": "agent.login"}, "channels": None})
    assert merged["fields"]["agent_id"] == "agent.login"
    assert merged["fields"]["started_at"] == {"path": "started_at", "type": "datetime"}
    assert merged["channels"] is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Available", "ready"), ("NOT READY", "not_ready"), ("on-call", "on_call"), ("Перерыв", "break"),
     ("Offline", "logged_out"), ("Обед", "break"), ("teleporting", None)],
)
def test_status_names(raw: str, expected: str | None) -> None:
    assert normalize_status(raw) == expected


def test_status_map_from_configuration_wins() -> None:
    assert normalize_status("AUX7", {"aux7": "break"}) == "break"
    event = status_event({"agent_id": "A-1", "status": "AUX7", "at": 1764000000}, "k", MSK, {"AUX7": "break"})
    assert event is not None and event.status == "break" and event.at == datetime(2025, 11, 24, 19, 0, tzinfo=MSK)
    assert status_event({"agent_id": "", "status": "ready", "at": "2026-11-24 10:00"}, "k", MSK) is None
    assert status_event({"agent_id": "A", "status": "ready", "at": "soon"}, "k", MSK) is None


def test_staffing_rows() -> None:
    slot = staffing_slot({"hour_start": "2026-11-24T10:30:00+03:00", "planned_agents": "7"}, MSK)
    assert slot is not None and slot.planned_agents == 7
    assert slot.hour_start == datetime(2026, 11, 24, 10, 0, tzinfo=MSK)
    assert staffing_slot({"hour_start": "2026-11-24 10:00", "planned_agents": "-1"}, MSK) is None
    assert staffing_slot({"hour_start": "bad", "planned_agents": "3"}, MSK) is None


def test_cursor_round_trip_and_time_zones() -> None:
    assert load_cursor(dump_cursor({"b": 1, "a": [2, "x"]})) == {"a": [2, "x"], "b": 1}
    assert load_cursor("not json") == {} and load_cursor(None) == {}
    assert datetime(2026, 1, 1, tzinfo=parse_tz("Europe/Moscow")).utcoffset() == timedelta(hours=3)
    assert parse_tz("-05:30").utcoffset(None) == -timedelta(hours=5, minutes=30)


def _wav(frames: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * frames)
    return buffer.getvalue()


def test_recording_checks() -> None:
    whole = _wav(800)
    check_recording(whole, "a.wav")
    with pytest.raises(TransientFetchError, match="truncated"):
        check_recording(whole[: len(whole) // 2], "a.wav")
    with pytest.raises(TransientFetchError, match="no audio data"):
        check_recording(whole[:30], "a.wav")
    with pytest.raises(TransientFetchError, match="empty"):
        check_recording(b"", "a.mp3")
    with pytest.raises(TransientFetchError, match="RIFF"):
        check_recording(b"<html>error</html>", "a.wav")
    check_recording(b"ID3\x03\x00", "a.mp3")
