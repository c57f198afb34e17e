"""The drop-folder connector on a real temporary folder: CDR + recordings, manifests, statuses, staffing."""

from __future__ import annotations

import io
import json
import wave
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from qa_service.connectors.base import (
    ConnectorConfigError,
    FetchedInteraction,
    ItemRef,
    PoisonItem,
    StaffingSlot,
    StatusEvent,
    TransientFetchError,
)
from qa_service.connectors.dropfolder import DropFolderConnector
from qa_service.connectors.factory import build_connector
from qa_service.core.interaction import validate_interaction

MSK = timezone(timedelta(hours=3))


def stereo_wav(seconds: float = 0.5) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x01\x00\x02\x00" * int(8000 * seconds))
    return buffer.getvalue()


def cdr_row(uniqueid: str, start: datetime, disposition: str = "ANSWERED", agent: str = "1001") -> str:
    end = start + timedelta(minutes=3)
    answer = (start + timedelta(seconds=12)).strftime("%Y-%m-%d %H:%M:%S") if disposition == "ANSWERED" else ""
    fields = [
        "", "79161234567", "5000", "from-trunk", "79161234567", "SIP/trunk-01", f"SIP/{agent}-02", "Queue",
        "sales,t", start.strftime("%Y-%m-%d %H:%M:%S"), answer, end.strftime("%Y-%m-%d %H:%M:%S"), "180", "168",
        disposition, "DOCUMENTATION", uniqueid, "",
    ]
    return ",".join(f'"{f}"' for f in fields) + "\n"


def recording_name(uniqueid: str, start: datetime) -> str:
    return f"in-5000-79161234567-{start:%Y%m%d-%H%M%S}-{uniqueid}.wav"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    start = datetime(2026, 11, 24, 10, 0, tzinfo=MSK)
    (tmp_path / "cdr").mkdir()
    (tmp_path / "recordings" / "2026" / "11" / "24").mkdir(parents=True)
    rows = [cdr_row("1764000000.1", start), cdr_row("1764000600.2", start + timedelta(minutes=10), "NO ANSWER")]
    (tmp_path / "cdr" / "cdr-20261124.csv").write_text("".join(rows), "utf-8")
    (tmp_path / "recordings" / "2026" / "11" / "24" / recording_name("1764000000.1", start)).write_bytes(stereo_wav())
    chat = {
        "external_id": "CH-1", "channel": "chat", "agent_id": "A-101", "started_at": "2026-11-24T11:00:00+03:00",
        "turns": [{"speaker": "customer", "text": "Здравствуйте", "at": "2026-11-24T11:00:00+03:00"}],
    }
    call = {"external_id": "X-7", "channel": "call", "agent_id": "A-102", "started_at": "2026-11-24T11:05:00+03:00",
            "recording": {"uri": "manifest-audio/x7.wav", "channels": {"0": "agent", "1": "customer"}}}
    (tmp_path / "manifest-audio").mkdir()
    (tmp_path / "manifest-audio" / "x7.wav").write_bytes(stereo_wav())
    (tmp_path / "interactions-20261124.jsonl").write_text(
        json.dumps(chat, ensure_ascii=False) + "\n" + json.dumps(call) + "\n", "utf-8"
    )
    (tmp_path / "status-20261124.csv").write_text(
        "agent_id,status,at\nA-101,Available,2026-11-24 09:00:00\nA-101,Перерыв,2026-11-24T12:00:00+03:00\n"
        "A-102,teleporting,2026-11-24 09:05:00\n",
        "utf-8",
    )
    (tmp_path / "staffing-2026-11.csv").write_text(
        "hour_start,planned_agents,queue\n2026-11-24 09:00,8,\n2026-11-24 10:00,11,sales\n", "utf-8"
    )
    return tmp_path


def connector(folder: Path, **extra: object) -> DropFolderConnector:
    return DropFolderConnector("pbx-drop", {"path": str(folder), "agent_map": {"1001": "A-101"}, **extra})


def test_lists_every_kind_in_file_order(folder: Path) -> None:
    refs = connector(folder).list_new(None)
    assert [(r.kind, r.key) for r in refs] == [
        ("call", "1764000000.1"),
        ("call", "1764000600.2"),
        ("chat", "CH-1"),
        ("call", "X-7"),
        ("staffing", "staffing-2026-11.csv#0-3"),
        ("status", "status-20261124.csv#0-4"),
    ]


def test_fetched_documents_validate_and_carry_recordings(folder: Path) -> None:
    conn = connector(folder)
    results = {ref.key: conn.fetch(ref) for ref in conn.list_new(None)}
    answered = results["1764000000.1"]
    assert isinstance(answered, FetchedInteraction)
    validate_interaction(answered.document)
    assert answered.document["source"] == "pbx-drop"
    assert answered.document["agent_id"] == "A-101"
    assert answered.recording is not None and answered.recording[:4] == b"RIFF"
    assert answered.recording_filename is not None and answered.recording_filename.endswith("1764000000.1.wav")
    unanswered = results["1764000600.2"]
    assert isinstance(unanswered, FetchedInteraction) and unanswered.recording is None
    assert unanswered.document["outcome"] == "abandoned"
    chat = results["CH-1"]
    assert isinstance(chat, FetchedInteraction)
    validate_interaction(chat.document)
    assert chat.document["source"] == "pbx-drop" and chat.recording is None
    manifest_call = results["X-7"]
    assert isinstance(manifest_call, FetchedInteraction) and manifest_call.recording_filename == "x7.wav"


def test_status_and_staffing_batches(folder: Path) -> None:
    conn = connector(folder)
    refs = {r.kind: r for r in conn.list_new(None)}
    events = conn.fetch(refs["status"])
    assert isinstance(events, list)
    assert all(isinstance(e, StatusEvent) for e in events)
    # The unknown status "teleporting" is skipped (and logged), the others normalised.
    assert [(e.agent_id, e.status) for e in events] == [("A-101", "ready"), ("A-101", "break")]
    assert events[0].at == datetime(2026, 11, 24, 9, 0, tzinfo=MSK)
    slots = conn.fetch(refs["staffing"])
    assert slots == [
        StaffingSlot(datetime(2026, 11, 24, 9, 0, tzinfo=MSK), 8, None),
        StaffingSlot(datetime(2026, 11, 24, 10, 0, tzinfo=MSK), 11, "sales"),
    ]


def test_cursor_resumes_after_the_last_stored_item_and_sees_appended_rows(folder: Path) -> None:
    conn = connector(folder)
    first = conn.list_new(None, limit=2)
    assert [r.key for r in first] == ["1764000000.1", "1764000600.2"]
    rest = conn.list_new(first[-1].cursor_after)
    assert rest[0].key == "CH-1"
    assert conn.list_new(rest[-1].cursor_after) == []
    # Asterisk appends to the CSV; a half-written last line waits for the next run.
    start = datetime(2026, 11, 24, 12, 0, tzinfo=MSK)
    with (folder / "cdr" / "cdr-20261124.csv").open("a", encoding="utf-8") as csv_file:
        csv_file.write(cdr_row("1764007200.3", start, "BUSY"))
        csv_file.write('"","7916","5000","from-trunk"')
    fresh = conn.list_new(rest[-1].cursor_after)
    assert [r.key for r in fresh] == ["1764007200.3"]
    # An older cursor lists the same items again (re-fetching is idempotent downstream).
    assert [r.key for r in conn.list_new(first[0].cursor_after)][:3] == ["1764000600.2", "1764007200.3", "CH-1"]


def test_a_new_connector_instance_fetches_by_key(folder: Path) -> None:
    refs = connector(folder).list_new(None)
    result = connector(folder).fetch(refs[2])
    assert isinstance(result, FetchedInteraction) and result.document["external_id"] == "CH-1"


def test_recent_answered_call_waits_for_its_recording(tmp_path: Path) -> None:
    (tmp_path / "cdr.csv").write_text(cdr_row("1.1", datetime.now(MSK) - timedelta(minutes=4)), "utf-8")
    assert connector(tmp_path).list_new(None) == []
    # Once the wait is over the call is listed without audio rather than blocking the folder forever.
    assert [r.key for r in connector(tmp_path, recording_wait_seconds=0).list_new(None)] == ["1.1"]


def test_truncated_recording_is_transient(folder: Path) -> None:
    conn = connector(folder)
    path = next((folder / "recordings").rglob("*.wav"))
    path.write_bytes(path.read_bytes()[:-1000])
    with pytest.raises(TransientFetchError, match="truncated"):
        conn.fetch(conn.list_new(None)[0])


def test_manifest_recording_outside_the_folder_is_refused(tmp_path: Path) -> None:
    line = {"external_id": "evil", "channel": "call", "agent_id": "A", "started_at": "2026-11-24T11:05:00+03:00",
            "recording": {"uri": "../../etc/passwd"}}
    (tmp_path / "manifest.jsonl").write_text(json.dumps(line) + "\n", "utf-8")
    conn = connector(tmp_path)
    # One line's bad path is that line's problem (quarantined), not the connector's configuration.
    with pytest.raises(PoisonItem, match="вне папки"):
        conn.fetch(conn.list_new(None)[0])


def test_broken_manifest_lines_are_listed_for_quarantine_in_their_place(tmp_path: Path) -> None:
    good = {"external_id": "ok-1", "channel": "chat", "agent_id": "A", "started_at": "2026-11-24T11:05:00+03:00",
            "turns": [{"speaker": "agent", "text": "Здравствуйте"}]}
    lines = [json.dumps(good), '{"external_id": "x", broken', "", "[1, 2]", json.dumps({"channel": "fax"}),
             json.dumps({**good, "external_id": "ok-2"})]
    (tmp_path / "manifest.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    conn = connector(tmp_path)
    refs = conn.list_new(None)
    assert [(r.kind, r.key) for r in refs] == [
        ("chat", "ok-1"), ("invalid", "manifest.jsonl:2"), ("invalid", "manifest.jsonl:4"),
        ("invalid", "manifest.jsonl:5"), ("chat", "ok-2"),
    ]
    reasons = []
    for ref in refs[1:4]:
        with pytest.raises(PoisonItem) as error:
            conn.fetch(ref)
        reasons.append(error.value.one_line())
    assert "не JSON" in reasons[0] and "JSON-объект" in reasons[1] and "channel" in reasons[2]
    assert conn.fetch(refs[-1]).document["external_id"] == "ok-2"  # type: ignore[union-attr]


def test_configuration_errors_are_one_bilingual_line(tmp_path: Path) -> None:
    with pytest.raises(ConnectorConfigError) as missing:
        build_connector("dropfolder", "x", {"path": str(tmp_path / "nope")}, {})
    assert "не найдена" in missing.value.one_line() and "does not exist" in missing.value.one_line()
    with pytest.raises(ConnectorConfigError, match="обязательный"):
        build_connector("dropfolder", "x", {}, {})
    with pytest.raises(ConnectorConfigError):
        build_connector("ftp", "x", {}, {})
    with pytest.raises(ConnectorConfigError, match="часовой пояс"):
        build_connector("dropfolder", "x", {"path": str(tmp_path), "timezone": "Mars/Olympus"}, {})
    built = build_connector("dropfolder", "x", {"path": str(tmp_path)}, {})
    assert built.SECRET_KEYS == () and built.name == "x"


def test_missing_item_is_transient(folder: Path) -> None:
    with pytest.raises(TransientFetchError):
        connector(folder).fetch(ItemRef("call", "no-such-id", "{}"))
