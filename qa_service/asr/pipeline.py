"""One recording in, one redacted, speaker-attributed, timed and quality-checked transcript out.

Stereo calls carry the agent and the customer on separate channels: each channel is
decoded on its own (the VAD skips the half of the time it is silent) and turns are merged
by time.  Mono recordings have no speaker information here (no diarization model is
available offline), so their speaker is `unknown`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.asr import quality
from qa_service.asr.audio import DecodedAudio
from qa_service.asr.isolated_decode import decode_isolated
from qa_service.asr.metrics import Interval, TimingMetrics, drop_echo, speech_intervals, timing_metrics
from qa_service.asr.transcriber import Transcriber, get_transcriber
from qa_service.core.interaction import CallMetrics, TranscriptQuality, Turn, Word
from qa_service.core.redaction.contacts import AIRLINE_PUBLIC_PHONES

log = logging.getLogger(__name__)

DEFAULT_CHANNEL_MAP = {0: "agent", 1: "customer"}
TURN_GAP = 1.2  # s: a pause this long between a speaker's words starts a new turn
OPENING_SECONDS = 20.0  # s of a channel's first speech inspected for the company greeting


@dataclass
class Transcript:
    """The transcript of one recording; `to_json()` gives the contract shape."""

    duration: float
    turns: list[Turn]
    metrics: TimingMetrics
    quality: quality.QualityReport
    language: str = "ru"
    channel_map: dict[int, str] = field(default_factory=dict)
    # Per channel, the audio intervals the redactor asks to silence.
    redaction_intervals: dict[int, list[Interval]] = field(default_factory=dict)
    # Whether the redaction removed a card number or CVV (the digits are gone; the fact is kept).
    card_seen: bool = False

    def call_metrics(self) -> CallMetrics:
        """The timing as the domain's `CallMetrics` (what rubric criteria read)."""
        m = self.metrics
        return CallMetrics(silences=list(m.silences), overtalk=list(m.overtalk), talk_ratio=dict(m.talk_ratio),
                           holds=list(m.holds))

    def transcript_quality(self) -> TranscriptQuality:
        """The gate's verdict as the domain's `TranscriptQuality`."""
        return TranscriptQuality(score=self.quality.score, flags=list(self.quality.flags))

    def to_json(self) -> dict[str, Any]:
        """The `qa-service transcribe --json` document (contracts/README.md), with additive extras."""
        return {
            "duration": round(self.duration, 2),
            "language": self.language,
            "turns": [
                {
                    "speaker": t.speaker,
                    "start": t.start,
                    "end": t.end,
                    "text": t.text,
                    "words": [
                        {"start": w.start, "end": w.end, "word": w.word.strip(), "probability": w.probability}
                        for w in t.words
                    ],
                }
                for t in self.turns
            ],
            "metrics": {
                "silences": [list(p) for p in self.metrics.silences],
                "overtalk": [list(p) for p in self.metrics.overtalk],
                "talk_ratio": self.metrics.talk_ratio,
                "holds": [list(p) for p in self.metrics.holds],
                "agent_speech_rate": self.metrics.agent_speech_rate,
            },
            "quality": {"score": self.quality.score, "flags": self.quality.flags, "reasons": self.quality.reasons},
            # Additive: the redactor removed a card number or CVV (a `no_card_by_voice` event whose digits
            # are gone), so a caller building the interaction can set `meta.card_data_detected`.
            "card_data_detected": self.card_seen,
        }


@dataclass(frozen=True)
class RedactionPolicy:
    """What a tenant keeps when its calls are redacted: its public numbers, customers' names or not.

    The same policy the text path applies at ingestion (`TenantSettings.kept_phones`,
    `redact_names`); the default is the airline's public hotline and names redacted.
    """

    keep_phones: tuple[str, ...] = AIRLINE_PUBLIC_PHONES
    redact_names: bool = True


def redact_channel(
    turns: list[Turn], policy: RedactionPolicy | None = None
) -> tuple[list[Turn], list[Interval], bool]:
    """One channel's turns redacted (`core.redaction.redact_interaction`), the audio to silence, and
    whether a card number or CVV was heard.

    The redactor sees the channel's whole word stream, so a card number dictated across
    pauses (and so across turns) is still found.  `policy` is the tenant's (its public phones
    are kept in the transcript and in the audio).
    """
    from qa_service.core.interaction import Interaction
    from qa_service.core.redaction import redact_interaction

    if not turns:
        return [], [], False
    policy = policy or RedactionPolicy()
    # Only the turns matter to the redactor; the other fields are placeholders of the shape.
    shell = Interaction("asr", "call", "asr", datetime.fromtimestamp(0, UTC), turns=turns)
    result = redact_interaction(shell, keep_phones=policy.keep_phones, redact_names=policy.redact_names)
    return list(result.interaction.turns), list(result.audio_intervals), result.card_seen


def _split_turns(speaker: str, words: list[Word]) -> list[Turn]:
    turns: list[Turn] = []
    current: list[Word] = []
    for word in words:
        if current and word.start - current[-1].end >= TURN_GAP:
            turns.append(_turn(speaker, current))
            current = []
        current.append(word)
    if current:
        turns.append(_turn(speaker, current))
    return turns


def _turn(speaker: str, words: list[Word]) -> Turn:
    text = "".join(w.word for w in words).strip()
    return Turn(speaker=speaker, text=text, start=words[0].start, end=words[-1].end, words=list(words))


def _opening(words: list[Word]) -> str:
    if not words:
        return ""
    limit = words[0].start + OPENING_SECONDS
    return "".join(w.word for w in words if w.start <= limit)


def _effective_channels(audio: DecodedAudio) -> list[np.ndarray]:
    """The channels worth decoding: a 'stereo' file with two identical channels is mono."""
    channels = audio.channels
    if len(channels) >= 2 and np.allclose(channels[0], channels[1], atol=1e-3):
        return channels[:1]
    return channels


def _speakers(n_channels: int, channel_map: dict[int, str] | None) -> dict[int, str]:
    if n_channels < 2:
        return {0: "unknown"}
    mapping = channel_map or DEFAULT_CHANNEL_MAP
    return {index: mapping.get(index, "unknown") for index in range(n_channels)}


def transcribe_audio(
    audio: DecodedAudio,
    channel_map: dict[int, str] | None = None,
    transcriber: Transcriber | None = None,
    redaction: RedactionPolicy | None = None,
) -> Transcript:
    """Transcribe decoded audio (see `transcribe_recording`)."""
    channels = _effective_channels(audio)
    speakers = _speakers(len(channels), channel_map)
    activity = drop_echo(channels, [speech_intervals(samples) for samples in channels])
    report = quality.QualityReport()
    if not any(activity):
        # Nothing to decode: running Whisper on silence only invites hallucinations.
        report.flag("no_speech", "no speech found in the recording")
        report.score = 0.0
        metrics = timing_metrics(audio.duration, {speakers[i]: [] for i in range(len(channels))})
        return Transcript(audio.duration, [], metrics, report, channel_map=speakers)
    engine = transcriber or get_transcriber()
    turns: list[Turn] = []
    kept_words: list[Word] = []
    words_by_channel: dict[int, list[Word]] = {}
    intervals_by_channel: dict[int, list[Interval]] = {}
    total = dropped = 0
    card_seen = False
    for index, samples in enumerate(channels):
        if not activity[index]:
            continue
        segments = engine.transcribe_channel(samples, activity[index])
        gated, decoded, lost = quality.gate_channel(segments, activity[index], report, speakers[index])
        total += decoded
        dropped += lost
        channel_turns, intervals, card_heard = redact_channel(
            _split_turns(speakers[index], [w for g in gated for w in g.words]), redaction
        )
        # The gate drops repeats: «один один один один» is a loop to it and a card's digits to the
        # caller (4111 1111 …).  The audio is silenced where any decoded word holds card or personal
        # data, not only the kept ones, so what the transcript leaves out is not left audible.
        _, heard, card_in_all = redact_channel(
            _split_turns(speakers[index], [w for s in segments for w in s.words]), redaction
        )
        intervals = [*intervals, *heard]
        card_seen = card_seen or card_heard or card_in_all
        intervals_by_channel[index] = intervals
        words = [w for t in channel_turns for w in t.words]
        words_by_channel[index] = words
        kept_words.extend(words)
        turns.extend(channel_turns)
    turns.sort(key=lambda t: (t.start or 0.0, t.speaker))
    if len(channels) >= 2:
        # A code said in answer to the other speaker's card question: only the channels read together show it.
        from qa_service.core.redaction.spoken_cards import redact_spoken_cards

        spoken = redact_spoken_cards(turns)
        turns, card_seen = spoken.turns, card_seen or spoken.card_seen
        for index, speaker in speakers.items():
            intervals_by_channel.setdefault(index, []).extend(spoken.intervals.get(speaker, []))
            if speaker in spoken.intervals:
                words_by_channel[index] = [w for t in turns if t.speaker == speaker for w in t.words]
        kept_words = [w for t in turns for w in t.words]
    if len(channels) >= 2:
        by_role = {speakers[i]: i for i in speakers}
        if "agent" in by_role and "customer" in by_role:
            agent_text = _opening(words_by_channel.get(by_role["agent"], []))
            customer_text = _opening(words_by_channel.get(by_role["customer"], []))
            if quality.looks_swapped(agent_text, customer_text):
                report.flag("swapped_channels", "the customer channel opens with the company greeting")
    by_speaker: dict[str, list[Interval]] = {}
    for index, intervals in enumerate(activity):
        by_speaker.setdefault(speakers[index], []).extend(intervals)
    agent_words = sum(len(t.words) for t in turns if t.speaker == "agent")
    metrics = timing_metrics(audio.duration, by_speaker, agent_words if "agent" in by_speaker else None)
    quality.finish(report, kept_words, total, dropped)
    return Transcript(
        audio.duration, turns, metrics, report, channel_map=speakers, redaction_intervals=intervals_by_channel,
        card_seen=card_seen,
    )


def transcribe_recording(
    path: Path,
    channel_map: dict[int, str] | None = None,
    transcriber: Transcriber | None = None,
    redaction: RedactionPolicy | None = None,
) -> Transcript:
    """Decode `path`, transcribe each channel, gate, redact and measure it.

    `channel_map` maps channel index → speaker (default `0=agent,1=customer`; ignored for
    mono); `redaction` is the tenant's policy (default: the airline's hotline kept, names
    redacted).  Raises `BadAudio` for a file that cannot be decoded.
    """
    audio = decode_isolated(path)  # a file that crashes FFmpeg takes down a child, not this process
    log.info("transcribing %s: %.1f s, %d channel(s), %d Hz", path.name, audio.duration, len(audio.channels),
             audio.source_rate)
    return transcribe_audio(audio, channel_map, transcriber, redaction)
