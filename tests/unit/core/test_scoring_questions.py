"""Clarifying questions in ASR text (issue 26): found from their words, identifier requests left out."""

from __future__ import annotations

import pytest
from scoring_helpers import OPENING, answer, call

from qa_service.core.rubric import load_rubric
from qa_service.core.scoring.questions import question_spans

RULE = load_rubric("airline-call").criterion("needs_discovery").rule


def _questions(text: str) -> list[str]:
    return [text[a:b].strip() for a, b in question_spans(text, RULE.groups.get("asks"), RULE.groups.get("identifiers"))]


@pytest.mark.parametrize("text", [
    "Вы хотите вернуть оба перелёта.",  # a full stop where the voice asked
    "Понятно. На какую дату хотите перенести.",
    "Удобно ли вам утром.",
    "Вам удобнее туда или туда и обратно.",
])
def test_questions_without_a_question_mark(text: str) -> None:
    assert _questions(text)


@pytest.mark.parametrize("text", [
    "Назовите код бронирования и фамилию.",
    "Подскажите, пожалуйста, код бронирования или номер билета.",
    "И дату рождения, пожалуйста.",
    "Фамилию пассажиров назовите.",
    "Назовите номер карты для оплаты.",
    "Спасибо, что выбрали нашу авиакомпанию.",
])
def test_identifier_requests_and_statements_are_not_clarifying_questions(text: str) -> None:
    assert _questions(text) == []


def test_the_question_beside_an_identifier_request_stays() -> None:
    assert _questions("Понимаю. А на какую дату хотите перенести, и назовите фамилию.") == [
        "А на какую дату хотите перенести"]


def test_a_call_whose_only_questions_ask_for_identifiers_has_no_clarifying_question() -> None:
    turns = [*OPENING[:1], ("customer", 5.5, 9.0, "Здравствуйте, хочу купить билет в Казань на пятницу."),
             ("agent", 10.0, 13.0, "Назовите фамилию, имя и отчество пассажира."),
             ("customer", 14.0, 16.0, "Иванов Иван Иванович."),
             ("agent", 17.0, 20.0, "И дату рождения, пожалуйста."),
             ("customer", 21.0, 23.0, "Первое мая девяностого.")]
    assert answer(call(turns), "needs_discovery") == "no"


def test_an_unpunctuated_clarifying_question_counts() -> None:
    turns = [*OPENING[:1], ("customer", 5.5, 9.0, "здравствуйте мне нужно поменять билет"),
             ("agent", 10.0, 13.0, "понимаю а на какую дату вы хотели бы перенести вылет")]
    assert answer(call(turns), "needs_discovery") == "yes"
