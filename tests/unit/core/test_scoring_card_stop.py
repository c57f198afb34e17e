"""`no_card_by_voice`: stopping a customer who volunteers card data is correct handling, not a failure.

Only the agent asking for or accepting card data fails the critical criterion; a warning that
mentions «данные карты» («никогда не отправляйте данные карты») is not a request.
"""

from __future__ import annotations

import pytest
from scoring_helpers import answer, call, chat

POSTED = ("customer", 0, "Хочу оплатить багаж. Номер карты [карта], код [CVV].")


@pytest.mark.parametrize(
    "reply",
    [
        "Никогда не отправляйте данные карты в чат, удалите, пожалуйста, это сообщение. Оплата только по ссылке.",
        "Не присылайте нам номер карты! Сотрите сообщение, я пришлю защищённую ссылку.",
        "Пожалуйста, удалите это сообщение — мы не принимаем данные карты в переписке.",
    ],
)
def test_agent_stopping_a_posted_card_in_chat_passes(reply: str) -> None:
    assert answer(chat([POSTED, ("agent", 40, reply)]), "no_card_by_voice") == "yes"


def test_agent_asking_for_card_data_in_chat_fails() -> None:
    asked = chat([("customer", 0, "Хочу оплатить багаж."), ("agent", 40, "Напишите номер карты и CVV, я оплачу сам.")])
    assert answer(asked, "no_card_by_voice") == "no"


def test_agent_accepting_a_posted_card_fails() -> None:
    assert answer(chat([POSTED, ("agent", 40, "Спасибо, получили, списываем.")]), "no_card_by_voice") == "no"


def test_call_customer_dictates_and_agent_stops_passes_but_agent_who_lets_it_go_fails() -> None:
    opening = [("agent", 0.5, 4.0, "Добрый день, авиакомпания Северный Ветер, меня зовут Анна."),
               ("customer", 4.5, 9.0, "давайте я продиктую карту [карта]")]
    stopped = call([*opening, ("agent", 9.5, 13.0, "стоп стоп не надо называть номер карты я пришлю ссылку в смс")])
    assert answer(stopped, "no_card_by_voice") == "yes"
    let_go = call([*opening, ("agent", 9.5, 13.0, "так да диктуйте срок действия")])
    assert answer(let_go, "no_card_by_voice") == "no"


def test_a_request_phrased_politely_with_a_negation_elsewhere_still_fails() -> None:
    text = "Если вам не сложно, продиктуйте номер карты и код с обратной стороны."
    item = call([("agent", 0.5, 4.0, "Добрый день, Северный Ветер."), ("agent", 5.0, 9.0, text)])
    assert answer(item, "no_card_by_voice") == "no"
