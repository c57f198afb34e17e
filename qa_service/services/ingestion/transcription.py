"""Transcribe a stored call: spooled raw audio → redacted turns, timing metrics, redacted audio.

The raw recording waits in the spool; this step writes only the *redacted* audio to the
blob store, commits the transcript, then deletes the raw file.  Re-running it for a call
that is already transcribed changes nothing.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete

from qa_service.asr.audio import sample_rate
from qa_service.asr.audio_redaction import write_redacted_audio
from qa_service.asr.errors import BadAudio
from qa_service.asr.pipeline import RedactionPolicy, Transcript, transcribe_recording
from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.core.tenant_settings import TenantSettings
from qa_service.db.blobs import BlobStore
from qa_service.db.models import Interaction, ProcessingState, Recording, Tenant, Turn
from qa_service.db.session import session_factory, transaction
from qa_service.services.after_commit import SCORE, request_job
from qa_service.services.ingestion.pipeline_state import record_failure
from qa_service.services.ingestion.spool import spooled

log = logging.getLogger(__name__)


class RecordingMissing(UserFacingError):
    """Neither the spooled raw audio nor a redacted recording exists for the call."""


@dataclass(frozen=True)
class TranscriptionResult:
    interaction_id: int
    transcribed: bool
    ready_for_scoring: bool
    turns: int = 0
    audio_seconds: float = 0.0
    processing_seconds: float = 0.0


def _channel_map(channels: dict[str, str] | None) -> dict[int, str] | None:
    if not channels:
        return None
    return {int(index): str(speaker) for index, speaker in channels.items()}


def _store(
    settings: Settings,
    interaction_id: int,
    transcript: Transcript,
    blob_key: str,
    sample_rate: int | None,
    processing_seconds: float,
) -> int:
    document = transcript.to_json()
    with transaction(settings.sqlalchemy_url) as session:
        row = session.get_one(Interaction, interaction_id)
        session.execute(delete(Turn).where(Turn.interaction_id == interaction_id))
        row.turns = [
            Turn(
                position=i,
                speaker=t["speaker"],
                text=t["text"],
                start=t["start"],
                end=t["end"],
                words=t["words"] or None,
            )
            for i, t in enumerate(document["turns"])
        ]
        metrics = dict(document["metrics"])
        metrics["asr"] = {"audio_seconds": transcript.duration, "processing_seconds": round(processing_seconds, 3)}
        row.metrics = metrics
        row.transcript_quality = document["quality"]
        # A card read out on the call: the number is gone, the fact is kept (a `no_card_by_voice` event).
        # `card_seen` comes from the spans `core.redaction.redact_interaction` removed.
        if transcript.card_seen:
            row.card_data_detected = True
            row.meta = {**(row.meta or {}), "card_data_detected": True}
        recording = row.recording or Recording(interaction_id=interaction_id)
        recording.blob_key = blob_key
        recording.duration = transcript.duration
        recording.sample_rate = sample_rate
        recording.redacted = True
        recording.channels = {str(k): v for k, v in transcript.channel_map.items()} or recording.channels
        row.recording = recording
        row.state = ProcessingState.TRANSCRIBED
        row.state_reason = None
        request_job(session, settings, SCORE, interaction_id, job_id=f"score-{interaction_id}")
        return len(row.turns)


def fail_transcription(settings: Settings, interaction_id: int, error: BaseException) -> None:
    """A terminal failure of the speech step: the reason on the call, and its raw audio deleted.

    Called for a bad file at once and, after the last retry, for any other error: a raw
    recording may hold a card number read aloud, so it must not outlive the attempts to redact it.
    """
    record_failure(settings, interaction_id, step="transcribe_interaction", error=error)
    with session_factory(settings.sqlalchemy_url)() as session:
        row = session.get(Interaction, interaction_id)
        tenant_id = row.tenant_id if row is not None else None
    raw = spooled(settings, tenant_id, interaction_id) if tenant_id is not None else None
    if raw is not None:
        raw.unlink(missing_ok=True)
        log.info("deleted the raw recording of interaction %s after its transcription failed", interaction_id)


def transcribe_stored_interaction(settings: Settings, interaction_id: int) -> TranscriptionResult:
    """Transcribe, redact and store one call (idempotent; raises on transient failures)."""
    with session_factory(settings.sqlalchemy_url)() as session:
        row = session.get_one(Interaction, interaction_id)
        tenant_id, state = row.tenant_id, row.state
        done = (
            row.state in (ProcessingState.TRANSCRIBED, ProcessingState.SCORED)
            and row.recording is not None
            and row.recording.redacted
        )
        channels = row.recording.channels if row.recording else None
        # The tenant's policy, as ingestion applies it to written text: its public numbers are
        # kept in the transcript and the audio, names redacted unless it opted out.
        tenant = TenantSettings.from_mapping(session.get_one(Tenant, tenant_id).settings)
        policy = RedactionPolicy(tenant.kept_phones, tenant.redact_names)
    raw = spooled(settings, tenant_id, interaction_id)
    if done:
        if raw is not None:
            raw.unlink(missing_ok=True)  # a crash after commit left it behind
        if state == ProcessingState.TRANSCRIBED:
            # A crash between the commit and sending the scoring job: ask again (one job per id).
            with transaction(settings.sqlalchemy_url) as session:
                request_job(session, settings, SCORE, interaction_id, job_id=f"score-{interaction_id}")
        return TranscriptionResult(interaction_id, transcribed=False, ready_for_scoring=True)
    if raw is None:
        raise RecordingMissing(
            "исходная запись звонка не найдена в очереди на распознавание; загрузите звонок заново",
            "the call's raw recording is not in the spool; fetch the call again",
        )

    started = time.monotonic()
    try:
        transcript = transcribe_recording(raw, _channel_map(channels), redaction=policy)
    except BadAudio as error:
        # A corrupt, empty, out-of-bounds or decoder-crashing file will not get better with
        # retries: say so and drop the raw audio.
        fail_transcription(settings, interaction_id, error)
        return TranscriptionResult(interaction_id, transcribed=False, ready_for_scoring=False)
    elapsed = time.monotonic() - started

    blobs = BlobStore.from_url(settings.blob_url)
    blob_key = f"tenant-{tenant_id}/recordings/{interaction_id}.wav"
    with tempfile.TemporaryDirectory(dir=raw.parent) as folder:
        redacted = Path(folder) / "redacted.wav"
        write_redacted_audio(raw, transcript.redaction_intervals, redacted)
        blobs.put_file(blob_key, redacted)
    turns = _store(settings, interaction_id, transcript, blob_key, sample_rate(raw), elapsed)
    raw.unlink(missing_ok=True)
    log.info(
        "transcribed interaction %s: %d turns, %.1f s audio in %.1f s",
        interaction_id,
        turns,
        transcript.duration,
        elapsed,
    )
    return TranscriptionResult(interaction_id, True, True, turns, transcript.duration, elapsed)
