"""Card digits said in a call, read across turns (issue 26): no digit of a card or CVV is stored.

Words are built in Whisper's shape (leading space, timed), as `transcribe` produces them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from qa_service.core.interaction import Interaction, Turn, Word
from qa_service.core.redaction import redact_interaction
from qa_service.core.redaction.spoken_cards import cvv_after_cues, redact_spoken_cards, spoken_card_spans


def _turn(speaker: str, text: str, start: float) -> Turn:
    pieces = re.findall(r"\s*\S+", " " + text)
    words = [Word(start + i * 0.5, start + i * 0.5 + 0.4, piece, 0.9) for i, piece in enumerate(pieces)]
    return Turn(speaker, "".join(w.word for w in words).strip(), words[0].start, words[-1].end, words=words)


def _call(*turns: Turn, channel: str = "call") -> Interaction:
    return Interaction("t", channel, "a1", datetime(2026, 12, 1, tzinfo=UTC), turns=list(turns))


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_cvv_said_in_the_customers_next_turn_is_removed_from_text_words_and_audio() -> None:
    result = redact_interaction(_call(_turn("agent", "назовите три цифры на обороте", 0.0),
                                      _turn("customer", "семь четыре два", 4.0)))
    customer = result.interaction.turns[1]
    assert customer.text == "[CVV]" and {w.word.strip() for w in customer.words} == {"[CVV]"}
    assert result.card_seen
    # The whole answer is silenced: 4.0 s (first word, less the margin) to 5.4 s (last word, plus it).
    assert any(start <= 3.8 and end >= 5.4 for start, end in result.audio_intervals)


def test_fourteen_of_sixteen_digits_after_a_card_cue_are_removed() -> None:
    said = "моя карта четыре два семь шесть три восемь ноль ноль один два три четыре пять шесть"
    result = redact_interaction(_call(_turn("customer", said, 0.0), _turn("agent", "так", 9.0)))
    assert _digits(result.interaction.turns[0].text) == "" and "[карта]" in result.interaction.turns[0].text
    assert "четыре" not in result.interaction.turns[0].text
    assert result.card_seen


def test_a_dictation_carried_on_over_turns_is_removed_in_each() -> None:
    turns = [_turn("customer", "номер карты 4276 3800", 0.0), _turn("agent", "угу", 4.0),
             _turn("customer", "1234 5678", 6.0), _turn("customer", "всё", 9.0)]
    result = redact_interaction(_call(*turns))
    assert [_digits(t.text) for t in result.interaction.turns] == ["", "", "", ""]


@pytest.mark.parametrize(("first", "second"), [
    ("оплатить картой можно по ссылке стоимость пять тысяч рублей", "хорошо рейс двести пятнадцать"),
    ("деньги вернутся на карту в течение семи — десяти рабочих дней", "спасибо"),
    ("я оплатил картой номер заказа 123456", "понятно"),
    ("ссылку на оплату картой пришлю на номер +7 916 482-17-93", "да это мой"),
])
def test_amounts_periods_orders_and_phones_after_a_card_cue_are_not_card_data(first: str, second: str) -> None:
    spans = spoken_card_spans([first, second], ["agent", "customer"])
    assert spans == {}


def test_typed_chats_keep_their_own_rules() -> None:
    chat = _call(Turn("agent", "назовите три цифры на обороте"), Turn("customer", "номер заказа 742"), channel="chat")
    assert redact_interaction(chat).interaction.turns[1].text == "номер заказа 742"


def test_the_pipelines_cross_channel_pass_silences_the_answer_on_its_speakers_channel() -> None:
    # Each channel was redacted alone before: the customer's «семь четыре два» had no cue in its channel.
    spoken = redact_spoken_cards([_turn("agent", "и код с обратной стороны", 0.0),
                                  _turn("customer", "семь четыре два", 3.0)])
    assert spoken.turns[1].text == "[CVV]" and spoken.card_seen
    assert set(spoken.intervals) == {"customer"} and spoken.intervals["customer"]
    assert spoken.turns[0].text == "и код с обратной стороны"


@pytest.mark.parametrize(("text", "found"), [
    ("CVV 123", True), ("три цифры на обороте: семь четыре два", True), ("cvc2 4821", True),
    ("код с обратной стороны [CVV]", False), ("на обороте написано 2024 год", False),
    ("три цифры на обороте вводите только на сайте, рейс 215", False),
])
def test_cvv_shaped_runs_after_cues(text: str, found: bool) -> None:
    assert bool(cvv_after_cues(text)) is found
