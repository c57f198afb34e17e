"""The two card gaps: a number misheard by one digit after a card cue, and a dictation split by fillers."""

from __future__ import annotations

import random

import pytest

from qa_service.core.redaction import contains_card_number, luhn_valid, redact

UNITS = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
CARD = next(p + s for p in ("4276380012345",) for s in (f"{n:03d}" for n in range(1000)) if luhn_valid(p + s))
# One digit lost / heard twice, at a place where the result fails the check digit.
SHORT = next(CARD[:i] + CARD[i + 1:] for i in range(6, 15) if not luhn_valid(CARD[:i] + CARD[i + 1:]))
LONG = next(CARD[:i] + CARD[i] + CARD[i:] for i in range(6, 15) if not luhn_valid(CARD[:i] + CARD[i] + CARD[i:]))


def _say(digits: str) -> str:
    return " ".join(UNITS[int(d)] for d in digits)


def _no_digits_left(text: str) -> bool:
    words = text.replace(",", " ").replace("…", " ").split()
    return not any(ch.isdigit() for ch in text) and not any(w in UNITS for w in words)


@pytest.mark.parametrize("misheard", [
    CARD[:7] + str((int(CARD[7]) + 1) % 10) + CARD[8:],  # one digit changed: fails Luhn
    SHORT,  # one digit lost: 15 digits
    LONG,  # one digit heard twice: 17 digits
])
@pytest.mark.parametrize("style", ["words", "groups"])
def test_a_card_misheard_by_one_digit_after_a_cue_is_removed_and_flagged(misheard: str, style: str) -> None:
    assert not luhn_valid(misheard)
    said = _say(misheard) if style == "words" else " ".join(misheard[i:i + 4] for i in range(0, len(misheard), 4))
    text = f"номер карты {said}, срок не помню"
    assert redact(text).text == "номер карты [карта], срок не помню"
    assert contains_card_number(text)


def test_the_same_digits_without_a_card_cue_are_not_a_card() -> None:
    misheard = SHORT
    assert not contains_card_number(f"номер заказа {_say(misheard)}")


def test_the_issue_dictation_split_by_fillers_loses_every_group() -> None:
    groups = [CARD[i:i + 2] for i in range(0, 16, 2)]
    text = ("давайте карту продиктую " + _say(groups[0]) + " … э … " + _say(groups[1]) + ", так, "
            + _say(groups[2]) + "… " + ", ну, ".join(_say(g) for g in groups[3:]))
    result = redact(text)
    assert result.text.startswith("давайте карту продиктую [карта]")
    assert _no_digits_left(result.text)
    assert contains_card_number(text)


def test_seeded_dictations_in_short_groups_with_pause_words_lose_every_digit() -> None:
    rng = random.Random(11)
    fillers = ["… э …", ", так,", "… ну …", ", секундочку,", "... ага ...", " — ", ", дальше", ", вот,"]
    for _ in range(60):
        size = rng.choice([2, 3, 4])
        parts = [CARD[i:i + size] for i in range(0, 16, size)]
        spoken = [_say(p) if rng.random() < 0.8 else p for p in parts]
        text = "записывайте номер карты " + spoken[0] + "".join(f" {rng.choice(fillers)} {p}" for p in spoken[1:])
        assert _no_digits_left(redact(text).text), text
