"""Phones (+7/8, any grouping, spoken, foreign) and e-mail; the airline's own line stays."""

from __future__ import annotations

import pytest

from qa_service.core.redaction import AIRLINE_PUBLIC_PHONES, redact


def spans(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in redact(text, **kwargs).spans]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "phone",
    ["+7 (912) 345-67-89", "8 912 345 67 89", "89123456789", "+79123456789", "8-912-345-67-89",
     "8 (495) 123-45-67", "912 345-67-89", "+375 29 123-45-67", "+7 701 234 5678",
     "восемь девятьсот двенадцать триста сорок пять шестьдесят семь восемьдесят девять",
     "восемь, девять один два, три четыре пять, шесть семь, восемь девять",
     "8 912 триста сорок пять 67 восемьдесят девять"],
)
def test_phone_in_any_form_is_removed(phone: str) -> None:
    text = f"Мой телефон {phone}, звоните"
    assert spans(text) == [("phone", phone)]
    assert redact(text).text == "Мой телефон [телефон], звоните"


def test_mobile_without_prefix_needs_no_cue() -> None:
    assert spans("пишите 912 345 67 89") == [("phone", "912 345 67 89")]


def test_landline_without_prefix_needs_a_cue() -> None:
    assert spans("артикул 495 123 45 67") == []
    assert spans("телефон офиса 495 123 45 67") == [("phone", "495 123 45 67")]


@pytest.mark.parametrize(
    "text",
    ["Позвоните нам 8 800 700-35-35", "горячая линия +7 800 700 35 35", "88007003535",
     "восемь восемьсот семьсот тридцать пять тридцать пять"],
)
def test_airline_public_line_is_kept(text: str) -> None:
    assert "8 800 700-35-35" in AIRLINE_PUBLIC_PHONES
    assert redact(text).text == text


def test_keep_phones_can_be_replaced() -> None:
    assert spans("звоните 8 800 700-35-35", keep_phones=()) == [("phone", "8 800 700-35-35")]
    assert spans("звоните +7 912 345-67-89", keep_phones=["8 (912) 3456789"]) == []


@pytest.mark.parametrize(
    "text",
    ["Номер заказа 89123456789", "Ваш заказ №89123456789 оформлен", "номер брони 9123456789",
     "номер обращения 8912345678", "билет 89123456789"],
)
def test_order_numbers_that_look_like_phones_are_kept(text: str) -> None:
    assert redact(text).text == text


def test_nearer_cue_wins() -> None:
    text = "по заказу всё, а мой телефон 89123456789"
    assert spans(text) == [("phone", "89123456789")]


@pytest.mark.parametrize(
    "email",
    ["ivan.petrov@mail.ru", "anna+avia@yandex.ru", "Olga_V@Gmail.COM", "иван@почта.рф", "ivanov собака mail точка ru"],
)
def test_email_is_removed(email: str) -> None:
    assert spans(f"пришлите на {email} пожалуйста") == [("email", email)]


def test_two_contacts_in_one_line() -> None:
    text = "Телефон пассажира: +7 (912) 345-67-89, почта anna@mail.ru"
    assert redact(text).text == "Телефон пассажира: [телефон], почта [email]"
