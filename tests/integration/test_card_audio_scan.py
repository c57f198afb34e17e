"""The card scan listens: a card audible in a stored recording is found, and the pipeline's redacted copy is silent.

The leak this guards against: a card read digit by digit («четыре один один один …») is a
repetition loop to the quality gate, which kept «4-1» and dropped the rest, so the redactor found
nothing and the stored "redacted" recording still said the number.  Real parts: a person's recorded
digits, the real Whisper model and VAD, the real audio redaction, the blob store and the database.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from card_speech import DIGITS_DIR, dictation
from sqlalchemy import select

from qa_service.asr.audio_redaction import write_redacted_audio
from qa_service.asr.pipeline import transcribe_recording
from qa_service.config import Settings
from qa_service.db.blobs import BlobStore
from qa_service.db.models import Recording, Tenant
from qa_service.db.session import transaction
from qa_service.services.card_scan import scan_for_cards
from qa_service.services.ingestion.intake import store_interaction

# Three passes of the speech model over a 20 s dictation: about 7 min on a loaded 2-core machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400),
              pytest.mark.skipif(not DIGITS_DIR.is_dir(), reason="no recorded digits")]
CARD = "4111111111111111"  # repeated digits: what the repetition filter drops


def _store_call(settings: Settings, tenant_id: int, name: str, audio: Path) -> int:
    key = f"tenant-{tenant_id}/recordings/{name}.wav"
    BlobStore.from_url(settings.blob_url).put_file(key, audio)
    with transaction(settings.sqlalchemy_url) as session:
        stored = store_interaction(session, settings, tenant_id, {
            "external_id": name, "channel": "call", "agent_id": "A1", "started_at": "2026-11-24T10:00:00+03:00",
            "recording": {"uri": f"{name}.wav"}})
        recording = session.scalar(select(Recording).where(Recording.interaction_id == stored.interaction_id))
        if recording is None:
            recording = Recording(interaction_id=stored.interaction_id)
            session.add(recording)
        recording.blob_key, recording.redacted = key, True
        return stored.interaction_id


def test_the_scan_hears_a_card_the_gate_dropped_and_not_in_the_redacted_copy(
    settings: Settings, tmp_path: Path
) -> None:
    raw = dictation(tmp_path, CARD)
    transcript = transcribe_recording(raw)
    # The gate's view: the repeats are gone from the transcript (the leak's cause) …
    assert CARD not in "".join(t.text for t in transcript.turns).replace(" ", "").replace("-", "")
    # … and the audio is silenced where the card was said all the same.
    assert transcript.redaction_intervals.get(0)
    redacted = tmp_path / "redacted.wav"
    write_redacted_audio(raw, transcript.redaction_intervals, redacted)

    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        tenant_id = tenant.id
    leaked = _store_call(settings, tenant_id, "planted-unredacted", raw)  # the control: what the bug stored
    _store_call(settings, tenant_id, "pipeline-redacted", redacted)

    report = scan_for_cards(settings, audio=True)
    audio = [f for f in report.findings if f.where == "recordings (audio)"]
    print(f"audio scan: {report.recordings} recordings heard, findings {[f.line() for f in audio]}")
    assert report.recordings == 2
    assert [(f.at, f.masked) for f in audio] == [(f"interaction_id={leaked}", "************1111")]
