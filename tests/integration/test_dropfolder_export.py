"""The simulator's drop-folder export read back by the drop-folder connector (real espeak-ng audio)."""

from __future__ import annotations

import io
import wave
from datetime import timedelta
from pathlib import Path

from qa_service.connectors.base import FetchedInteraction, StaffingSlot, StatusEvent
from qa_service.connectors.factory import build_connector
from qa_service.core.interaction import validate_interaction
from qa_service.simulator.data import generate
from qa_service.simulator.export import AGENT_EXTENSIONS, export_dropfolder


def test_exported_folder_reads_back(tmp_path: Path) -> None:
    data = generate(seed=5, calls=6, chats=2, emails=0)
    folder = tmp_path / "drop"
    counts = export_dropfolder(data, folder, tmp_path / "cache")
    assert counts["recordings"] == len(data.call_lines) > 0

    conn = build_connector("dropfolder", "pbx", {"path": str(folder), "agent_map": AGENT_EXTENSIONS}, {})
    refs = conn.list_new(None)
    calls = [conn.fetch(r) for r in refs if r.kind == "call"]
    chats = [conn.fetch(r) for r in refs if r.kind == "chat"]
    assert len(calls) == len(data.calls) and len(chats) == len(data.chats)
    by_start = {c["started_at"]: c for c in data.calls}
    for fetched in calls:
        assert isinstance(fetched, FetchedInteraction)
        validate_interaction(fetched.document)
        original = by_start[fetched.document["started_at"]]
        expected_direction = "inbound" if original["direction"] == "in" else "outbound"
        assert fetched.document["direction"] == expected_direction
        if original["recording"]:
            assert fetched.document["agent_id"] == original["operator"]["id"]
            assert fetched.document["topic"] == original["wrapup"]
            assert fetched.recording is not None
            with wave.open(io.BytesIO(fetched.recording)) as audio:
                assert (audio.getnchannels(), audio.getframerate()) == (2, 8000)
        else:
            assert fetched.document["outcome"] == "abandoned" and fetched.recording is None
    for fetched in chats:
        assert isinstance(fetched, FetchedInteraction)
        validate_interaction(fetched.document)
    events = [e for r in refs if r.kind == "status" for e in conn.fetch(r)]
    slots = [s for r in refs if r.kind == "staffing" for s in conn.fetch(r)]
    assert len(events) == len(data.statuses) and all(isinstance(e, StatusEvent) for e in events)
    assert len(slots) == 48 and all(isinstance(s, StaffingSlot) for s in slots)
    assert all(e.at.utcoffset() == timedelta(hours=3) for e in events if isinstance(e, StatusEvent))
    assert conn.list_new(refs[-1].cursor_after) == []
