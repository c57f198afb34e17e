"""The call benchmark's measures (benchmarks/calls.py) on hand-made inputs: no audio, no model."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def calls() -> ModuleType:
    spec = importlib.util.spec_from_file_location("calls_benchmark", ROOT / "benchmarks" / "calls.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_numbers_are_compared_as_digits_or_as_words(calls: ModuleType) -> None:
    assert calls.normalise("Рейс триста двенадцать, 15 мая!") == "рейс 312 15 мая"
    assert calls.normalise("Рейс 312", digits_as_words=True) == "рейс триста двенадцать"
    assert calls.normalise("код 42761", digits_as_words=True) == "код четыре два семь шесть один"


def test_a_redaction_placeholder_matches_the_word_it_stands_on(calls: ModuleType) -> None:
    ref = calls.normalise("Меня зовут Ксения, чем могу помочь").split()
    assert calls.word_errors(ref, calls.normalise("меня зовут [имя] чем могу помочь").split()) == 0
    assert calls.word_errors(ref, calls.normalise("меня зовут [имя] чем могу").split()) == 1
    assert calls.word_errors(ref, calls.normalise("меня зовут ксюша чем могу помочь").split()) == 1
    parts = calls.wer_parts(["один два три"], ["один три"], digits_as_words=True)
    assert parts == {"errors": 1, "words": 3}


def test_card_digits_are_found_in_any_string_of_the_outputs(calls: ModuleType) -> None:
    transcript = {"turns": [{"text": "номер четыре два семь шесть [карта]", "start": 4276.0}]}
    evaluation = {"criteria": [{"reason": "назван код 719"}]}
    leaks = calls.card_leaks(["4276 3800 1522 6041", "719", "12/27"], [transcript, evaluation])
    assert {"length": 16, "found_run": 4} in leaks and {"length": 3, "found_run": 3} in leaks
    assert calls.card_leaks(["4276 3800 1522 6041"], [{"text": "[карта]", "start": 4276.0}]) == []


def test_timing_truth_finds_holds_and_overtalk(calls: ModuleType) -> None:
    lines = [
        {"speaker": "agent", "start": 0.0, "end": 3.0},
        {"speaker": "agent", "start": 30.0, "end": 35.0},  # after a 27 s hold
        {"speaker": "customer", "start": 33.5, "end": 37.0},  # 1.5 s over the agent
        {"speaker": "agent", "start": 36.8, "end": 38.0},  # 0.2 s: too short to count
    ]
    truth = calls.truth_timing(lines)
    assert truth["holds"] == [[3.0, 30.0]]
    assert truth["overtalk"] == [[33.5, 35.0]]
    assert len(truth["short_overlaps"]) == 1
    found = calls.match_intervals(truth["overtalk"], [[33.6, 35.2], [50.0, 52.0]])
    assert found == {"truth": 1, "found": 1, "extra": 1, "max_boundary_error": 0.2}


def test_conditions_are_deterministic_and_change_the_audio(calls: ModuleType) -> None:
    rng = np.random.default_rng(1)
    frames = (rng.normal(0, 3000, (16000, 2))).astype(np.int16)
    assert calls.apply_condition(frames, "clean", 5) is frames
    quieter = calls.apply_condition(frames, "level_change", 5)
    assert np.abs(quieter[8000:, 1]).mean() < 0.3 * np.abs(frames[8000:, 1]).mean()
    noisy = calls.apply_condition(frames, "telephone_noise", 5)
    assert noisy.shape == frames.shape and np.array_equal(noisy, calls.apply_condition(frames, "telephone_noise", 5))
    with pytest.raises(SystemExit, match="unknown audio condition"):
        calls.apply_condition(frames, "underwater", 5)
