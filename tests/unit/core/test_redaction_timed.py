"""Word-timed ASR output: redacted words and the audio intervals to silence."""

from __future__ import annotations

import re

from qa_service.core.interaction import Word
from qa_service.core.redaction import luhn_valid, redact, redact_timed_words

CARD = next("220220123456789" + d for d in "0123456789" if luhn_valid("220220123456789" + d))


def words_of(text: str, start: float = 0.0, step: float = 0.5) -> list[Word]:
    """Whisper-style words: each carries its leading space, half a second apart."""
    pieces = re.findall(r"\s*\S+", text)
    return [Word(start + i * step, start + i * step + 0.4, piece) for i, piece in enumerate(pieces)]


def test_text_and_spans_match_redact_of_the_joined_words() -> None:
    words = words_of(f" Номер карты {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}, спасибо.")
    result = redact_timed_words(words)
    joined = "".join(w.word for w in words)
    assert result.text == redact(joined).text == " Номер карты [карта], спасибо."
    assert result.spans == redact(joined).spans


def test_intervals_cover_the_redacted_words_with_margin_and_are_merged() -> None:
    words = words_of(f" карта {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]} всё", start=10.0)
    result = redact_timed_words(words, margin=0.25)
    # Words 1..4 (10.5–12.4 s) are the card; 0.5 s apart with 0.25 s margins they merge into one.
    assert result.intervals == [(10.25, 12.65)]


def test_margin_never_goes_below_zero() -> None:
    words = words_of(f" {CARD}")
    assert redact_timed_words(words, margin=0.3).intervals == [(0.0, 0.7)]


def test_no_digit_survives_in_word_level_output() -> None:
    # Mixed digits and words, split across words the way Whisper splits them.
    words = words_of(f" номер карты {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}, срок действия 12/27")
    result = redact_timed_words(words)
    assert [s.kind for s in result.spans] == ["card", "card_expiry"]
    assert not any(re.search(r"\d", w.word) for w in result.redacted_words)
    assert [w.word for w in result.redacted_words] == [
        " номер", " карты", " [карта]", " [карта]", " [карта]", " [карта]", " срок", " действия", " [срок карты]"]
    assert result.redacted_words[2].start == words[2].start


def test_spoken_phone_words_are_replaced_and_timed() -> None:
    words = words_of(" мой телефон восемь девятьсот двенадцать триста сорок пять шестьдесят семь восемьдесят девять")
    result = redact_timed_words(words, margin=0.0)
    assert result.text == " мой телефон [телефон]"
    assert [w.word for w in result.redacted_words[2:]] == [" [телефон]"] * 10
    assert result.intervals == [(1.0, 5.9)]


def test_nothing_to_redact() -> None:
    words = words_of(" рейс SU 1234 вылетает в 10:40")
    result = redact_timed_words(words)
    assert result.intervals == [] and result.redacted_words == words and result.spans == []


def test_empty_word_list() -> None:
    result = redact_timed_words([])
    assert result.text == "" and result.intervals == [] and result.redacted_words == []
