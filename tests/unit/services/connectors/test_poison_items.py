"""Poison items: one that can never be stored is quarantined with its reason and the cursor moves on;
a call whose transcription failed for good loses its raw audio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import AuditLog, ConnectorCursor, Interaction, ProcessingState, Tenant
from qa_service.db.session import session_factory, transaction
from qa_service.services.connectors.configuration import save_connector
from qa_service.services.connectors.runs import QUARANTINE_ACTION, run_connector
from qa_service.services.ingestion.intake import store_interaction
from qa_service.services.ingestion.spool import spooled
from qa_service.services.ingestion.transcription import fail_transcription


def _chat(external_id: str, **extra: Any) -> str:
    return json.dumps({"external_id": external_id, "channel": "chat", "agent_id": "A1",
                       "started_at": "2026-11-24T10:00:00+03:00",
                       "turns": [{"speaker": "agent", "text": "Здравствуйте"}], **extra}, ensure_ascii=False)


def test_bad_manifest_lines_are_quarantined_and_later_lines_stored(
    settings: Settings, sent_jobs: list[Any], tmp_path: Path
) -> None:
    lines = [_chat("ok-1"), '{"external_id": "broken"', _chat("bad-date", started_at="2026-13-45T10:00:00+03:00"),
             _chat("bad-nul", turns=[{"speaker": "agent", "text": "a\u0000b"}]), _chat("ok-2")]
    (drop := tmp_path / "drop").mkdir()
    (drop / "manifest.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        connector_id = save_connector(session, tenant.id, sandbox=None, name="drop", kind="dropfolder",
                                      config={"path": str(drop)}).id
    report = run_connector(settings, connector_id)
    again = run_connector(settings, connector_id)

    assert (again.stored, again.quarantined) == (0, [])
    with session_factory(settings.sqlalchemy_url)() as session:
        stored = set(session.scalars(select(Interaction.external_id)))
        records = [row.details for row in session.scalars(select(AuditLog).where(AuditLog.action == QUARANTINE_ACTION))]
        cursor = session.scalar(select(ConnectorCursor.value).where(ConnectorCursor.connector_id == connector_id))
    # SQLite takes a NUL that PostgreSQL refuses; the other two can never be stored anywhere.
    assert {"ok-1", "ok-2"} <= stored and not {"broken", "bad-date"} & stored
    assert [r["where"] for r in records][:2] == ["manifest.jsonl:2", "manifest.jsonl:3"]
    assert "не JSON" in records[0]["reason"] and " | " in records[1]["reason"]
    assert len(report.quarantined) == len(records) and json.loads(cursor or "{}") == {"manifest.jsonl": 5}


def test_a_terminal_transcription_failure_deletes_the_raw_audio(settings: Settings, sent_jobs: list[Any]) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        tenant_id = tenant.id
        stored = store_interaction(session, settings, tenant_id, {
            "external_id": "call-1", "channel": "call", "agent_id": "A1", "started_at": "2026-11-24T10:00:00+03:00",
            "recording": {"uri": "call-1.wav"}}, recording=b"RIFF....WAVE", recording_filename="call-1.wav")
    assert spooled(settings, tenant_id, stored.interaction_id) is not None

    fail_transcription(settings, stored.interaction_id, TimeoutError("job exceeded its timeout"))

    assert spooled(settings, tenant_id, stored.interaction_id) is None
    with session_factory(settings.sqlalchemy_url)() as session:
        row = session.get_one(Interaction, stored.interaction_id)
        assert row.state == ProcessingState.FAILED
        assert row.state_reason == "transcribe_interaction: TimeoutError: job exceeded its timeout"
