"""One loaded Whisper model per process, decoding 16 kHz channels into timed segments.

Settings were chosen by measurement (see `benchmarks/RESULTS-calls.md`): int8 on CPU with the airline prompt, beam 5,
faster-whisper's `BatchedInferencePipeline` decoding only the channel's speech intervals
(from `metrics.speech_intervals`, packed into clips of at most 20 s), so silence never
reaches the decoder.  Workers call `preload()` before their work loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa_service.asr import options
from qa_service.asr.audio import SAMPLE_RATE
from qa_service.asr.metrics import Interval, decoding_clips
from qa_service.asr.model_store import ensure_model
from qa_service.core.interaction import Word

log = logging.getLogger(__name__)

# The airline's own words, which the base model otherwise spells wrong.
AIRLINE_HOTWORDS = (
    "Северный Ветер, бронирование, возврат, обмен билета, багаж, ручная кладь, "
    "посадочный талон, рейс, тариф, оплата картой, номер заказа"
)


# Whisper's context for every clip: how this contact center's calls open and what they are about.
AIRLINE_PROMPT = (
    "Авиакомпания «Северный Ветер», здравствуйте. Код бронирования, номер карты, возврат, обмен, багаж, тариф."
)


@dataclass(frozen=True)
class DecodeSettings:
    """How the decoder runs; defaults are the measured choice for 2 CPU cores."""

    # int8 with the airline prompt (benchmarks/RESULTS-calls.md, dev calls d13+d15, load 20-26):
    # int8 alone WER 23.3 %, 22/24 criteria, 445 s; with AIRLINE_PROMPT 19.9 %, 24/24, 451 s;
    # float32 took 1236 s for d13 alone (int8: 215 s) and scored it worse (37.5 against 50).
    # The prompt is what brings back «Северный Ветер», which int8 alone lost in the demo calls.
    compute_type: str = "int8"
    cpu_threads: int = 2
    beam_size: int = 5
    batch_size: int = 4  # measured: same words as 8, ~110 MiB less peak RSS, no slower on 2 threads
    # Only used when no speech intervals are given (faster-whisper's own VAD chooses):
    # on 8 kHz speech a lower threshold and wider pad keep word onsets 0.5 cuts.
    vad_threshold: float = 0.35
    vad_min_silence_ms: int = 500
    vad_speech_pad_ms: int = 300
    hotwords: str | None = None
    initial_prompt: str | None = AIRLINE_PROMPT
    patience: float = 1.0
    # Only the sequential decoder (batched=False) uses a temperature fallback and the previous
    # text as context; the batched pipeline takes the first temperature and no context.
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    condition_on_previous_text: bool = True
    batched: bool = True
    # Each speech clip scaled to this RMS (dBFS) before decoding; None leaves the level alone.
    level_dbfs: float | None = None
    # Speech is packed into chunks of at most this many seconds; near Whisper's 30 s window
    # the batched decoder drops the chunk's first and last sentences (measured).
    chunk_length: int = 20
    without_timestamps: bool = False

    @classmethod
    def from_options(cls) -> DecodeSettings:
        """Defaults, with the operator's `QA_ASR_THREADS` and `QA_ASR_BEAM` (see `asr.options`)."""
        current = options.current()
        return cls(cpu_threads=max(1, current.threads), beam_size=max(1, current.beam))


@dataclass
class Segment:
    """One decoded stretch of a channel, with the decoder's own confidence figures."""

    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0


class Transcriber:
    """Holds one `WhisperModel` (and its batched pipeline) for the life of the process."""

    def __init__(self, model_dir: Path | None = None, settings: DecodeSettings | None = None) -> None:
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        self.settings = settings or DecodeSettings.from_options()
        self.model_dir = model_dir or ensure_model()
        started = time.perf_counter()
        self.model = WhisperModel(
            str(self.model_dir),
            device="cpu",
            compute_type=self.settings.compute_type,
            cpu_threads=self.settings.cpu_threads,
            num_workers=1,
        )
        self.pipeline = BatchedInferencePipeline(self.model)
        self.load_seconds = time.perf_counter() - started
        log.info("Whisper model %s loaded in %.1f s", self.model_dir, self.load_seconds)

    def vad_parameters(self) -> dict[str, float | int]:
        """Options of the VAD that chooses what the decoder sees."""
        return {
            "threshold": self.settings.vad_threshold,
            "min_silence_duration_ms": self.settings.vad_min_silence_ms,
            "speech_pad_ms": self.settings.vad_speech_pad_ms,
        }

    def transcribe_channel(self, samples: np.ndarray, speech: Sequence[Interval] | None = None) -> list[Segment]:
        """Decode one 16 kHz float32 channel (Russian).

        With `speech` (the channel's speech intervals from `metrics.speech_intervals`) only
        those stretches are decoded, so the decoder and the timing metrics agree on what
        is speech; without it faster-whisper's own VAD chooses.
        """
        if samples.size == 0:
            return []
        clips = None
        packed: list[Interval] = []
        if speech is not None:
            packed = decoding_clips(speech, float(self.settings.chunk_length))
            if not packed:
                return []
            clips = [{"start": start, "end": end} for start, end in packed]
        if self.settings.level_dbfs is not None:
            samples = level_clips(samples, packed if speech is not None else None, self.settings.level_dbfs)
        common = {
            "language": "ru",
            "task": "transcribe",
            "beam_size": self.settings.beam_size,
            "patience": self.settings.patience,
            "vad_parameters": self.vad_parameters(),
            "word_timestamps": True,
            "hotwords": self.settings.hotwords,
            "initial_prompt": self.settings.initial_prompt,
            "temperature": list(self.settings.temperature),
        }
        if self.settings.batched:
            segments, _info = self.pipeline.transcribe(
                samples,
                batch_size=self.settings.batch_size,
                vad_filter=True,
                # With timestamps off the batched decoder stops after the first sentence of
                # a chunk (measured: 1 of 3 sentences kept); on, it returns every sentence.
                without_timestamps=self.settings.without_timestamps,
                chunk_length=self.settings.chunk_length,
                clip_timestamps=clips,
                **common,
            )
        else:
            flat = [t for start, end in packed for t in (start, end)] if speech is not None else "0"
            segments, _info = self.model.transcribe(
                samples,
                vad_filter=speech is None,
                clip_timestamps=flat,
                condition_on_previous_text=self.settings.condition_on_previous_text,
                **common,
            )
        result = []
        for seg in segments:
            words = [
                # The leading space stays: it is how Whisper (and the redactor) join words.
                Word(round(float(w.start), 2), round(float(w.end), 2), w.word, round(float(w.probability), 3))
                for w in (seg.words or [])
                if w.word.strip()
            ]
            result.append(
                Segment(
                    start=float(seg.start),
                    end=float(seg.end),
                    text=seg.text.strip(),
                    words=words,
                    avg_logprob=float(seg.avg_logprob),
                    no_speech_prob=float(seg.no_speech_prob),
                    compression_ratio=float(seg.compression_ratio),
                )
            )
        return result


def level_clips(samples: np.ndarray, clips: Sequence[Interval] | None, dbfs: float) -> np.ndarray:
    """Each clip (or the whole channel) scaled so its speech sits at `dbfs` RMS, gain at most +20 dB.

    Whisper's log-mel front end clamps everything 8 decades under the loudest frame, so a
    customer who turns quiet mid-call loses the low end of the range; levelling per clip
    gives every stretch the same footing.
    """
    out = samples.copy()
    spans = clips or [(0.0, samples.size / SAMPLE_RATE)]
    for start, end in spans:
        lo, hi = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
        piece = out[lo:hi]
        if piece.size == 0:
            continue
        loud = piece[np.abs(piece) > 10 ** (-45 / 20)]
        if loud.size == 0:
            continue
        rms = float(np.sqrt(np.mean(np.square(loud))))
        gain = min(10 ** ((dbfs - 20 * np.log10(rms)) / 20), 10.0)
        out[lo:hi] = np.clip(piece * gain, -1.0, 1.0)
    return out


_lock = threading.Lock()
_instance: Transcriber | None = None


def get_transcriber() -> Transcriber:
    """The process-wide `Transcriber`, loaded on first use and reused afterwards."""
    global _instance
    with _lock:
        if _instance is None:
            _instance = Transcriber()
        return _instance


def preload() -> Transcriber:
    """Load the model now (call from an RQ worker before its work loop)."""
    return get_transcriber()
