"""Identification (`identify_booking`) and clarifying questions (`needs_discovery`) as people say them.

Classes of error from issue 11: a booking code spelled out loud and read back by the agent,
outbound calls confirming the passenger in ASR text (no question mark), requests in other
words; offers and explanations that are not questions.  Both directions each time.
"""

import pytest
from scoring_helpers import CLOSING, answer, call

from qa_service.core.redaction import redact
from qa_service.core.scoring.booking_codes import read_back, spoken_codes

GREETING = ("agent", 0.5, 5.0, "Добрый день, авиакомпания «Северный Ветер», меня зовут Анна.")


@pytest.mark.parametrize(("text", "code"), [
    ("бронь ЖЖК ноль ноль три.", "жжк ноль ноль три"),
    ("эр тэ эм пять восемь ка фамилия", "эр тэ эм пять восемь ка"),
    ("Вэ Ка Эр пять один семь.", "вэ ка эр пять один семь"),
    ("бронь пэ эр о ноль ноль семь", "пэ эр о ноль ноль семь"),
    ("код ТРК девятьсот", "трк девятьсот"),
])
def test_spelled_booking_codes_are_found(text, code):
    assert spoken_codes(text) == [code]


@pytest.mark.parametrize("text", [
    "рейс СВ 431, уже третий час сидим",  # a flight number: two letters only
    "эс вэ четыре три один",
    "в пять часов и два билета",
    "ну три, а он восемь",
    "с двумя детьми в семь",
])
def test_flight_numbers_and_ordinary_numbers_are_not_codes(text):
    assert spoken_codes(text) == []


def test_read_back_ignores_case_and_spacing():
    text = "Подтверждаю: бронь ЖЖК  ноль ноль три."
    assert read_back("жжк ноль ноль три", [(4, text)]) == (4, text.index("ЖЖК"), text.index("."))
    assert read_back("жжк ноль ноль три", [(4, "бронь ЖЖК ноль ноль четыре")]) is None


def _exchange(agent_reply: str) -> list:
    return [
        GREETING,
        ("customer", 6.0, 10.0, "Добрый день, мой рейс в Уфу отменили, бронь ЖЖК ноль ноль три."),
        ("agent", 11.0, 15.0, "Да, рейс отменён, могу предложить другой рейс без доплаты."),
        ("customer", 16.0, 18.0, "Давайте на завтра."),
        ("agent", 19.0, 25.0, agent_reply),
        *CLOSING,
    ]


def test_agent_saying_the_spelled_code_back_identifies_the_booking():
    said_back = _exchange("Подтверждаю: рейс в Уфу завтра в девятнадцать ноль ноль, бронь ЖЖК ноль ноль три.")
    assert answer(call(said_back, topic="exchange"), "identify_booking") == "yes"
    other_code = _exchange("Подтверждаю: рейс в Уфу завтра в девятнадцать ноль ноль, бронь ЖЖК ноль ноль пять.")
    assert answer(call(other_code, topic="exchange"), "identify_booking") == "no"


@pytest.mark.parametrize(("text", "expected"), [
    ("это андрей викторович соколов", "yes"),
    ("я говорю с игорем павловичем лебедевым", "yes"),
    ("Ирина Сергеевна, добрый день, по вашему рейсу в Сочи", "yes"),
    ("звоню уточнить по рейсу в сочи двадцатого", "no"),
])
def test_outbound_asr_confirmation_of_the_passenger(text, expected):
    turns = [
        ("agent", 0.5, 5.0, "добрый день авиакомпания северный ветер меня зовут кирилл звоню по поводу вашего рейса"),
        ("customer", 5.5, 6.5, "да слушаю"),
        ("agent", 7.0, 9.0, redact(text).text),
        ("customer", 9.5, 10.5, "да"),
        ("agent", 11.0, 15.0, "ваш рейс перенесён на двадцать первое доплаты не будет"),
        *CLOSING,
    ]
    assert answer(call(turns, topic="exchange", direction="outbound"), "identify_booking") == expected


def test_agent_reading_the_passenger_from_the_named_booking_confirms_it():
    def turns(reply: str) -> list:
        return [GREETING,
                ("customer", 6.0, 10.0, "хочу сдать билет бронь ка эл эм два два восемь фамилия соколова"),
                ("agent", 11.0, 15.0, redact(reply).text), ("customer", 16.0, 17.0, "да"), *CLOSING]

    assert answer(call(turns("так анна соколова рейс в пермь двадцать пятого"), topic="refund"),
                  "identify_booking") == "yes"
    assert answer(call(turns("хорошо сейчас оформлю возврат"), topic="refund"), "identify_booking") == "no"


def test_read_back_of_passengers_in_a_new_sale_is_not_identification():
    turns = [
        GREETING,
        ("customer", 6.0, 10.0, "хочу купить билет в калининград оформляйте на петрова сергея"),
        ("agent", 11.0, 16.0, redact("итак москва калининград десятого июля пассажир петров сергей верно").text),
        ("customer", 16.5, 17.0, "да"),
        *CLOSING,
    ]
    assert answer(call(turns, topic="sale"), "identify_booking") == "na"


@pytest.mark.parametrize("text", [
    "Подскажите, на кого бронировали билет?",
    "Назовите, пожалуйста, данные брони из письма.",
    "назовите пожалуйста шестизначный код из письма",
])
def test_identification_asked_in_other_words(text):
    turns = [GREETING, ("customer", 6.0, 9.0, "Хочу сдать билет."), ("agent", 10.0, 14.0, text), *CLOSING]
    assert answer(call(turns, topic="refund"), "identify_booking") == "yes"


def test_offers_with_or_are_not_clarifying_questions_in_punctuated_text():
    offers = [
        GREETING,
        ("customer", 6.0, 9.0, "Мой рейс отменили, что теперь?"),
        ("agent", 10.0, 15.0, "Могу перенести вас на завтрашний рейс или вернуть деньги полностью."),
        ("agent", 16.0, 19.0, "Причина техническая, вариантов два."),
        *CLOSING,
    ]
    assert answer(call(offers, topic="exchange"), "needs_discovery") == "no"
    asked = [*offers[:3], ("agent", 16.0, 19.0, "Вам удобнее перенести вылет или вернуть деньги?"), *CLOSING]
    assert answer(call(asked, topic="exchange"), "needs_discovery") == "yes"


def test_asr_text_without_punctuation_is_classified_turn_by_turn():
    asked = [
        ("agent", 0.5, 5.0, "добрый день северный ветер меня зовут роман"),
        ("customer", 6.0, 9.0, "хочу поменять билет"),
        ("agent", 10.0, 13.0, "а на какое число хотите перенести"),
        *CLOSING,
    ]
    assert answer(call(asked, topic="exchange"), "needs_discovery") == "yes"
    told = [*asked[:2], ("agent", 10.0, 13.0, "перенёс на двадцать восьмое штраф тысяча рублей"), *CLOSING]
    # CLOSING is punctuated («Могу ли я ещё чем-то помочь?»): the only question is the formula.
    assert answer(call(told, topic="exchange"), "needs_discovery") == "no"
