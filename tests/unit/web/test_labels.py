"""Words for codes: a known code in the user's language, an unknown one still readable, audit details named."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, g

from qa_service.services.agent_names import UNASSIGNED_AGENT, UNASSIGNED_AGENT_NAME, agent_label
from qa_service.web.labels import audit_details, label


@pytest.fixture
def app(settings: Any) -> Flask:
    from qa_service.web import create_app

    return create_app(settings)


def test_known_queue_codes_have_words_in_both_languages(app: Flask) -> None:
    with app.test_request_context("/?lang=ru"):
        assert label("ru-general", "queue") == "общая линия"
        assert label("web-chat", "queue") == "веб-чат"
    with app.test_request_context("/?lang=en"):
        assert label("ru-general", "queue") == "general line"


def test_an_unknown_code_reads_as_words_not_a_slug(app: Flask) -> None:
    with app.test_request_context("/?lang=ru"):
        assert label("night_shift-vip", "queue") == "night shift vip"
        assert label(None, "queue") == "—"


def test_audit_details_name_keys_and_criteria(app: Flask) -> None:
    with app.test_request_context("/?lang=ru"):
        g.tenant_titles = {"first_response": "Первый ответ оператора не позднее 60 с"}
        words = dict(audit_details({"changed": ["first_response"], "released": True, "score": 87.5}))
    assert words == {"изменённые ответы": "Первый ответ оператора не позднее 60 с", "опубликовано": "да",
                     "оценка": "87.5"}


def test_the_unassigned_placeholder_is_named_without_its_code() -> None:
    assert agent_label(UNASSIGNED_AGENT_NAME, UNASSIGNED_AGENT) == "Оператор не назначен"
    assert agent_label("Анна Смирнова", "A-101") == "Анна Смирнова (A-101)"
