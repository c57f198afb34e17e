"""Silence redacted stretches (card numbers, passport numbers…) in the recording itself.

The redactor gives time intervals per channel; this module zeroes them and writes a new
lossless file (wav or flac) with the original sample rate, channel count and length.  The redacted file is
written to a temporary name next to `dest` and renamed into place, so a failure leaves no
partial file and the unredacted samples are never written anywhere.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import av
import numpy as np

from qa_service.asr.errors import BadAudio


def silence_intervals(samples: np.ndarray, sample_rate: int, intervals: Iterable[tuple[float, float]]) -> np.ndarray:
    """A copy of `samples` (1-D, or 2-D as channels × samples) with `intervals` (seconds) zeroed."""
    out = np.array(samples, copy=True)
    length = out.shape[-1]
    for start, end in intervals:
        a = max(0, int(np.floor(start * sample_rate)))
        b = min(length, int(np.ceil(end * sample_rate)))
        if b > a:
            out[..., a:b] = 0
    return out


def _read_all(source: Path) -> tuple[np.ndarray, int, str]:
    """Every sample of `source` as int16 channels × samples, with its rate and layout name."""
    try:
        container = av.open(str(source))
    except (av.FFmpegError, ValueError) as error:
        raise BadAudio(f"{source.name}: не удаётся прочитать аудио", f"{source.name}: cannot read audio") from error
    with container:
        if not container.streams.audio:
            raise BadAudio(f"{source.name}: нет звуковой дорожки", f"{source.name}: no audio stream")
        stream = container.streams.audio[0]
        rate = stream.rate or 8000
        layout = stream.layout.name
        resampler = av.AudioResampler(format="s16p", layout=layout, rate=rate)
        blocks: list[np.ndarray] = []
        count = 0
        for frame in container.decode(stream):
            count += frame.samples
            blocks.extend(out.to_ndarray() for out in resampler.resample(frame))
        blocks.extend(out.to_ndarray() for out in resampler.resample(None))
    if not blocks or count == 0:
        raise BadAudio(f"{source.name}: в записи нет отсчётов", f"{source.name}: the recording has no samples")
    # The format converter's flush pads a few samples; the copy keeps the original length.
    return np.concatenate(blocks, axis=1)[:, :count], rate, layout


def _codec_for(suffix: str) -> tuple[str, str]:
    """Container format and codec to write: lossless only, so silencing adds no coding loss."""
    formats = {".wav": ("wav", "pcm_s16le"), ".flac": ("flac", "flac")}
    if suffix.lower() not in formats:
        raise ValueError(f"redacted audio is written as .wav or .flac, not {suffix!r}")
    return formats[suffix.lower()]


def _write(samples: np.ndarray, rate: int, layout: str, dest: Path, fmt: str, codec: str) -> None:
    with av.open(str(dest), mode="w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate, layout=layout)
        assert isinstance(stream, av.AudioStream)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format="s16p", layout=layout)
        frame.sample_rate = rate
        frame.pts = None
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def write_redacted_audio(
    source: Path, per_channel_intervals: dict[int, list[tuple[float, float]]], dest: Path
) -> None:
    """Write `source` to `dest` (.wav or .flac) with each channel's intervals silenced.

    The sample rate, channel count and length stay those of `source`.
    """
    fmt, codec = _codec_for(dest.suffix)
    samples, rate, layout = _read_all(source)
    for channel, intervals in per_channel_intervals.items():
        if 0 <= channel < samples.shape[0]:
            samples[channel] = silence_intervals(samples[channel], rate, intervals)
    handle, name = tempfile.mkstemp(prefix=".redacting-", suffix=dest.suffix, dir=dest.parent)
    os.close(handle)
    temp = Path(name)
    try:
        _write(samples, rate, layout, temp, fmt, codec)
        temp.replace(dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
