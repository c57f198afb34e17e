"""Disputes through the UI: the agent disputes a released criterion, the lead accepts or rejects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from factories import World, build_world, sign_in
from flask import Flask
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import Dispute, DisputeStatus, Evaluation, EvaluationKind, Interaction
from qa_service.db.session import transaction
from qa_service.web import create_app


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False)


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


def _release_email_review(app: Flask, world: World, settings: Settings) -> int:
    qa = app.test_client()
    token = sign_in(qa, world.emails["qa"])
    qa.post(f"/interactions/{world.email_id}/review", data={"csrf_token": token, "action": "release"})
    with transaction(settings.sqlalchemy_url) as session:
        review = session.scalar(select(Evaluation).where(
            Evaluation.interaction_id == world.email_id, Evaluation.kind == EvaluationKind.REVIEW))
        assert review is not None and review.released_at is not None
        return review.id


def _dispute(settings: Settings) -> Dispute:
    with transaction(settings.sqlalchemy_url) as session:
        dispute = session.scalar(select(Dispute))
        assert dispute is not None
        return dispute


def test_dispute_accepted_changes_the_answer_and_keeps_both(app: Flask, world: World, settings: Settings) -> None:
    review_id = _release_email_review(app, world, settings)
    agent = app.test_client()
    agent_token = sign_in(agent, world.emails["agent"])
    response = agent.post(f"/evaluations/{review_id}/disputes",
                          data={"criterion": "signature", "comment": "Телефон указан в подписи",
                                "csrf_token": agent_token})
    assert response.status_code == 303
    dispute = _dispute(settings)
    assert dispute.status == DisputeStatus.OPEN and dispute.answer_before == "no"

    lead = app.test_client()
    lead_token = sign_in(lead, world.emails["qa"])
    assert "signature" in lead.get("/disputes").get_data(as_text=True)
    lead.post(f"/disputes/{dispute.id}/resolve", data={
        "decision": "accept", "new_answer": "yes", "resolution": "Телефон есть", "csrf_token": lead_token})
    dispute = _dispute(settings)
    assert (dispute.status, dispute.answer_before, dispute.answer_after) == (DisputeStatus.ACCEPTED, "no", "yes")
    with transaction(settings.sqlalchemy_url) as session:
        review = session.get_one(Evaluation, review_id)
        assert review.score == 100.0
        answer = next(a for a in review.answers if a.criterion_id == "signature")
        assert answer.answer == "yes" and answer.machine_answer == "no"
        assert session.get_one(Interaction, world.email_id).score == 100.0
    outcome = agent.get(f"/disputes/{dispute.id}").get_data(as_text=True)
    assert "принят" in outcome and "Телефон есть" in outcome


def test_rejecting_needs_a_reason(app: Flask, world: World, settings: Settings) -> None:
    review_id = _release_email_review(app, world, settings)
    agent = app.test_client()
    token = sign_in(agent, world.emails["agent"])
    agent.post(f"/evaluations/{review_id}/disputes", data={"criterion": "signature", "comment": "не согласна",
                                                            "csrf_token": token})
    dispute = _dispute(settings)
    lead = app.test_client()
    lead_token = sign_in(lead, world.emails["admin"])
    lead.post(f"/disputes/{dispute.id}/resolve",
              data={"decision": "reject", "resolution": " ", "csrf_token": lead_token})
    assert _dispute(settings).status == DisputeStatus.OPEN
    lead.post(f"/disputes/{dispute.id}/resolve",
              data={"decision": "reject", "resolution": "Телефона нет", "csrf_token": lead_token})
    dispute = _dispute(settings)
    assert dispute.status == DisputeStatus.REJECTED and dispute.answer_after == "no"
    assert "отклонён" in agent.get("/disputes").get_data(as_text=True)


def test_dispute_after_the_deadline_is_refused(app: Flask, world: World, settings: Settings) -> None:
    review_id = _release_email_review(app, world, settings)
    with transaction(settings.sqlalchemy_url) as session:
        session.get_one(Evaluation, review_id).released_at = datetime.now(UTC) - timedelta(days=8)
    agent = app.test_client()
    token = sign_in(agent, world.emails["agent"])
    assert "Оспорить" not in agent.get(f"/interactions/{world.email_id}").get_data(as_text=True)
    response = agent.post(f"/evaluations/{review_id}/disputes", data={
        "criterion": "signature", "comment": "поздно", "csrf_token": token}, follow_redirects=True)
    assert "срок для спора истёк" in response.get_data(as_text=True)
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(Dispute)) is None


def test_the_deadline_is_configurable(settings: Settings, world: World) -> None:
    app = create_app(settings)
    app.config["DISPUTE_WINDOW_DAYS"] = 30
    review_id = _release_email_review(app, world, settings)
    with transaction(settings.sqlalchemy_url) as session:
        session.get_one(Evaluation, review_id).released_at = datetime.now(UTC) - timedelta(days=8)
    agent = app.test_client()
    token = sign_in(agent, world.emails["agent"])
    agent.post(f"/evaluations/{review_id}/disputes", data={"criterion": "signature", "comment": "ещё можно",
                                                            "csrf_token": token})
    assert _dispute(settings).status == DisputeStatus.OPEN


def test_unreleased_evaluation_cannot_be_disputed(app: Flask, world: World, settings: Settings) -> None:
    agent = app.test_client()
    token = sign_in(agent, world.emails["agent"])
    agent.post(f"/evaluations/{world.evaluations['email']}/disputes",
               data={"criterion": "signature", "comment": "x", "csrf_token": token})
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(Dispute)) is None


def test_supervisor_resolves_only_their_teams_disputes(app: Flask, world: World, settings: Settings) -> None:
    review_id = _release_email_review(app, world, settings)
    agent = app.test_client()
    token = sign_in(agent, world.emails["agent"])
    agent.post(f"/evaluations/{review_id}/disputes",
               data={"criterion": "signature", "comment": "x", "csrf_token": token})
    dispute = _dispute(settings)
    supervisor = app.test_client()
    sup_token = sign_in(supervisor, world.emails["supervisor"])
    assert supervisor.get(f"/disputes/{dispute.id}").status_code == 200  # Анна is in her team
    # Пётр's agent account cannot see Анна's dispute at all.
    petr = app.test_client()
    sign_in(petr, world.emails["agent2"])
    assert petr.get(f"/disputes/{dispute.id}").status_code == 404
    supervisor.post(f"/disputes/{dispute.id}/resolve", data={
        "decision": "reject", "resolution": "по записи всё верно", "csrf_token": sup_token})
    assert _dispute(settings).status == DisputeStatus.REJECTED
