"""The transcript-quality gate on decoder output with known failures."""

from __future__ import annotations

from qa_service.asr import quality
from qa_service.asr.transcriber import Segment
from qa_service.core.interaction import Word


def _words(text: str, start: float = 0.0, step: float = 0.3, probability: float = 0.9) -> list[Word]:
    return [Word(start + i * step, start + i * step + 0.25, f" {w}", probability) for i, w in enumerate(text.split())]


def test_repetition_loop_keeps_first_copy() -> None:
    kept, dropped = quality.collapse_loops(_words("ну, ну, ну, ну, ну, ну, хорошо"))
    assert [w.word.strip() for w in kept] == ["ну,", "хорошо"]
    assert dropped == 5


def test_phrase_loop_and_natural_repeats() -> None:
    kept, dropped = quality.collapse_loops(_words("да да да понял " + "спасибо большое " * 5))
    assert [w.word.strip() for w in kept] == ["да", "да", "да", "понял", "спасибо", "большое"]
    assert dropped == 8


def test_gate_drops_text_on_silence_credits_and_loops() -> None:
    report = quality.QualityReport()
    segments = [
        Segment(0.0, 3.0, "Добрый день, слушаю вас", _words("Добрый день, слушаю вас"), -0.3, 0.05, 1.2),
        Segment(20.0, 22.0, "Редактор субтитров А.Семкин", _words("Редактор субтитров А.Семкин", 20.0), -0.4, 0.2),
        Segment(30.0, 33.0, "спасибо", _words("спасибо", 30.0), -0.5, 0.1),
        Segment(4.0, 8.0, "ну ну ну ну ну", _words("ну ну ну ну ну", 4.0), -0.6, 0.1, 3.1),
    ]
    gated, total, dropped = quality.gate_channel(segments, [(0.0, 9.0)], report, "agent")
    assert [g.segment.start for g in gated] == [0.0, 4.0]
    assert total == 13 and dropped == 3 + 1 + 4
    assert {"hallucination", "text_on_silence", "repetition_loop"} <= set(report.flags)
    quality.finish(report, [w for g in gated for w in g.words], total, dropped)
    assert 0.0 < report.score < 0.9 * (1 - 8 / 13) + 1e-9


def test_low_confidence_is_marked_or_dropped() -> None:
    report = quality.QualityReport()
    unsure = Segment(0.0, 2.0, "как бы", _words("как бы", probability=0.3), -1.4, 0.2)
    noise = Segment(3.0, 4.0, "угу", _words("угу", 3.0), -1.5, 0.9)
    gated, _total, dropped = quality.gate_channel([unsure, noise], [(0.0, 5.0)], report, "customer")
    assert len(gated) == 1 and gated[0].low_confidence
    assert dropped == 1
    assert report.flags == ["low_confidence"]


def test_clean_transcript_scores_high_and_empty_scores_zero() -> None:
    clean = quality.finish(quality.QualityReport(), _words("добрый день чем могу помочь"), 5, 0)
    assert clean.score == 0.9 and clean.flags == []
    empty = quality.finish(quality.QualityReport(), [], 0, 0)
    assert empty.score == 0.0 and empty.flags == ["no_speech"]


def test_swapped_channels_are_recognised() -> None:
    greeting = "Авиакомпания «Северный Ветер», здравствуйте, меня зовут Анна."
    assert quality.looks_swapped("Здравствуйте, я хочу вернуть билет", greeting)
    assert not quality.looks_swapped(greeting, "Здравствуйте, я хочу вернуть билет")
    assert not quality.looks_swapped("", "Здравствуйте")
