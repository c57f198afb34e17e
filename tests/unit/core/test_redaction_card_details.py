"""CVV/CVC and expiry: removed when the words around them say so, kept otherwise."""

from __future__ import annotations

import pytest

from qa_service.core.redaction import luhn_valid, redact

CARD = next("427638001234567" + d for d in "0123456789" if luhn_valid("427638001234567" + d))


def spans(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in redact(text).spans]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("код на обороте 123", "123"),
        ("CVV 123", "123"),
        ("cvc2: 4567", "4567"),
        ("три цифры на обороте: один два три", "один два три"),
        ("код с обратной стороны сто двадцать три", "сто двадцать три"),
        ("последние три цифры сзади ноль сорок пять", "ноль сорок пять"),
        ("123 это cvv", "123"),
        ("код безопасности 908", "908"),
    ],
)
def test_cvv_after_a_cue(text: str, code: str) -> None:
    assert spans(text) == [("cvv", code)]


def test_bare_kod_only_near_a_card() -> None:
    assert spans("код из смс 482") == []
    assert spans("по карте, код 482") == [("cvv", "482")]


def test_chat_shorthand_card_expiry_code() -> None:
    text = f"{CARD} 12/27 123"
    assert [k for k, _ in spans(text)] == ["card", "card_expiry", "cvv"]
    assert redact(text).text == "[карта] [срок карты] [CVV]"


@pytest.mark.parametrize(
    ("text", "expiry"),
    [
        ("срок действия 12/27", "12/27"),
        ("действует до 08/2029", "08/2029"),
        ("карта до восьмого двадцать девятого", "восьмого двадцать девятого"),
        ("она до пятого тридцать первого", "пятого тридцать первого"),
        ("срок действия ноль восемь двадцать девять", "ноль восемь двадцать девять"),
        ("срок действия август 29-го", "август 29"),
        ("годна до двенадцатого две тысячи тридцатого", "двенадцатого две тысячи тридцатого"),
    ],
)
def test_expiry_after_a_cue(text: str, expiry: str) -> None:
    assert spans(text) == [("card_expiry", expiry)]


@pytest.mark.parametrize(
    "text",
    ["вылет 12.07 в 10:40", "рейс до 12/27 не летает", "обмен до восьмого мая", "с пятого по двадцать девятое",
     "стоимость 123 рубля", "у вас 3 места", "ряд 12, место 27", "код бронирования 4HJ5KL", "код из смс 4821"],
)
def test_dates_times_and_codes_are_kept(text: str) -> None:
    assert redact(text).text == text


def test_typed_mmyy_only_after_a_named_expiry_cue() -> None:
    assert spans("срок действия 0828") == [("card_expiry", "0828")]
    assert spans("срок 0828") == []


@pytest.mark.parametrize("cue", ["цвв", "CVV-код", "си-ви-ви", "CVC2", "секретный код"])
def test_cvv_cue_spellings(cue: str) -> None:
    assert spans(f"{cue} 123") == [("cvv", "123")]


def test_amex_four_digit_code() -> None:
    assert spans("CID на лицевой стороне, код безопасности 1234") == [("cvv", "1234")]


def test_bare_srok_is_a_deadline_unless_near_a_card() -> None:
    assert spans("срок оплаты брони до 10.30 завтра") == []
    assert spans("по карте срок 12/27") == [("card_expiry", "12/27")]
