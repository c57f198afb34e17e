"""Rudeness by meaning (issue 26): the standard's kinds of rudeness in words no list holds."""

from __future__ import annotations

import pytest
from scoring_helpers import OPENING, answer, call


@pytest.mark.parametrize("rude", [
    "Я же только что сказала, всё на сайте.",
    "Второй раз пересказывать не буду.",
    "Ну а я-то что могу сделать? Не я ваш чемодан грузил.",
    "Дело ваше.",
    "я же вам только что всё объяснила",
])
def test_rude_in_other_words_fails_politeness(rude: str) -> None:
    turns = [*OPENING, ("agent", 10.0, 14.0, rude)]
    assert answer(call(turns), "politeness") == "no"


@pytest.mark.parametrize("polite", [
    "Что-то ещё могу для вас сделать?",
    "Могу ли я ещё чем-то помочь?",
    "Как я уже говорила, багаж до двадцати трёх килограммов включён.",
    "Слушаю вас.",
    "Я отправлю вам ссылку на оплату, проверьте, пожалуйста, почту.",
])
def test_courtesy_is_not_taken_for_rudeness(polite: str) -> None:
    turns = [*OPENING, ("agent", 10.0, 14.0, polite)]
    assert answer(call(turns), "politeness") == "yes"
