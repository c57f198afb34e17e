"""`no_card_by_voice` on what speech recognition writes (issue 26): misheard requests, partial
dictations, and doubtful words sent to a person instead of a critical «yes»."""

from __future__ import annotations

import pytest
from scoring_helpers import OPENING, call, score

from qa_service.core.interaction import Word, parse_interaction
from qa_service.core.redaction import redact_interaction
from qa_service.core.rubric import load_rubric
from qa_service.core.scoring import score_interaction
from qa_service.core.scoring.card_requests import card_requests


@pytest.mark.parametrize("heard", [
    "назовите три цыфры на аборотной стороне кар ты",  # two words garbled, one split
    "и ещё три цифры с обратной стороны",
    "назовите пожалуйста си ви ви код",
    "продиктуйте номер вашей карточки",
    "какой у вас номер карты",
    "скажите срок действия карты",
    "стоимость 8000, продиктументиномер карты",  # «продиктуйте номер карты» as one glued word
    "цифры на обороте назовите",
])
def test_misheard_card_requests_are_found(heard: str) -> None:
    assert card_requests(heard), heard


@pytest.mark.parametrize("said", [
    "В одну сторону или туда и обратно?",
    "не называйте данные карты я отправлю ссылку",
    "номер карты вы введёте сами на странице оплаты",
    "оплатить картой можно по ссылке",
    "назовите какой картой будете платить",
    "подскажите код бронирования",
    "а какой срок действия паспорта подскажите",
    "деньги придут на карту в течении десяти рабочих дней подскажите ещё что-нибудь",
    "здравствуйте авиакомпания севеный ветер меня зовут денис чем могу помочь",  # «севеный» ≠ «цифры»
])
def test_no_request_where_none_was_made(said: str) -> None:
    assert card_requests(said) == []


def _scored(turns: list[tuple[str, float, float, str]]) -> str | None:
    item = call(turns)
    clean = redact_interaction(item)
    if clean.card_seen:
        clean.interaction.meta["card_data_detected"] = True
    return score_interaction(clean.interaction, load_rubric("airline-call")).answer("no_card_by_voice").answer


def test_garbled_cvv_request_fails_the_critical_criterion() -> None:
    turns = [*OPENING, ("customer", 10.0, 13.0, "хочу оплатить багаж"),
             ("agent", 14.0, 18.0, "хорошо назовите три цыфры на аборотной стороне кар ты")]
    assert _scored(turns) == "no"


def test_volunteered_card_with_digits_missing_is_a_card_event() -> None:
    # 14 of 16 digits (the recogniser dropped two): no Luhn-valid number, still a dictated card.
    turns = [*OPENING, ("customer", 10.0, 16.0, "давайте я продиктую номер карты четыре два семь шесть три восемь "
                        "ноль ноль один два три четыре пять шесть"),
             ("agent", 17.0, 19.0, "так записала спасибо")]
    assert _scored(turns) == "no"


def test_cvv_in_the_customers_own_next_turn_is_a_card_event() -> None:
    turns = [*OPENING, ("agent", 10.0, 13.0, "и три цифры на обороте"),
             ("customer", 14.0, 16.0, "семь четыре два"), ("agent", 17.0, 19.0, "спасибо оплата прошла")]
    assert _scored(turns) == "no"


def test_customer_stopped_at_once_is_still_a_yes() -> None:
    turns = [*OPENING, ("customer", 10.0, 14.0, "могу продиктовать карту четыре два семь шесть"),
             ("agent", 15.0, 19.0, "не диктуйте пожалуйста я отправлю ссылку на оплату")]
    assert _scored(turns) == "yes"


def test_doubtful_words_around_a_card_cue_go_to_a_person() -> None:
    data = {
        "external_id": "t-doubt", "channel": "call", "agent_id": "a1", "started_at": "2026-11-20T10:00:00+03:00",
        "recording": {"channels": {"0": "agent", "1": "customer"}},
        "turns": [
            {"speaker": "agent", "start": 0.5, "end": 4.0,
             "text": "здравствуйте авиакомпания северный ветер меня зовут ольга"},
            # «подскажите цифры с карты» heard as «Подскажите тцыры с карты»: the digits word lost at p = 0.2
            {"speaker": "agent", "start": 10.0, "end": 13.0, "text": "Подскажите тцыры с карты",
             "words": [{"start": 10.0, "end": 10.6, "word": " Подскажите", "probability": 0.9},
                       {"start": 10.7, "end": 11.3, "word": " тцыры", "probability": 0.2},
                       {"start": 11.4, "end": 11.6, "word": " с", "probability": 0.9},
                       {"start": 11.7, "end": 12.4, "word": " карты", "probability": 0.8}]},
            {"speaker": "customer", "start": 14.0, "end": 15.0, "text": "сейчас"},
        ],
    }
    item = parse_interaction(data)
    evaluation = score_interaction(redact_interaction(item).interaction, load_rubric("airline-call"))
    answer = evaluation.answer("no_card_by_voice")
    assert answer.answer is None and answer.flag_review
    assert evaluation.needs_review and not evaluation.failed_critical


def test_confident_card_mention_without_a_request_stays_yes() -> None:
    words = [Word(10.0 + k, 10.5 + k, w, 0.95) for k, w in enumerate(["назовите", "ещё", "раз", "карта", "лояльности"])]
    assert words  # the same sentence shape as above, heard clearly and asking nothing about a bank card
    turns = [*OPENING, ("agent", 10.0, 13.0, "деньги вернутся на ту же карту в течение семи десяти дней")]
    assert _scored(turns) == "yes"
    assert score(call(turns)).answer("no_card_by_voice").answer == "yes"
