"""Silencing redacted stretches in the recording itself."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from qa_service.asr import audio_redaction
from qa_service.asr.audio import SAMPLE_RATE, decode
from qa_service.asr.audio_redaction import silence_intervals, write_redacted_audio


def test_silence_intervals_zeroes_only_those_samples() -> None:
    samples = np.ones((2, 8000), dtype=np.int16)
    out = silence_intervals(samples, 8000, [(0.1, 0.2), (0.9, 5.0)])
    assert out[:, 800:1600].max() == 0 and out[:, 7200:].max() == 0
    assert out[:, :800].min() == 1 and out[:, 1600:7200].min() == 1
    assert samples.min() == 1  # the input is not touched


def test_redacted_copy_keeps_format_and_silences_one_channel(audio_dir: Path, tmp_path: Path) -> None:
    source = audio_dir / "card_dictation_8k.flac"
    dest = tmp_path / "redacted.wav"
    write_redacted_audio(source, {1: [(1.9, 12.4)]}, dest)
    with av.open(str(dest)) as container:
        stream = container.streams.audio[0]
        assert stream.rate == 8000 and stream.codec_context.channels == 2
    before, after = decode(source).channels, decode(dest).channels
    span = slice(int(2.0 * SAMPLE_RATE), int(12.3 * SAMPLE_RATE))
    assert np.abs(before[1][span]).max() > 0.05
    assert np.abs(after[1][span]).max() < 1e-3  # the dictated digits are gone
    assert np.abs(after[0] - before[0]).max() < 1e-3  # the agent channel is unchanged
    assert [p.name for p in tmp_path.iterdir()] == ["redacted.wav"]


def test_failure_leaves_no_partial_file(audio_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(audio_redaction, "_write", broken)
    with pytest.raises(OSError, match="disk full"):
        write_redacted_audio(audio_dir / "mono_8k.wav", {0: [(0.0, 1.0)]}, tmp_path / "out.wav")
    assert list(tmp_path.iterdir()) == []


def test_length_kept_and_lossy_destinations_refused(audio_dir: Path, tmp_path: Path) -> None:
    source = audio_dir / "mono_8k_ulaw.wav"
    write_redacted_audio(source, {0: [(1.0, 2.0)]}, tmp_path / "out.flac")
    assert len(decode(tmp_path / "out.flac").channels[0]) == len(decode(source).channels[0])
    with pytest.raises(ValueError, match=r"\.wav or \.flac"):
        write_redacted_audio(source, {0: [(1.0, 2.0)]}, tmp_path / "out.mp3")
    assert [p.name for p in tmp_path.iterdir()] == ["out.flac"]
