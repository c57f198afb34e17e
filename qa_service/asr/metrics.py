"""Timing of a call measured from the audio itself: who speaks when, silences, holds, overtalk.

Speech activity per channel is the Silero VAD (the one faster-whisper ships) with two
energy checks on top: a near-silent stretch never counts as speech, and on stereo
recordings a stretch far quieter than the other channel at the same time is line echo
(the agent's voice leaking into the customer's channel), not a second speaker.  Silences
are where no channel is active, so they never depend on where the decoder cut segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from qa_service.asr.audio import SAMPLE_RATE

Interval = tuple[float, float]

MIN_SILENCE = 2.0  # s: the contract's silence (both channels quiet)
MIN_HOLD = 20.0  # s: a pause the standard's hold_etiquette asks permission for
MIN_OVERTALK = 1.0  # s: both channels speaking longer than this is an overtalk episode
ENERGY_FLOOR_DB = -55.0  # dBFS below which nothing is speech (line noise, dither)
ECHO_MARGIN_DB = 18.0  # a channel this much quieter than the other is hearing echo


@dataclass
class ChannelActivity:
    """Speech intervals of one channel, in seconds."""

    speech: list[Interval]

    @property
    def seconds(self) -> float:
        return sum(end - start for start, end in self.speech)


@dataclass
class TimingMetrics:
    """What `hold_etiquette` and `no_interruptions` are answered from."""

    duration: float
    silences: list[Interval] = field(default_factory=list)
    holds: list[Interval] = field(default_factory=list)
    overtalk: list[Interval] = field(default_factory=list)
    talk_ratio: dict[str, float] = field(default_factory=dict)
    agent_speech_rate: float | None = None  # words per minute of the agent's speech


def _rms_db(samples: np.ndarray) -> float:
    if samples.size == 0:
        return -120.0
    power = float(np.mean(np.square(samples, dtype=np.float64)))
    return 10.0 * float(np.log10(power + 1e-12))


FRAME = 512  # samples: the Silero VAD's window at 16 kHz (32 ms)
VAD_SURE = 0.5  # Silero probability that is speech on its own
VAD_MAYBE = 0.15  # lower probability that is speech when the frame is also clearly loud
LOUD_OVER_FLOOR_DB = 20.0
MIN_GAP = 0.3  # s: shorter pauses stay inside one speech interval
MIN_SPEECH = 0.12  # s: shorter blips are clicks
PAD = 0.1  # s each side, so word edges are not cut


def _frames_db(samples: np.ndarray) -> np.ndarray:
    usable = samples[: len(samples) - len(samples) % FRAME].reshape(-1, FRAME).astype(np.float64)
    return np.asarray(10.0 * np.log10(np.mean(np.square(usable), axis=1) + 1e-12))


def speech_intervals(samples: np.ndarray) -> list[Interval]:
    """Speech intervals of one 16 kHz channel: Silero VAD, helped and checked by frame energy.

    Silero alone misses short isolated words on 8 kHz telephone audio (measured: dictated
    digits at probability 0.2–0.5), so a frame that is 20 dB above the channel's noise
    floor counts at a lower probability; a frame under the absolute floor never counts.
    """
    from faster_whisper.vad import get_vad_model

    if samples.size < FRAME:
        return []
    padded = np.pad(samples, (0, FRAME - samples.size % FRAME)) if samples.size % FRAME else samples
    probs = np.asarray(get_vad_model()(padded)).reshape(-1)
    energy = _frames_db(padded)
    n = min(len(probs), len(energy))
    probs, energy = probs[:n], energy[:n]
    floor = float(np.percentile(energy, 10))
    loud = energy >= max(floor + LOUD_OVER_FLOOR_DB, ENERGY_FLOOR_DB)
    speech = ((probs >= VAD_SURE) | ((probs >= VAD_MAYBE) & loud)) & (energy >= ENERGY_FLOOR_DB)
    step = FRAME / SAMPLE_RATE
    runs: list[Interval] = []
    start = None
    for i, flag in enumerate(speech):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start * step, i * step))
            start = None
    if start is not None:
        runs.append((start * step, n * step))
    duration = samples.size / SAMPLE_RATE
    joined = [r for r in merge(runs, gap=MIN_GAP) if r[1] - r[0] >= MIN_SPEECH]
    return [(round(max(0.0, a - PAD), 2), round(min(duration, b + PAD), 2)) for a, b in merge(joined)]


def decoding_clips(speech: Sequence[Interval], max_length: float, max_gap: float = 2.0) -> list[Interval]:
    """Speech intervals packed into clips of at most `max_length` s for the batched decoder.

    Neighbouring intervals share a clip when the pause between them is short, so the
    decoder sees whole phrases; long silences (holds) never reach it.
    """
    clips: list[Interval] = []
    for start, end in speech:
        while end - start > max_length:
            clips.append((start, start + max_length))
            start += max_length
        if clips and start - clips[-1][1] <= max_gap and end - clips[-1][0] <= max_length:
            clips[-1] = (clips[-1][0], end)
        else:
            clips.append((start, end))
    return clips


def drop_echo(channels: Sequence[np.ndarray], activity: list[list[Interval]]) -> list[list[Interval]]:
    """Remove intervals where a channel is much quieter than another channel at the same time."""
    if len(channels) < 2:
        return activity
    cleaned: list[list[Interval]] = []
    for index, intervals in enumerate(activity):
        kept = []
        for start, end in intervals:
            a, b = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
            own = _rms_db(channels[index][a:b])
            loudest_other = max(_rms_db(ch[a:b]) for i, ch in enumerate(channels) if i != index)
            if own < loudest_other - ECHO_MARGIN_DB:
                continue
            kept.append((start, end))
        cleaned.append(kept)
    return cleaned


def merge(intervals: Sequence[Interval], gap: float = 0.0) -> list[Interval]:
    """Union of intervals, joining those closer than `gap` seconds."""
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1] + gap:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def gaps(active: Sequence[Interval], duration: float, minimum: float) -> list[Interval]:
    """Stretches of [0, duration] not covered by `active`, at least `minimum` seconds long."""
    result = []
    cursor = 0.0
    for start, end in merge(active):
        if start - cursor >= minimum:
            result.append((round(cursor, 2), round(start, 2)))
        cursor = max(cursor, end)
    if duration - cursor >= minimum:
        result.append((round(cursor, 2), round(duration, 2)))
    return result


def intersections(first: Sequence[Interval], second: Sequence[Interval], minimum: float) -> list[Interval]:
    """Where both interval lists are active at once, longer than `minimum` seconds."""
    result = []
    a, b = merge(first), merge(second)
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if end - start > minimum:
            result.append((round(start, 2), round(end, 2)))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def timing_metrics(
    duration: float, activity: dict[str, list[Interval]], agent_words: int | None = None
) -> TimingMetrics:
    """Silences, holds, overtalk and talk ratio from per-speaker speech intervals.

    `activity` maps speaker → intervals; overtalk is measured between `agent` and
    `customer` only (a mono recording has neither and gets none).
    """
    everyone = [interval for intervals in activity.values() for interval in intervals]
    silences = gaps(everyone, duration, MIN_SILENCE)
    holds = [(s, e) for s, e in silences if e - s >= MIN_HOLD]
    overtalk = []
    if "agent" in activity and "customer" in activity:
        overtalk = intersections(activity["agent"], activity["customer"], MIN_OVERTALK)
    spoken = {speaker: sum(e - s for s, e in merge(intervals)) for speaker, intervals in activity.items()}
    total = sum(spoken.values())
    talk_ratio = {speaker: round(seconds / total, 3) if total else 0.0 for speaker, seconds in spoken.items()}
    rate = None
    agent_seconds = spoken.get("agent", 0.0)
    if agent_words is not None and agent_seconds >= 1.0:
        rate = round(agent_words / (agent_seconds / 60.0), 1)
    return TimingMetrics(
        duration=round(duration, 2),
        silences=silences,
        holds=holds,
        overtalk=overtalk,
        talk_ratio=talk_ratio,
        agent_speech_rate=rate,
    )
