"""The reviewer's work through the UI: the interaction page, override with reason, score, comments, release."""

from __future__ import annotations

import re

import pytest
from factories import World, build_world, sign_in
from flask import Flask
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import AuditLog, Evaluation, EvaluationKind, EvaluationStatus, Interaction, ReviewComment
from qa_service.db.session import transaction
from qa_service.web import create_app


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=True)


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


def _reviews(settings: Settings, interaction_id: int) -> list[Evaluation]:
    with transaction(settings.sqlalchemy_url) as session:
        stmt = select(Evaluation).where(
            Evaluation.interaction_id == interaction_id, Evaluation.kind == EvaluationKind.REVIEW
        )
        reviews = list(session.scalars(stmt))
        for review in reviews:
            list(review.answers)
        return reviews


def test_interaction_page_shows_player_transcript_evidence_and_criteria(app: Flask, world: World) -> None:
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    html = client.get(f"/interactions/{world.call_id}").get_data(as_text=True)
    assert f'src="/interactions/{world.call_id}/audio"' in html
    start, end = world.call_turn_times[2]
    assert f'data-start="{start}" data-end="{end}"' in html  # turns carry their times for the player
    assert '<mark class="evidence" data-criteria="identify_booking">код бронирования</mark>' in html
    assert "tl tl-hold" in html and "tl tl-overtalk" in html and "tl tl-silence" in html
    assert "уверенность 55%" in html and 'class="confidence low"' in html
    assert "ручной критерий" in html  # accuracy is answered by the reviewer
    # 10+5+10+10+5 of 10+5+10+15+10+5 (accuracy unanswered, no_card_by_voice carries no points)
    assert re.search(r'<output id="score"[^>]*>72\.73</output>', html)


def test_chat_page_shows_times_sla_marker_and_redaction(app: Flask, world: World) -> None:
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    html = client.get(f"/interactions/{world.chat_id}").get_data(as_text=True)
    assert "SLA нарушен" in html  # the 190 s reply
    assert '<mark class="redacted">[номер карты скрыт]</mark>' in html
    assert "<audio" not in html


def test_audio_supports_range_requests(app: Flask, world: World) -> None:
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    with client.get(f"/interactions/{world.call_id}/audio", headers={"Range": "bytes=0-99"}) as response:
        assert response.status_code == 206
        assert len(response.data) == 100 and response.data[:4] == b"RIFF"


def test_override_without_reason_is_refused(app: Flask, world: World, settings: Settings) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["qa"])
    response = client.post(f"/interactions/{world.call_id}/review",
                           data={"answer-identify_booking": "no", "csrf_token": token}, follow_redirects=True)
    assert "укажите причину" in response.get_data(as_text=True)
    assert _reviews(settings, world.call_id) == []


def test_override_with_reason_recomputes_the_score_and_keeps_the_machine_answer(
    app: Flask, world: World, settings: Settings
) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["qa"])
    response = client.post(f"/interactions/{world.call_id}/review", data={
        "answer-identify_booking": "no", "reason-identify_booking": "код не подтверждён",
        "answer-fare_rules": "no", "answer-accuracy": "yes", "answer-greeting": "yes", "csrf_token": token,
        "action": "submit",
    }, follow_redirects=True)
    html = response.get_data(as_text=True)
    # 10+5+10 (hold) +5 + 10 (accuracy) of 10+5+10+15+10+5+10 = 40/65
    assert "оценка 61.54" in html
    [review] = _reviews(settings, world.call_id)
    assert review.status == EvaluationStatus.SUBMITTED and review.score == 61.54
    answer = next(a for a in review.answers if a.criterion_id == "identify_booking")
    assert (answer.answer, answer.machine_answer, answer.override_reason) == ("no", "yes", "код не подтверждён")
    with transaction(settings.sqlalchemy_url) as session:
        interaction = session.get_one(Interaction, world.call_id)
        assert interaction.reviewed and not interaction.needs_review and interaction.score == 61.54
        audit = session.scalar(select(AuditLog).where(AuditLog.action == "review.submit"))
        assert audit is not None and audit.details["changed"]["identify_booking"] == {"from": "yes", "to": "no"}


def test_a_critical_failure_zeroes_the_score(app: Flask, world: World, settings: Settings) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["qa"])
    client.post(f"/interactions/{world.call_id}/review", data={
        "answer-no_card_by_voice": "no", "reason-no_card_by_voice": "попросил номер карты", "csrf_token": token,
    })
    [review] = _reviews(settings, world.call_id)
    assert review.score == 0.0 and review.failed_critical


def test_comment_at_a_time_offset(app: Flask, world: World, settings: Settings) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["qa"])
    client.post(f"/interactions/{world.call_id}/comments",
                data={"text": "Хорошее удержание", "offset": "15.5", "criterion": "hold_etiquette",
                      "csrf_token": token})
    html = client.get(f"/interactions/{world.call_id}").get_data(as_text=True)
    assert 'class="seek" data-start="15.5"' in html and "Хорошее удержание" in html
    with transaction(settings.sqlalchemy_url) as session:
        comment = session.scalar(select(ReviewComment))
        assert comment is not None and comment.offset_seconds == 15.5 and comment.criterion_id == "hold_etiquette"


def test_release_shows_the_evaluation_to_the_agent_who_acknowledges(
    app: Flask, world: World, settings: Settings
) -> None:
    qa = app.test_client()
    token = sign_in(qa, world.emails["qa"])
    qa.post(f"/interactions/{world.call_id}/review", data={"answer-accuracy": "yes", "csrf_token": token})
    agent = app.test_client()
    agent_token = sign_in(agent, world.emails["agent"])
    assert "CALL-0001" not in agent.get("/my").get_data(as_text=True)  # submitted, not released yet
    [review] = _reviews(settings, world.call_id)
    qa.post(f"/evaluations/{review.id}/release", data={"csrf_token": token})
    my = agent.get("/my").get_data(as_text=True)
    assert "CALL-0001" in my and "ещё нет" in my
    page = agent.get(f"/interactions/{world.call_id}").get_data(as_text=True)
    assert "identify_booking" in page and "Оспорить" in page
    agent.post(f"/evaluations/{review.id}/acknowledge", data={"csrf_token": agent_token})
    [review] = _reviews(settings, world.call_id)
    assert review.acknowledged_at is not None


def test_english_page(app: Flask, world: World) -> None:
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    html = client.get(f"/interactions/{world.call_id}?lang=en").get_data(as_text=True)
    assert "Submit review" in html and "manual criterion" in html
