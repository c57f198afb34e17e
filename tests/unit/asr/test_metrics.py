"""Timing metrics: silences, holds and overtalk from speech intervals and from real audio."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qa_service.asr.audio import SAMPLE_RATE, decode
from qa_service.asr.metrics import (
    decoding_clips,
    drop_echo,
    gaps,
    intersections,
    merge,
    speech_intervals,
    timing_metrics,
)


def test_merge_joins_overlaps_and_close_neighbours() -> None:
    assert merge([(3.0, 4.0), (0.0, 1.0), (0.5, 2.0)]) == [(0.0, 2.0), (3.0, 4.0)]
    assert merge([(0.0, 1.0), (1.2, 2.0)], gap=0.3) == [(0.0, 2.0)]


def test_gaps_include_edges_and_respect_minimum() -> None:
    active = [(2.5, 4.0), (5.0, 8.0)]
    assert gaps(active, 12.0, 2.0) == [(0.0, 2.5), (8.0, 12.0)]
    assert gaps([], 3.0, 2.0) == [(0.0, 3.0)]


def test_intersections_longer_than_minimum_only() -> None:
    agent = [(0.0, 5.0), (10.0, 12.0)]
    customer = [(4.5, 7.0), (10.5, 11.8)]
    assert intersections(agent, customer, 1.0) == [(10.5, 11.8)]


def test_timing_metrics_for_a_stereo_call() -> None:
    metrics = timing_metrics(
        60.0, {"agent": [(0.5, 10.0), (35.0, 50.0)], "customer": [(8.0, 12.0), (52.0, 57.0)]}, agent_words=60
    )
    assert metrics.silences == [(12.0, 35.0), (50.0, 52.0), (57.0, 60.0)]
    assert metrics.holds == [(12.0, 35.0)]
    assert metrics.overtalk == [(8.0, 10.0)]
    assert metrics.talk_ratio == {"agent": round(24.5 / 33.5, 3), "customer": round(9 / 33.5, 3)}
    assert metrics.agent_speech_rate == round(60 / (24.5 / 60), 1)


def test_mono_has_no_overtalk() -> None:
    metrics = timing_metrics(10.0, {"unknown": [(0.0, 4.0), (3.0, 9.0)]})
    assert metrics.overtalk == []
    assert metrics.talk_ratio == {"unknown": 1.0}


def test_decoding_clips_skip_holds_and_cap_length() -> None:
    clips = decoding_clips([(0.0, 3.0), (3.5, 6.0), (40.0, 45.0), (50.0, 95.0)], max_length=20.0)
    assert clips == [(0.0, 6.0), (40.0, 45.0), (50.0, 70.0), (70.0, 90.0), (90.0, 95.0)]


def test_speech_intervals_from_the_audio(audio_dir: Path) -> None:
    agent, _customer = decode(audio_dir / "call_stereo_8k.flac").channels
    found = speech_intervals(agent)
    # make_audio.sh: the agent speaks at 0.3–1.2, 1.6–9.1 and 49.5–51.1, silent in between
    assert found[0][0] < 0.4 and found[-1][0] > 49.0
    assert not any(start < 45.0 and end > 12.0 for start, end in found)
    assert speech_intervals(np.zeros(5 * SAMPLE_RATE, dtype=np.float32)) == []


def test_echo_is_not_a_second_speaker(audio_dir: Path) -> None:
    agent, _customer = decode(audio_dir / "call_stereo_8k.flac").channels
    echo = (agent * 0.02).astype(np.float32)  # the agent leaking into the customer line, −34 dB
    activity = [speech_intervals(agent), speech_intervals(echo)]
    assert activity[1], "the VAD hears the leaked voice on its own"
    cleaned = drop_echo([agent, echo], activity)
    assert cleaned[0] == activity[0]
    assert cleaned[1] == []


def test_transcript_gives_the_domain_types() -> None:
    from qa_service.asr.pipeline import Transcript
    from qa_service.asr.quality import QualityReport
    from qa_service.core.interaction import CallMetrics, TranscriptQuality

    metrics = timing_metrics(40.0, {"agent": [(0.0, 5.0)], "customer": [(30.0, 40.0)]})
    transcript = Transcript(40.0, [], metrics, QualityReport(0.8, ["low_confidence"]))
    assert transcript.call_metrics() == CallMetrics(
        silences=[(5.0, 30.0)], overtalk=[], talk_ratio={"agent": 0.333, "customer": 0.667}, holds=[(5.0, 30.0)]
    )
    assert transcript.transcript_quality() == TranscriptQuality(0.8, ["low_confidence"])
