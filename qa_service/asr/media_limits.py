"""What an untrusted recording may be before FFmpeg decodes all of it (the contract: mono or stereo, 8–48 kHz)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qa_service.asr.audio import bad_audio, first_audio_stream, open_audio
from qa_service.core.riff import is_riff_wave, wav_shortfall

MAX_CHANNELS = 2
MIN_RATE = 8000
MAX_RATE = 48000
# 4 h of 48 kHz stereo 16-bit PCM is 2.6 GB; anything past that is not a call a platform sent.
MAX_BYTES = 3 * 1024**3
WAV_HEADER_SCAN = 1024 * 1024  # the chunks before a WAV's audio (fmt, LIST, bext…) fit in far less


@dataclass(frozen=True)
class MediaLimits:
    max_seconds: float
    max_channels: int = MAX_CHANNELS
    min_rate: int = MIN_RATE
    max_rate: int = MAX_RATE
    max_bytes: int = MAX_BYTES


_bad = bad_audio


def check_size(path: Path, limits: MediaLimits) -> None:
    """Reject a missing, empty or oversized file before any decoder sees it."""
    if not path.is_file():
        raise _bad(path, "файл не найден", "file not found")
    size = path.stat().st_size
    if size == 0:
        raise _bad(path, "пустой файл", "empty file")
    if size > limits.max_bytes:
        raise _bad(
            path,
            f"файл {size} байт больше предела {limits.max_bytes}",
            f"file of {size} bytes exceeds the limit of {limits.max_bytes}",
        )
    with path.open("rb") as handle:
        head = handle.read(WAV_HEADER_SCAN)
    if is_riff_wave(head):
        # FFmpeg would decode the part that is there: a cut call is refused, as at ingestion.
        problem = wav_shortfall(head, size)
        if problem is not None:
            raise _bad(path, f"файл WAV неполный ({problem})", f"incomplete WAV file ({problem})")
    elif path.suffix.lower() == ".wav":
        raise _bad(path, "это не файл RIFF/WAVE, хотя назван .wav", "not a RIFF/WAVE file although named .wav")


def check_stream(path: Path, limits: MediaLimits) -> None:
    """Reject what the header already shows to be out of bounds (channels, rate, declared duration)."""
    with open_audio(path) as container:
        stream = first_audio_stream(path, container)
        if stream.codec_context is None:  # FFmpeg has no decoder for the stream's codec
            raise _bad(path, "неизвестный или неподдерживаемый кодек", "unknown or unsupported codec")
        channels = stream.codec_context.channels or 0
        rate = stream.rate or 0
        if not 1 <= channels <= limits.max_channels:
            raise _bad(
                path,
                f"{channels} каналов — принимаются только моно и стерео",
                f"{channels} channels — only mono and stereo are accepted",
            )
        if not limits.min_rate <= rate <= limits.max_rate:
            raise _bad(
                path,
                f"частота дискретизации {rate} Гц вне диапазона {limits.min_rate}–{limits.max_rate} Гц",
                f"sample rate {rate} Hz outside {limits.min_rate}–{limits.max_rate} Hz",
            )
        if container.duration is not None and container.duration / 1_000_000 > limits.max_seconds:
            raise _bad(
                path,
                f"запись длиннее {limits.max_seconds:.0f} с — это не разговор",
                f"recording longer than {limits.max_seconds:.0f} s is not a call",
            )
