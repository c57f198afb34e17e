"""What QA needs survives: tickets, booking codes, flights, amounts, dates, times, baggage."""

from __future__ import annotations

import pytest

from qa_service.core.redaction import redact


@pytest.mark.parametrize(
    "text",
    [
        "Номер билета 555 2112345678, бронь 4HJ5KL, рейс SU 1234",
        "электронный билет 5552112345678",
        "билет номер пять пять пять, два один, один два три четыре пять шесть семь восемь",
        "Код бронирования ЖК4Р2Т, рейс в Сочи",  # the surname: see test_redaction_names.py
        "Рейс N4-517 вылетает 21.11 в 06:15, прилёт в 09:40",
        "Стоимость обмена 12 500 рублей, сбор 2 500 ₽",
        "Сумма к возврату двенадцать тысяч четыреста пятьдесят рублей",
        "Багаж 23 кг, ручная кладь 55x40x20 см",
        "Дата вылета 12.08.2026, обратно 20.08",
        "Скидка 15%, итого 8 415 руб.",
        "Бонусная карта Северный Ветер 1234567",
        "номер обращения 2024-0815-3341",
        "Год рождения тысяча девятьсот восемьдесят пятый",
        "рейсом 1234 в 18:30",
        # Price lists: their groups read together look like a card or a phone.
        "цены: 16 970, 29 645, 81 596, 8 590, 75 406",
        "тарифы 42 500, 13 400, 15 600 и 18 900 рублей",
        "с карты списали 12 500, 13 400 и 15 600",
        "в 2026-11-24 15:59:56,123 ошибка оплаты",
    ],
)
def test_kept_text_is_unchanged(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.spans == []


def test_empty_text() -> None:
    assert redact("").text == "" and redact("").spans == []


def test_ticket_stays_while_phone_beside_it_goes() -> None:
    text = "билет 5552112345678, мой телефон 89123456789"
    assert redact(text).text == "билет 5552112345678, мой телефон [телефон]"
