"""The users' language: no criterion id or English code in the Russian interaction pages, times in the
tenant's zone, review reasons and lost calls in words."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from factories import World, build_world, sign_in
from flask import Flask

from qa_service.config import Settings
from qa_service.db.models import Evaluation, Interaction, ProcessingState, RubricVersion, Tenant
from qa_service.db.session import transaction
from qa_service.web import create_app

RUBRICS = Path(__file__).resolve().parents[3] / "rubrics"
# Latin words a Russian page may show: the product's name, the language switch, external ids.
# Key names of the keyboard legend are what is printed on the keys.
ALLOWED_LATIN = {"qa_service", "RU", "EN", "CALL-0001", "MAIL-0001", "CHAT-0001", "Ctrl", "Enter"}


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def world(settings: Settings) -> World:
    world = build_world(settings, with_audio=False, with_dispute=True)
    with transaction(settings.sqlalchemy_url) as session:
        # The factory's rubric versions are stubs: give them the shipped standard's text (and titles).
        for evaluation_id, name in ((world.evaluations["call"], "airline-call"),
                                    (world.evaluations["email"], "airline-email")):
            version = session.get_one(RubricVersion, session.get_one(Evaluation, evaluation_id).rubric_version_id)
            version.content = (RUBRICS / f"{name}.yaml").read_text("utf-8")
            version.content_hash += "-shipped"
        session.get_one(Evaluation, world.evaluations["call"]).review_reasons = [
            "low_confidence:fare_rules", "poor_transcript"]
    return world


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


def _page(app: Flask, world: World, role: str, path: str) -> str:
    client: Any = app.test_client()
    sign_in(client, world.emails[role])
    response = client.get(path)
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_the_russian_call_page_shows_words_not_codes(app: Flask, world: World) -> None:
    html = _page(app, world, "qa", f"/interactions/{world.call_id}")
    text = _visible_text(html)
    latin = set(re.findall(r"[A-Za-z][A-Za-z0-9_\-]+", text)) - ALLOWED_LATIN
    # Keyboard letters of the legend are single letters and are not matched; anything else is a leak.
    assert latin == set(), f"English codes or ids on the Russian page: {sorted(latin)}"
    assert "Приветствие и название компании в первые 15 с" in text
    assert "низкая уверенность по критерию «Условия обмена/возврата" in text
    assert "плохое качество расшифровки" in text
    assert "⏱" not in html


def test_the_email_page_and_the_list_speak_russian(app: Flask, world: World) -> None:
    text = _visible_text(_page(app, world, "qa", f"/interactions/{world.email_id}"))
    assert "Подпись" in text or "подпись" in text
    assert "signature" not in text and "reply_sla" not in text and "refund" not in text
    listing = _visible_text(_page(app, world, "qa", "/interactions"))
    for code in ("web-chat", "baggage", "refund", "exchange", "sales"):
        assert code not in listing, code


def test_times_follow_the_tenant_time_zone(app: Flask, world: World, settings: Settings) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        call = session.get_one(Interaction, world.call_id)
        moscow = call.started_at.replace(tzinfo=None)
        tenant = session.get_one(Tenant, world.tenant_id)
        tenant.settings = dict(tenant.settings or {}, timezone="Asia/Yekaterinburg")  # UTC+5
    from datetime import timedelta

    expected = (moscow + timedelta(hours=5)).strftime("%d.%m.%Y %H:%M")
    assert expected in _visible_text(_page(app, world, "qa", f"/interactions/{world.call_id}"))
    assert expected in _visible_text(_page(app, world, "qa", "/interactions"))


def test_a_lost_call_says_it_is_lost_and_why_there_is_no_evaluation(
    app: Flask, world: World, settings: Settings
) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        call = session.get_one(Interaction, world.other_agent_call_id)
        call.state = ProcessingState.SKIPPED
    text = _visible_text(_page(app, world, "qa", f"/interactions/{world.other_agent_call_id}"))
    assert "Потерянный вызов" in text and "оценивать нечего" in text


def test_the_keyboard_legend_lists_only_keys_that_work(app: Flask, world: World) -> None:
    reviewer = _visible_text(_page(app, world, "qa", f"/interactions/{world.call_id}"))
    assert "Y/N/A" in reviewer and "Ctrl+Enter" in reviewer
    supervisor = _visible_text(_page(app, world, "supervisor", f"/interactions/{world.call_id}"))
    assert "J/K" in supervisor and "Y/N/A" not in supervisor and "Ctrl+Enter" not in supervisor
    chat = _visible_text(_page(app, world, "qa", f"/interactions/{world.chat_id}"))
    assert "Пробел" not in chat  # no recording, no player keys
