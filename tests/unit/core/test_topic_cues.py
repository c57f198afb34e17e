"""A call's topic from the request's words (issue 26): «вернуть билет» is a refund, not a sale."""

from __future__ import annotations

import pytest
from scoring_helpers import call

from qa_service.core.topics import detect_topic


@pytest.mark.parametrize(("request_text", "topic"), [
    ("Добрый день. Я хотел бы вернуть билет, поездка сорвалась, не лечу я.", "refund"),
    ("Здрасьте. Мне нужно перенести вылет, у меня на пятницу билет, а надо бы на воскресенье.", "exchange"),
    ("Доброе утро. Мне нужно поменять обратный билет, я задерживаюсь в командировке.", "exchange"),
    ("Добрый день, я с жалобой: с меня взяли деньги за ручную кладь.", "complaint"),
    ("Здравствуйте. Я вчера прилетела, а мой чемодан не приехал.", "baggage"),
    ("Здравствуйте. Хочу купить билеты, два взрослых, на двадцатое мая.", "sale"),
])
def test_call_topic_from_the_request(request_text: str, topic: str) -> None:
    item = call([("agent", 0.0, 3.0, "Авиакомпания «Северный Ветер», добрый день."),
                 ("customer", 3.5, 8.0, request_text)])
    assert detect_topic(item).topic == topic


def test_negated_purchase_is_no_sale() -> None:
    item = call([("customer", 0.0, 5.0, "Я хотела узнать, сколько можно провезти багажа. Мы ещё билеты не купили.")])
    assert detect_topic(item).topic != "sale"
