"""Decode a recording (wav, mp3, ogg/opus, flac, G.711 µ-law/A-law; 8–48 kHz) into 16 kHz channels.

Decoding and resampling are FFmpeg's (through PyAV): telephone audio at 8 kHz is
resampled properly to the 16 kHz that Whisper and the Silero VAD assume.  Handing an 8 kHz
array straight to faster-whisper makes both read it at twice the speed — the VAD then
finds nothing that looks like speech and the decoder hallucinates.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from qa_service.asr import options
from qa_service.asr.errors import BadAudio

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class DecodedAudio:
    """One recording: float32 samples in [-1, 1] per channel at 16 kHz."""

    channels: list[np.ndarray]
    source_rate: int
    codec: str

    @property
    def duration(self) -> float:
        return len(self.channels[0]) / SAMPLE_RATE if self.channels else 0.0


def max_seconds() -> float:
    """The longest recording accepted (`QA_ASR_MAX_SECONDS`, default 4 h; see `asr.options`)."""
    return float(options.current().max_seconds)


def bad_audio(path: Path, ru: str, en: str) -> BadAudio:
    return BadAudio(f"{path.name}: {ru}", f"{path.name}: {en}")


_bad = bad_audio


def open_audio(path: Path) -> av.container.InputContainer:
    """`path` opened by FFmpeg, or `BadAudio` saying why not (the caller closes it: `with`)."""
    try:
        return av.open(str(path))
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as error:
        raise _bad(path, f"не удаётся прочитать аудио ({error})", f"cannot read audio ({error})") from None


def first_audio_stream(path: Path, container: av.container.InputContainer) -> av.audio.stream.AudioStream:
    if not container.streams.audio:
        raise _bad(path, "в файле нет звуковой дорожки", "no audio stream in the file")
    return container.streams.audio[0]


def decode(path: Path, limit_seconds: float | None = None) -> DecodedAudio:
    """Decode every channel of `path` to float32 at 16 kHz, or raise `BadAudio` saying why."""
    limit = max_seconds() if limit_seconds is None else limit_seconds
    if not path.is_file():
        raise _bad(path, "файл не найден", "file not found")
    if path.stat().st_size == 0:
        raise _bad(path, "пустой файл", "empty file")
    with open_audio(path) as container:
        stream = first_audio_stream(path, container)
        if container.duration is not None and container.duration / 1_000_000 > limit:
            raise _bad(
                path,
                f"запись длиннее {limit:.0f} с — это не разговор",
                f"recording longer than {limit:.0f} s is not a call",
            )
        n_channels = stream.codec_context.channels or 1
        resampler = av.AudioResampler(format="fltp", layout=stream.layout.name, rate=SAMPLE_RATE)
        blocks: list[np.ndarray] = []
        total = 0
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    blocks.append(out.to_ndarray())
                    total += out.samples
                if total > limit * SAMPLE_RATE:
                    raise _bad(
                        path,
                        f"запись длиннее {limit:.0f} с — это не разговор",
                        f"recording longer than {limit:.0f} s is not a call",
                    )
            for out in resampler.resample(None):
                blocks.append(out.to_ndarray())
        except av.FFmpegError as error:
            raise _bad(path, f"повреждённое аудио ({error})", f"corrupt audio ({error})") from None
        source_rate = stream.rate or SAMPLE_RATE
        codec = stream.codec_context.name
    if not blocks:
        raise _bad(path, "в записи нет ни одного отсчёта", "the recording has no samples")
    samples = np.concatenate(blocks, axis=1).astype(np.float32, copy=False)
    if samples.shape[1] == 0:
        raise _bad(path, "в записи нет ни одного отсчёта", "the recording has no samples")
    channels = [np.ascontiguousarray(np.clip(samples[i], -1.0, 1.0)) for i in range(min(n_channels, samples.shape[0]))]
    return DecodedAudio(channels=channels, source_rate=int(source_rate), codec=codec)


def sample_rate(path: Path) -> int | None:
    """The recording's sample rate as stored, or None when it cannot be read."""
    with contextlib.suppress(av.error.FFmpegError, IndexError), av.open(str(path)) as container:
        return int(container.streams.audio[0].rate)
    return None
