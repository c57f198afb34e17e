"""The real Whisper model, loaded once per test session (the process-wide transcriber)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_service.asr.transcriber import Transcriber

AUDIO = Path(__file__).resolve().parents[2] / "data" / "audio"


@pytest.fixture(scope="session")
def transcriber() -> Transcriber:
    """The same instance `get_transcriber()` hands the CLI, so the model loads once."""
    from qa_service.asr.transcriber import get_transcriber

    return get_transcriber()


@pytest.fixture
def audio_dir() -> Path:
    """Recordings made by tests/data/make_audio.sh."""
    return AUDIO
