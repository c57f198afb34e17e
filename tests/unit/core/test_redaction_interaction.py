"""A whole interaction redacted before storage: turns, subjects, words, the card flag."""

from __future__ import annotations

from datetime import UTC, datetime

from qa_service.core.interaction import Interaction, Turn, Word
from qa_service.core.redaction import luhn_valid, redact_interaction

CARD = next("427638001234567" + d for d in "0123456789" if luhn_valid("427638001234567" + d))


def make(turns: list[Turn]) -> Interaction:
    return Interaction("ext-1", "chat", "agent-7", datetime(2026, 11, 24, 10, 0, tzinfo=UTC), turns=turns)


def test_chat_with_a_card_is_flagged_and_redacted_without_changing_the_input() -> None:
    original = make([Turn("customer", f"вот карта {CARD}"), Turn("agent", "Удалите, пожалуйста, сообщение")])
    result = redact_interaction(original)
    assert result.card_seen is True
    assert result.kinds == {"card"}
    assert result.interaction.turns[0].text == "вот карта [карта]"
    assert result.interaction.turns[1].text == "Удалите, пожалуйста, сообщение"
    assert original.turns[0].text == f"вот карта {CARD}"


def test_email_subject_is_redacted_too() -> None:
    result = redact_interaction(make([Turn("customer", "см. тему", subject="Возврат, тел. +7 912 345-67-89")]))
    assert result.interaction.turns[0].subject == "Возврат, тел. [телефон]"
    assert result.card_seen is False and result.kinds == {"phone"}


def test_call_words_are_redacted_and_give_audio_intervals() -> None:
    spoken = [" мой", " телефон", " 8", " 912", " 345", " 67", " 89"]
    words = [Word(1.0 + i, 1.5 + i, w) for i, w in enumerate(spoken)]
    turn = Turn("customer", "".join(spoken), start=1.0, end=8.0, words=words)
    result = redact_interaction(make([turn]), keep_phones=())
    stored = result.interaction.turns[0]
    assert stored.text == " мой телефон [телефон]"
    assert [w.word for w in stored.words][2:] == [" [телефон]"] * 5
    assert result.audio_intervals == [(2.75, 7.75)]


def test_nothing_to_redact() -> None:
    result = redact_interaction(make([Turn("agent", "Бронь 4HJ5KL, рейс SU 1234")]))
    assert result.card_seen is False and result.kinds == frozenset() and result.audio_intervals == []
