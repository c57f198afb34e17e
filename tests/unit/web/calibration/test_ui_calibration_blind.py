"""The blind rule on every surface that shows a score: list rows and score filters, the review
queue, the interaction page, the coaching evidence — refused while the QA specialist still scores
the interaction blind, shown again once the facilitator reveals the session."""

from __future__ import annotations

import re
from typing import Any

import pytest
from factories import World, build_world, sign_in
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import Dispute, Evaluation, Interaction, ReviewAssignment, User
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.calibration.blind import blind_interaction_ids, is_blind
from qa_service.services.calibration.sessions import create_session, reveal
from qa_service.web import create_app


@pytest.fixture
def blind(settings: Settings) -> tuple[Any, str, World, Settings, int, str]:
    world = build_world(settings, with_audio=False)
    with transaction(settings.sqlalchemy_url) as session:
        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        calibration = create_session(session, admin, title="Слепая", due_at=None, interaction_ids=[world.call_id],
                                     participant_ids=[world.users["qa"], world.users["customer"]])
        session.add(ReviewAssignment(tenant_id=world.tenant_id, interaction_id=world.call_id,
                                     reviewer_id=world.users["qa"], reason="random"))
        score = session.get_one(Interaction, world.call_id).score
        assert score is not None
        calibration_id = calibration.id
    client = create_app(settings).test_client()
    token = sign_in(client, world.emails["qa"])
    return client, token, world, settings, calibration_id, f"{score:g}"


def _row(html: str, external_id: str) -> str:
    match = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{external_id}(?:(?!</tr>).)*</tr>", html, re.S)
    return match.group(0) if match else ""


def test_every_surface_hides_the_score_until_reveal(blind: tuple[Any, str, World, Settings, int, str]) -> None:
    client, _token, world, settings, calibration_id, score = blind
    listing = client.get("/interactions").get_data(as_text=True)
    row = _row(listing, "CALL-0001")
    assert row and score not in row and "tag bad" not in row and "blind" in row
    assert _row(listing, "CHAT-0001")  # the other rows keep their scores
    # Filters and sorts by score would reveal it: the blind row is left out of them.
    for query in ("score_min=0", "score_max=100", "sort=score_asc", "sort=score_desc", "critical=0",
                  "needs_review=1", "reviewed=0", "criterion=fare_rules"):
        assert "CALL-0001" not in client.get(f"/interactions?{query}").get_data(as_text=True), query
    assert "CHAT-0001" in client.get("/interactions?sort=score_asc").get_data(as_text=True)
    queue = client.get("/queue").get_data(as_text=True)
    queue_row = _row(queue, "CALL-0001")
    assert queue_row and score not in queue_row
    page = client.get(f"/interactions/{world.call_id}").get_data(as_text=True)
    assert 'id="score"' not in page and "не назван штраф" not in page

    with transaction(settings.sqlalchemy_url) as session:
        qa = viewer_for(session, session.get_one(User, world.users["qa"]))
        assert is_blind(session, qa, world.call_id) and not is_blind(session, qa, world.chat_id)
        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        reveal(session, admin, calibration_id)
    listing = client.get("/interactions").get_data(as_text=True)
    assert score in _row(listing, "CALL-0001")
    assert "CALL-0001" in client.get("/interactions?sort=score_asc").get_data(as_text=True)
    assert score in _row(client.get("/queue").get_data(as_text=True), "CALL-0001")
    assert 'id="score"' in client.get(f"/interactions/{world.call_id}").get_data(as_text=True)


def test_the_predicate_is_per_person_and_per_tenant(blind: tuple[Any, str, World, Settings, int, str]) -> None:
    _client, _token, world, settings, _calibration_id, _score = blind
    with transaction(settings.sqlalchemy_url) as session:
        def viewer(role: str) -> Any:
            return viewer_for(session, session.get_one(User, world.users[role]))
        assert blind_interaction_ids(session, viewer("qa")) == {world.call_id}
        assert blind_interaction_ids(session, viewer("customer")) == {world.call_id}
        assert blind_interaction_ids(session, viewer("admin")) == frozenset()  # the facilitator scores nothing
        assert blind_interaction_ids(session, viewer("other_admin")) == frozenset()
        assert blind_interaction_ids(session, viewer("qa"), []) == frozenset()
        ids = session.scalars(select(Interaction.id).where(Interaction.tenant_id == world.tenant_id)).all()
        assert blind_interaction_ids(session, viewer("qa"), ids) == {world.call_id}


def test_no_review_can_be_started_while_blind(blind: tuple[Any, str, World, Settings, int, str]) -> None:
    """A review starts from the machine's answers (and its errors name them): refused while blind."""
    client, token, world, settings, _calibration_id, _score = blind
    with transaction(settings.sqlalchemy_url) as session:
        before = session.scalar(select(func.count()).select_from(Evaluation))
    response = client.post(f"/interactions/{world.call_id}/review", follow_redirects=True,
                           data={"csrf_token": token, "answer-greeting": "no"})
    assert "вслепую в сессии калибровки" in response.get_data(as_text=True)
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(func.count()).select_from(Evaluation)) == before


def test_disputes_of_a_blind_interaction_are_not_shown(settings: Settings) -> None:
    world = build_world(settings, with_audio=False, with_dispute=True)
    with transaction(settings.sqlalchemy_url) as session:
        dispute_id = session.scalars(select(Dispute.id)).one()
        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        create_session(session, admin, title="Слепая", due_at=None, interaction_ids=[world.email_id],
                       participant_ids=[world.users["qa"], world.users["customer"]])
    app = create_app(settings)
    qa, lead = app.test_client(), app.test_client()
    sign_in(qa, world.emails["qa"])
    sign_in(lead, world.emails["admin"])
    assert "MAIL-0001" not in qa.get("/disputes").get_data(as_text=True)
    assert qa.get(f"/disputes/{dispute_id}").status_code == 404
    # The facilitator, who scores nothing, still handles it.
    assert "MAIL-0001" in lead.get("/disputes").get_data(as_text=True)
    assert lead.get(f"/disputes/{dispute_id}").status_code == 200
