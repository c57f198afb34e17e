"""Cheap checks that a downloaded or dropped recording is whole before it is stored."""

from __future__ import annotations

from qa_service.connectors.base import TransientFetchError
from qa_service.core.riff import is_riff_wave, wav_shortfall

AUDIO_EXTENSIONS = (".wav", ".mp3", ".ogg", ".opus", ".flac", ".gsm", ".wav49")


def check_recording(data: bytes, name: str) -> None:
    """Raise `TransientFetchError` when the recording is empty or a WAV shorter than its header says.

    Other formats are only checked for being non-empty; the transcription step rejects the rest.
    """
    if not data:
        raise TransientFetchError(f"recording {name} is empty")
    if not is_riff_wave(data):
        if name.lower().endswith(".wav"):
            raise TransientFetchError(f"recording {name} is not a RIFF/WAVE file")
        return
    problem = wav_shortfall(data, len(data))
    if problem is not None:
        raise TransientFetchError(f"recording {name} is {problem}" if problem.startswith("truncated")
                                  else f"recording {name} has {problem}")
