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


def test_card_dictated_across_two_turns_is_found_in_the_speakers_word_stream() -> None:
    first, second = CARD[:8], CARD[8:]
    spoken_1 = [" номер", *(f" {d}" for d in first)]
    spoken_2 = [f" {d}" for d in second]
    words_1 = [Word(1.0 + i * 0.4, 1.3 + i * 0.4, w) for i, w in enumerate(spoken_1)]
    words_2 = [Word(10.0 + i * 0.4, 10.3 + i * 0.4, w) for i, w in enumerate(spoken_2)]
    turns = [
        Turn("customer", "".join(spoken_1).strip(), start=1.0, end=5.0, words=words_1),
        Turn("agent", "Продолжайте", start=6.0, end=7.0),
        Turn("customer", "".join(spoken_2).strip(), start=10.0, end=14.0, words=words_2),
    ]
    result = redact_interaction(make(turns))
    texts = [t.text for t in result.interaction.turns]
    assert not any(ch.isdigit() for ch in texts[0] + texts[2]), texts
    assert texts[0].startswith("номер [карта]") and texts[2] == "[карта]"
    assert result.card_seen is True
    # From the first digit to the last, across the agent's turn between them, the audio is silenced.
    [(start, end)] = result.audio_intervals
    assert start == 1.15 and abs(end - 13.35) < 1e-9
    # Each turn keeps where its placeholder stands, as offsets into its own input text.
    assert [s.kind for s in result.turn_spans[2]] == ["card"]


def test_meta_strings_are_redacted_and_counted_and_the_flag_comes_from_the_spans() -> None:
    item = make([Turn("agent", "Добрый день")])
    item.meta = {"note": f"клиент продиктовал {CARD}", "tags": ["тел. +7 912 345-67-89"], "n": 3}
    result = redact_interaction(item)
    assert result.interaction.meta == {"note": "клиент продиктовал [карта]", "tags": ["тел. [телефон]"], "n": 3}
    assert result.card_seen is True
    assert result.counts() == {"card": 1, "phone": 1}
    assert {f.field for f in result.spans} == {"meta.note", "meta.tags[0]"}
    assert item.meta["note"].endswith(CARD)  # the input is not changed


def test_an_expiry_date_alone_does_not_raise_the_card_flag() -> None:
    result = redact_interaction(make([Turn("customer", "срок действия карты 12/27")]))
    assert result.kinds == {"card_expiry"} or result.kinds == frozenset()
    assert result.card_seen is False
