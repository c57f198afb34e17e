"""Decoding every supported format to 16 kHz channels, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa_service.asr.audio import SAMPLE_RATE, decode
from qa_service.asr.errors import BadAudio


@pytest.mark.parametrize(
    ("name", "rate", "codec"),
    [
        ("mono_8k.wav", 8000, "pcm_s16le"),
        ("mono_8k_ulaw.wav", 8000, "pcm_mulaw"),
        ("mono_8k_alaw.wav", 8000, "pcm_alaw"),
        ("mono_16k.flac", 16000, "flac"),
        ("mono_8k.ogg", 48000, "opus"),
    ],
)
def test_mono_formats_decode_to_16k(audio_dir: Path, name: str, rate: int, codec: str) -> None:
    audio = decode(audio_dir / name)
    assert audio.source_rate == rate
    assert audio.codec == codec
    assert len(audio.channels) == 1
    samples = audio.channels[0]
    assert samples.dtype == np.float32
    assert abs(audio.duration - 4.58) < 0.1  # the same 4.58 s recording in every format
    assert 0.05 < float(np.max(np.abs(samples))) <= 1.0


def test_stereo_keeps_channels_apart(audio_dir: Path) -> None:
    audio = decode(audio_dir / "call_stereo_8k.flac")
    assert len(audio.channels) == 2
    assert abs(audio.duration - 53.0) < 0.05
    left, right = audio.channels
    second = slice(2 * SAMPLE_RATE, 3 * SAMPLE_RATE)  # only the agent speaks at 2–3 s
    assert np.abs(left[second]).max() > 0.05
    assert np.abs(right[second]).max() < 0.01


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.wav", "empty file"),
        ("corrupt.wav", "cannot read audio"),
        ("not_audio.mp3", "cannot read audio"),
        ("zero_length.wav", "no samples"),
        ("missing.wav", "not found"),
    ],
)
def test_bad_files_raise_one_line_errors(audio_dir: Path, name: str, reason: str) -> None:
    with pytest.raises(BadAudio) as caught:
        decode(audio_dir / name)
    line = caught.value.one_line()
    assert reason in line and name in line and "\n" not in line


def test_absurdly_long_recording_is_refused(audio_dir: Path) -> None:
    with pytest.raises(BadAudio, match="длиннее 10 с"):
        decode(audio_dir / "call_stereo_8k.flac", limit_seconds=10)
