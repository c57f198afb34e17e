"""Customers' person names → «[имя]»; the agent's own name, places, the airline and flights are kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qa_service.core.interaction import Interaction, Turn
from qa_service.core.redaction import redact, redact_interaction
from qa_service.core.redaction.names import self_introduced


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Вижу бронь на Громову Валентину Сергеевну, рейс в Калининград.",
         "Вижу бронь на [имя], рейс в Калининград."),
        ("эр тэ эм пять восемь ка фамилия зайцев", "эр тэ эм пять восемь ка фамилия [имя]"),
        ("андрей викторович соколов это вы", "[имя] это вы"),
        ("подходит оформляйте на жукова сергея и жукову марию", "подходит оформляйте на [имя] и [имя]"),
        ("Добрый день. Прошу вернуть деньги.\n\nАнна Кузнецова", "Добрый день. Прошу вернуть деньги.\n\n[имя]"),
    ],
)
def test_customer_names_are_redacted_in_written_and_asr_text(text: str, expected: str) -> None:
    result = redact(text)
    assert result.text == expected
    assert {s.kind for s in result.spans} == {"name"}


@pytest.mark.parametrize(
    "text",
    [
        "рейс москва сочи в семь сорок, вылет из Шереметьево",
        "Спасибо за обращение в авиакомпанию «Северный Ветер», хорошего полёта!",
        "Рейс СВ 1204 в Сочи перенесён, багаж 23 кг, сбор 2500 рублей.",
        "вера в лучшее и надежда на погоду: слава богу рейс не отменили",
        "Уфа, Пермь, Омск, Мурманск, Калининград, Минеральные Воды",
    ],
)
def test_places_airline_flights_and_common_words_are_kept(text: str) -> None:
    assert redact(text).text == text


def test_names_can_be_kept_when_the_tenant_turns_redaction_off() -> None:
    assert redact("фамилия пассажира Лебедев", names=False).text == "фамилия пассажира Лебедев"


def test_agent_cues_keep_the_agents_name_in_plain_text() -> None:
    text = "добрый день северный ветер оператор наталья звоню по вашему рейсу андрей викторович соколов"
    assert redact(text).text == "добрый день северный ветер оператор наталья звоню по вашему рейсу [имя]"


def test_self_introduction_and_signature_are_the_agents_name() -> None:
    assert self_introduced("Добрый день, меня зовут Ольга.") == {"ольга"}
    assert self_introduced("Авиакомпания «Северный Ветер», Марина, добрый день.") == {"марина"}
    assert self_introduced("С уважением,\nОльга Смирнова\nконтактный центр") == {"ольга", "смирнова"}
    assert self_introduced("Уважаемая Полина!") == set()


def test_interaction_keeps_the_agents_name_everywhere_and_redacts_the_customers() -> None:
    item = Interaction("x", "call", "a1", datetime(2026, 3, 10, 9, tzinfo=UTC), turns=[
        Turn("agent", "здравствуйте авиакомпания северный ветер меня зовут ольга", start=0.5, end=3.0),
        Turn("customer", "ольга здравствуйте фамилия мельников", start=3.5, end=6.0),
        Turn("agent", "мельников виктор рейс в калининград верно", start=6.5, end=9.0),
    ])
    stored = redact_interaction(item).interaction.turns
    assert stored[0].text.endswith("меня зовут ольга")
    assert stored[1].text == "ольга здравствуйте фамилия [имя]"
    assert stored[2].text == "[имя] рейс в калининград верно"
    off = redact_interaction(item, redact_names=False).interaction.turns
    assert off[2].text == "мельников виктор рейс в калининград верно"
