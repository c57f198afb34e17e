"""Card numbers: Luhn, issuer ranges, written groupings, spoken forms, and what must stay."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_service.core.redaction import contains_card_number, known_issuer, luhn_valid, redact


def with_check_digit(body: str) -> str:
    """`body` plus the digit that makes it Luhn-valid (test inputs only; all get redacted)."""
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


VISA = with_check_digit("427638001234567")
MIR = with_check_digit("220220123456789")
AMEX = with_check_digit("37828224631000")


def kinds(text: str) -> list[str]:
    return [s.kind for s in redact(text).spans]


def test_luhn_known_values() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert luhn_valid(VISA) and not luhn_valid(VISA[:-1] + str((int(VISA[-1]) + 1) % 10))


@pytest.mark.parametrize(
    ("number", "expected"),
    [(VISA, True), (MIR, True), ("2204" + MIR[4:], True), ("2205" + MIR[4:], False), (AMEX, True),
     ("9" + VISA[1:], False), ("1" + VISA[1:], False), (VISA[:15], False)],
)
def test_known_issuer(number: str, expected: bool) -> None:
    assert known_issuer(number) is expected


@pytest.mark.parametrize(
    "written",
    [VISA, " ".join(re.findall(".{4}", VISA)), "-".join(re.findall(".{4}", VISA)), f"{VISA[:6]} {VISA[6:]}",
     f"{VISA[:4]}  {VISA[4:10]} {VISA[10:]}", f"{AMEX[:4]} {AMEX[4:10]} {AMEX[10:]}"],
)
def test_written_card_in_any_grouping_is_removed(written: str) -> None:
    text = f"Оплачу картой {written}, спасибо"
    result = redact(text)
    assert result.text == "Оплачу картой [карта], спасибо"
    assert [(s.start, s.end, s.kind) for s in result.spans] == [(14, 14 + len(written), "card")]


SPOKEN = [
    # digit by digit, as Whisper writes a dictation
    "четыре два семь шесть три восемь ноль ноль один два три четыре пять шесть семь {c}",
    # in pairs
    "сорок два семьдесят шесть, тридцать восемь ноль ноль, двенадцать тридцать четыре, пятьдесят шесть семь {c}",
    # four-digit groups said as thousands
    "четыре тысячи двести семьдесят шесть, три тысячи восемьсот, тысяча двести тридцать четыре, 567{c}",
    # words and digits mixed, with fillers
    "4276 тридцать восемь ноль ноль, э, 1234 так пять шесть семь {c}",
]


@pytest.mark.parametrize("template", SPOKEN)
def test_spoken_card_is_removed(template: str) -> None:
    words = {str(i): w for i, w in enumerate(["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь",
                                              "восемь", "девять"])}
    text = "Номер карты " + template.format(c=words[VISA[-1]]) + ", записали?"
    result = redact(text)
    assert result.text == "Номер карты [карта], записали?"
    assert contains_card_number(text)


def test_inflected_number_words_are_read() -> None:
    # «с четырёх» / «двумя» etc. appear when a caller describes the number in a sentence.
    digits = "4276380012345678"
    check = with_check_digit(digits[:15])
    said = " ".join(
        ["четырёх", "двух", "семи", "шести", "трёх", "восьми", "нуля", "нуля", "одного", "двух", "трёх",
         "четырёх", "пяти", "шести", "семи"]
    )
    last = ["нуля", "одного", "двух", "трёх", "четырёх", "пяти", "шести", "семи", "восьми", "девяти"][int(check[-1])]
    assert kinds(f"карта начинается с {said} {last}") == ["card"]


def test_mir_19_digits_spoken_in_pairs() -> None:
    number = with_check_digit("220012345678901234")
    pairs = {"22": "двадцать два", "00": "ноль ноль"}
    assert len(number) == 19 and pairs
    text = f"карта мир {number[:4]} {number[4:8]} {number[8:12]} {number[12:16]} {number[16:]}"
    assert kinds(text) == ["card"]


def test_misread_digit_near_card_cue_is_still_removed() -> None:
    broken = VISA[:-1] + str((int(VISA[-1]) + 1) % 10)
    assert not luhn_valid(broken)
    assert kinds(f"номер карты {broken}") == ["card"]
    # Without the cue a 16-digit non-Luhn number is just a number.
    assert kinds(f"номер {broken}") == []


def test_ticket_number_near_bilet_is_kept_even_if_luhn_valid() -> None:
    ticket = with_check_digit("555211234567")
    assert len(ticket) == 13 and luhn_valid(ticket)
    for text in (f"Номер билета {ticket}", f"электронный билет {ticket[:3]} {ticket[3:]}", f"EMD {ticket}"):
        assert redact(text).spans == [], text
        assert not contains_card_number(text)


def test_same_13_digits_without_ticket_cue_are_removed() -> None:
    visa13 = with_check_digit("427638001234")
    assert kinds(f"вот номер {visa13}") == ["card"]


def test_card_next_to_a_ticket_number_is_still_removed() -> None:
    ticket = "5552112345678"
    text = f"билет {ticket}, оплата картой {VISA}"
    result = redact(text)
    assert ticket in result.text and VISA not in result.text


def test_card_flag_without_keeping_the_number() -> None:
    assert contains_card_number(f"моя карта {VISA}")
    assert not contains_card_number("бронь 4HJ5KL, рейс SU 1234, 12 500 рублей")
    assert not contains_card_number("")


@pytest.mark.parametrize(
    "text",
    ["Сумма к оплате 42 760 рублей, рейс SU 1234 12.07 в 10:40", "Номер обращения 2024-0815-3341",
     "багаж 23 кг, 55x40x20 см", "Позвоните 8 800 700-35-35", "код бронирования 4HJ5KL"],
)
def test_ordinary_numbers_are_not_cards(text: str) -> None:
    assert redact(text).text == text


def _luhn_16() -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=15, max_size=15).map(with_check_digit)


def _grouping(number: str, cuts: list[int], separators: list[str]) -> str:
    positions = sorted(set(c % 15 + 1 for c in cuts))
    out, last = [], 0
    for index, position in enumerate(positions):
        out.append(number[last:position])
        out.append(separators[index % len(separators)])
        last = position
    out.append(number[last:])
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(
    number=_luhn_16(),
    cuts=st.lists(st.integers(0, 100), max_size=6),
    separators=st.lists(st.sampled_from([" ", "-", "  ", " - ", ", "]), min_size=1, max_size=3),
    lead=st.sampled_from(["", "вот ", "номер ", "Карта: ", "пишу "]),
)
def test_any_luhn_valid_16_digit_number_in_any_grouping_is_removed(
    number: str, cuts: list[int], separators: list[str], lead: str
) -> None:
    text = f"{lead}{_grouping(number, cuts, separators)} спасибо"
    result = redact(text)
    assert not re.search(r"\d", result.text), (text, result.text)
    assert contains_card_number(text)


_PIECES = st.one_of(
    st.text("0123456789", min_size=1, max_size=20),
    st.sampled_from([" ", "-", ", ", " руб ", " рейс ", " SU ", " карта ", " код ", " до ", "/", " 12/27 ", "\n",
                     " тел ", " +", " сорок два ", " ноль ", " семь ", " СНИЛС ", " паспорт ", " а "]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_nothing_returned_contains_a_luhn_valid_13_to_19_digit_run(text: str) -> None:
    redacted = redact(text).text
    for run in re.findall(r"\d+", redacted):
        assert not (13 <= len(run) <= 19 and luhn_valid(run)), (text, redacted)


def test_spoken_card_right_after_bilet_is_not_taken_for_a_ticket() -> None:
    words = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
    said = " ".join(words[int(c)] for c in VISA)
    for text in (f"оплатить билет картой {said}", f"за билет, {said}"):
        assert redact(text).text.endswith("[карта]"), text
    # Two ticket numbers in one run are still two tickets.
    assert redact("билеты 5552112345678, 5552112345679").spans == []


def test_dictation_interrupted_by_pause_words_is_one_card() -> None:
    text = f"моя карта {VISA[:4]} {VISA[4:8]}... секунду... {VISA[8:12]} {VISA[12:]}"
    assert redact(text).text == "моя карта [карта]"


def test_numbers_split_by_content_words_are_not_joined_into_a_card() -> None:
    # Whatever the digits, «и рейс … в» is not a pause in a dictation.
    for tail in ("1234 в 12:40", "5678 в 10:15", "4321 в 23:05"):
        text = f"карта {VISA[:4]} {VISA[4:8]} и рейс {tail}"
        assert redact(text).text == text
