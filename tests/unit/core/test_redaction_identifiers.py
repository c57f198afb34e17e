"""СНИЛС and ИНН with their check digits, and passport series/number."""

from __future__ import annotations

import pytest

from qa_service.core.redaction import inn_valid, redact, snils_valid


def spans(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in redact(text).spans]


def test_snils_checksum() -> None:
    assert snils_valid("11223344595")
    assert not snils_valid("11223344596")
    assert snils_valid("08765430300")  # weighted sum 202 → 202 mod 101 = 0 → check «00»
    assert not snils_valid("1122334459")


def test_inn_checksum() -> None:
    assert inn_valid("7707083893")  # Sberbank's published ИНН
    assert not inn_valid("7707083894")
    assert inn_valid("500100732259")
    assert not inn_valid("500100732258")
    assert not inn_valid("12345678901")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("СНИЛС 112-233-445 95", [("snils", "112-233-445 95")]),
        ("мой снилс 11223344595", [("snils", "11223344595")]),
        ("Реквизиты: 112-233-445 95", [("snils", "112-233-445 95")]),
        ("ИНН 500100732259", [("inn", "500100732259")]),
        ("инн организации 7707083893", [("inn", "7707083893")]),
        ("получатель 500100732259", [("inn", "500100732259")]),
    ],
)
def test_identifiers_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text) == expected


def test_wrong_checksum_is_not_an_identifier() -> None:
    assert spans("СНИЛС 112-233-445 96") == []
    assert spans("ИНН 500100732258") == []


def test_ten_digits_without_inn_cue_are_not_an_inn() -> None:
    assert spans("номер обращения 7707083893") == []


@pytest.mark.parametrize(
    ("text", "passport"),
    [
        ("паспорт 4508 123456", "4508 123456"),
        ("серия 45 08 номер 123456", "45 08 номер 123456"),
        ("Паспорт: 45 08 123456, выдан", "45 08 123456"),
        ("серия паспорта сорок пять ноль восемь, номер сто двадцать три четыреста пятьдесят шесть",
         "сорок пять ноль восемь, номер сто двадцать три четыреста пятьдесят шесть"),
        ("загранпаспорт 75 1234567", "75 1234567"),
    ],
)
def test_passport_found(text: str, passport: str) -> None:
    assert spans(text) == [("passport", passport)]


def test_passport_needs_a_cue_unless_typed_in_its_own_format() -> None:
    assert spans("номер заявки 4508123456") == []
    assert redact("паспорт 4508 123456").text == "паспорт [паспорт]"


def test_passport_series_alone_is_removed() -> None:
    assert spans("Паспорт серии сорок пять ноль девять, номер... не помню") == [("passport", "сорок пять ноль девять")]
