"""The demo's call recordings ship with the package, so `make demo` needs no speech synthesiser."""

from __future__ import annotations

import io
import os
import wave
from pathlib import Path

import numpy as np
import pytest

from qa_service.simulator import audio, shipped
from qa_service.simulator.data import generate
from qa_service.simulator.scripts import Line


def _demo_calls() -> list[tuple[str, list[Line], str]]:
    data = generate(seed=shipped.DEMO_SEED, calls=shipped.DEMO_CALLS, chats=0, emails=0)
    return [(c["id"], data.call_lines[c["id"]], c["operator"]["name"])
            for c in data.calls if data.call_lines.get(c["id"])]


def _samples(wav_bytes: bytes) -> tuple[int, int, np.ndarray]:
    with wave.open(io.BytesIO(wav_bytes), "rb") as source:
        frames = source.readframes(source.getnframes())
        return source.getnchannels(), source.getframerate(), np.frombuffer(frames, "<i2")


def test_every_demo_call_has_its_recording_shipped() -> None:
    # A changed demo script gets a new content key: regenerate with `python -m qa_service.simulator.shipped`.
    calls = _demo_calls()
    assert len(calls) >= 4
    missing = [call_id for call_id, lines, name in calls
               if shipped.shipped_call(audio.content_key(lines, name)) is None]
    assert missing == [], f"no shipped recording for {missing}"
    shipped_keys = {path.stem for path in shipped.SHIPPED.glob("*.flac")}
    assert shipped_keys == {audio.content_key(lines, name) for _id, lines, name in calls}, "stale recordings shipped"


def test_a_shipped_recording_is_served_without_synthesis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _call_id, lines, name = _demo_calls()[0]

    def must_not_render(*_args: object) -> None:
        raise AssertionError("the shipped recording should have been used")

    monkeypatch.setattr(audio, "render_call", must_not_render)
    monkeypatch.setenv("PATH", "/nonexistent")  # no text2wave, no sox
    wav_bytes, truth = audio.cached_call(lines, name, tmp_path)
    channels, rate, samples = _samples(wav_bytes)
    assert (channels, rate) == (2, audio.RATE)
    assert [t["text"] for t in truth] == [line.text for line in lines]
    # The truth's last line ends where the recording's speech does (0.5 s of tail, as rendered).
    assert abs(len(samples) / channels / rate - (truth[-1]["end"] + 0.5)) < 0.01
    assert np.abs(samples).max() > 1000  # speech, not silence


def test_without_festival_a_new_script_says_which_package_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    missing = audio.synthesis_missing()
    assert missing is not None and "festival" in missing.ru and "festival" in missing.en
    with pytest.raises(audio.SpeechSynthesisUnavailable, match="festival"):
        audio.cached_call([Line("agent", "Новая реплика, которой нет в записях.")], "Анна", tmp_path)


@pytest.mark.slow
def test_the_script_renders_the_shipped_recording_again_sample_for_sample() -> None:
    if audio.synthesis_missing() is not None:
        reason = f"needs Festival: {audio.synthesis_missing()}"
        pytest.fail(reason) if os.environ.get("CI") else pytest.skip(reason)
    call_id, lines, name = _demo_calls()[-1]
    rendered, truth = audio.render_call(lines, name)
    served = shipped.shipped_call(audio.content_key(lines, name))
    assert served is not None, call_id
    assert np.array_equal(_samples(rendered)[2], _samples(served[0])[2])
    assert truth == served[1]
