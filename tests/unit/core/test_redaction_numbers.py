"""Spoken and written numbers → digit groups with offsets into the input."""

from __future__ import annotations

import pytest

from qa_service.core.redaction.numbers import number_runs, windows


def groups(text: str) -> list[list[tuple[str, str]]]:
    return [[(g.digits, text[g.start : g.end]) for g in run.groups] for run in number_runs(text)]


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("четыре два семь шесть", "4276"),
        ("сорок два семьдесят шесть", "4276"),
        ("четыре тысячи двести семьдесят шесть", "4276"),
        ("ноль восемь", "08"),
        ("девятьсот двенадцать", "912"),
        ("сто пять", "105"),
        ("две тысячи двадцать седьмого", "2027"),
        ("восьмого двадцать девятого", "829"),
        ("двадцать два ноль ноль", "2200"),
        ("четырёх двух семи шести", "4276"),
        ("пятьюдесятью семью", "57"),
        ("тысяча сто", "1100"),
        ("4276 тридцать восемь", "427638"),
        ("４２７６", "4276"),
    ],
)
def test_digits_of_a_run(text: str, digits: str) -> None:
    runs = number_runs(text)
    assert len(runs) == 1
    assert runs[0].digits == digits


def test_groups_point_back_into_the_text() -> None:
    text = "Карта: сорок два семьдесят шесть, 3800 ноль ноль!"
    assert groups(text) == [[("42", "сорок два"), ("76", "семьдесят шесть"), ("3800", "3800"), ("0", "ноль"),
                             ("0", "ноль")]]


def test_comma_stops_composition_but_not_the_run() -> None:
    assert groups("сорок, два") == [[("40", "сорок"), ("2", "два")]]


def test_fillers_stay_inside_a_dictation_but_words_end_it() -> None:
    assert number_runs("четыре два, э, семь шесть")[0].digits == "4276"
    assert [r.digits for r in number_runs("четыре два записали семь шесть")] == ["42", "76"]


def test_ordinal_closes_a_number() -> None:
    runs = number_runs("до восьмого двадцать девятого года")
    assert [(g.digits, g.ordinal) for g in runs[0].groups] == [("8", True), ("29", True)]


def test_words_that_are_not_numbers_are_ignored() -> None:
    assert number_runs("Здравствуйте, чем могу помочь?") == []


def test_windows_are_group_aligned() -> None:
    run = number_runs("42 76 38")[0]
    assert windows(run, 4, 4) == [(0, 1, "4276"), (1, 2, "7638")]
