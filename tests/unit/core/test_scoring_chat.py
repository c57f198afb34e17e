"""Chat criteria (§2): timing edges exactly at the thresholds, time zones, written tone."""

import pytest
from scoring_helpers import answer, chat, score

from qa_service.core.interaction import parse_interaction

HELLO = "Здравствуйте! Меня зовут Дмитрий, чем могу помочь?"


@pytest.mark.parametrize(("delay", "expected"), [(59, "yes"), (60, "yes"), (61, "no")])
def test_first_response_at_the_sixty_second_edge(delay, expected):
    item = chat([("bot", 0, "Оператор скоро подключится."), ("customer", 5, "Добрый день, вопрос по багажу"),
                 ("agent", 5 + delay, HELLO)])
    result = score(item).answer("first_response")
    assert result.answer == expected
    assert [e.turn for e in result.evidence] == [1, 2]


def test_first_response_counts_only_the_human_agent_and_time_zones_mix():
    data = {
        "external_id": "tz", "channel": "chat", "agent_id": "a", "started_at": "2026-11-21T07:00:00Z",
        "turns": [
            {"speaker": "customer", "at": "2026-11-21T07:00:00Z", "text": "Здравствуйте"},
            {"speaker": "bot", "at": "2026-11-21T10:00:05+03:00", "text": "Ожидайте ответа оператора"},
            {"speaker": "agent", "at": "2026-11-21T10:01:00+03:00", "text": HELLO},
        ],
    }
    assert answer(parse_interaction(data), "first_response") == "yes"  # 10:01+03 is 60 s after 07:00Z
    data["turns"][2]["at"] = "2026-11-21T12:01:00+05:00"
    assert answer(parse_interaction(data), "first_response") == "yes"
    data["turns"][2]["at"] = "2026-11-21T10:01:01+03:00"
    assert answer(parse_interaction(data), "first_response") == "no"


def test_first_response_na_without_customer_messages():
    assert answer(chat([("agent", 0, HELLO)]), "first_response") == "na"


def _dialog(waits: list[float]) -> list:
    messages, t = [], 0.0
    for wait in waits:
        messages.append(("customer", t, "А ещё вопрос: можно ли взять собаку?"))
        t += wait
        messages.append(("agent", t, "Да, можно, в переноске до 8 кг."))
        t += 10
    return messages


@pytest.mark.parametrize(("waits", "expected"), [
    ([30, 120, 120], "yes"),  # median exactly 120
    ([30, 121, 130], "no"),  # median over 120
    ([10, 20, 300], "yes"),  # a wait exactly at 300 s
    ([10, 20, 301], "no"),  # one message left over 300 s
])
def test_response_time_median_and_max(waits, expected):
    assert answer(chat(_dialog(waits)), "response_time") == expected


def test_holding_message_resets_the_wait():
    messages = [("customer", 0, "Сколько стоит обмен?"),
                ("agent", 200, "Уточняю информацию, пожалуйста, ожидайте."),
                ("agent", 450, "Обмен стоит 2 000 рублей.")]
    result = score(chat(messages)).answer("response_time")
    assert result.answer == "no"  # median 200 s is still over 120 s
    assert "ожидан" in result.reason
    held = [("customer", 0, "Сколько стоит обмен?"), ("agent", 100, "Минуту, проверяю."),
            ("agent", 390, "Обмен стоит 2 000 рублей.")]
    assert answer(chat(held), "response_time") == "yes"
    unheld = [held[0], held[2]]
    assert answer(chat(unheld), "response_time") == "no"


def test_unanswered_customer_message_at_the_end_counts_if_left_too_long():
    messages = [("customer", 0, "Здравствуйте"), ("agent", 30, HELLO), ("customer", 60, "Вы тут?")]
    assert answer(chat(messages, ended_at="2026-11-21T10:11:00+03:00"), "response_time") == "no"
    assert answer(chat(messages, ended_at="2026-11-21T10:02:00+03:00"), "response_time") == "yes"


@pytest.mark.parametrize(("first_reply", "expected"), [
    ("Здравствуйте! Меня зовут Анна, помогу вам.", "yes"),
    ("Добрый вечер, Анна, оператор, слушаю вас.", "yes"),
    ("Здравствуйте! Слушаю вас.", "no"),
    ("Меня зовут Анна.", "no"),
])
def test_chat_greeting_in_the_first_reply(first_reply, expected):
    messages = [("customer", 0, "Добрый вечер"), ("agent", 20, first_reply),
                ("agent", 40, "Здравствуйте, меня зовут Анна.")]
    assert answer(chat(messages), "greeting") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Ваш билет оформлен, квитанция на почте.", "yes"),
    ("ВЫ НЕВНИМАТЕЛЬНО ЧИТАЕТЕ ПРАВИЛА ТАРИФА", "no"),
    ("Всё готово 😊", "no"),
    ("Хорошего полёта!)))", "no"),
    ("Код бронирования PNR и номер СМС проверила.", "yes"),  # short upper-case codes are not shouting
])
def test_chat_politeness_caps_and_emoji(text, expected):
    messages = [("customer", 0, "Здравствуйте"), ("agent", 20, text)]
    assert answer(chat(messages), "politeness") == expected


def test_card_number_posted_in_chat_needs_a_delete_request():
    posted = [("customer", 0, "Вот моя карта [карта], спишите оплату"), ("agent", 30, "Спасибо, секунду.")]
    assert answer(chat(posted), "no_card_by_voice") == "no"
    handled = [posted[0], ("agent", 30, "Пожалуйста, удалите сообщение с номером карты. Оплата только по ссылке.")]
    assert answer(chat(handled), "no_card_by_voice") == "yes"


def test_chat_closing_criteria():
    messages = [("customer", 0, "Спасибо"), ("agent", 20, "Могу ли я ещё чем-нибудь вам помочь?"),
                ("customer", 40, "Нет"), ("agent", 50, "Спасибо за обращение в «Северный Ветер», всего доброго!")]
    evaluation = score(chat(messages))
    assert evaluation.answer("further_help").answer == "yes"
    assert evaluation.answer("farewell").answer == "yes"
    assert evaluation.answer("farewell").evidence[0].turn == 3
    assert evaluation.answer("farewell").evidence[0].at is not None
