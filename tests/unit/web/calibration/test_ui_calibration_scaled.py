"""Scaled criteria (rubric `scale: {min, max, step}`): no shipped rubric has one, so a constructed
rubric checks the schema accepts it, the scoring page offers a number input with its range, the
server refuses a number out of range, and the score counts the share of the range."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from factories import build_world, sign_in
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.core.rubric.loader import check_rubric_file
from qa_service.db.models import (
    CalibrationAnswer,
    CalibrationConsensus,
    CalibrationItem,
    Rubric,
    RubricVersion,
    User,
)
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.calibration.sessions import _outline, create_session
from qa_service.web import create_app

SCALED = """id: airline-chat
title: Чат со шкалой
channel: chat
sections:
  - id: s1
    title: Общение
    criteria:
      - id: empathy
        title: Сочувствие клиенту
        weight: 10
        scale: {min: 1, max: 5, step: 1}
        rule: {kind: manual}
      - id: greeting
        title: Приветствие
        weight: 10
        rule: {kind: manual}
"""


def test_the_schema_accepts_a_scaled_criterion_and_the_outline_reads_its_range(tmp_path: Path) -> None:
    path = tmp_path / "airline-chat.yaml"
    path.write_text(SCALED, "utf-8")
    assert check_rubric_file(path) == []
    broken = tmp_path / "broken.yaml"
    broken.write_text(SCALED.replace("scale: {min: 1, max: 5, step: 1}", "scale: {min: 1, step: 1}"), "utf-8")
    assert check_rubric_file(broken)  # `max` is required
    empathy, greeting = _outline(SCALED)
    assert empathy.scale == (1.0, 5.0, 1.0) and greeting.scale is None
    assert empathy.fraction("5") == 1.0 and empathy.fraction("1") == 0.0 and empathy.fraction("na") == "na"


def test_scoring_page_offers_the_range_and_the_server_keeps_to_it(settings: Settings) -> None:
    world = build_world(settings, with_audio=False)
    with transaction(settings.sqlalchemy_url) as session:
        rubric = session.scalars(select(Rubric).where(Rubric.tenant_id == world.tenant_id,
                                                      Rubric.channel == "chat")).one()
        version = RubricVersion(rubric_id=rubric.id, content=SCALED, published_at=datetime.now(UTC),
                                content_hash="sha256:" + hashlib.sha256(SCALED.encode()).hexdigest())
        session.add(version)
        session.flush()
        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        calibration = create_session(session, admin, title="Шкала", due_at=None, interaction_ids=[world.chat_id],
                                     participant_ids=[world.users["qa"], world.users["customer"]],
                                     rubric_version_ids={"chat": version.id})
        session_id = calibration.id
        item = session.scalars(select(CalibrationItem.id).where(CalibrationItem.session_id == session_id)).one()
    qa = create_app(settings).test_client()
    token = sign_in(qa, world.emails["qa"])
    page = qa.get(f"/calibration/{session_id}/items/{item}").get_data(as_text=True)
    assert 'type="number" name="answer-empathy" min="1" max="5" step="1"' in page
    assert 'name="answer-greeting" value="yes"' in page
    too_high = qa.post(f"/calibration/{session_id}/items/{item}", follow_redirects=True,
                       data={"csrf_token": token, "answer-empathy": "7", "answer-greeting": "yes"})
    assert "число от 1 до 5" in too_high.get_data(as_text=True)
    not_scaled = qa.post(f"/calibration/{session_id}/items/{item}", follow_redirects=True,
                         data={"csrf_token": token, "answer-empathy": "4", "answer-greeting": "0.5"})
    assert "ответ да, нет или н/п" in not_scaled.get_data(as_text=True)
    assert qa.post(f"/calibration/{session_id}/items/{item}", data={
        "csrf_token": token, "answer-empathy": "4", "answer-greeting": "yes"}).status_code == 303
    with transaction(settings.sqlalchemy_url) as session:
        answers = {a.criterion_id: a.answer for a in session.scalars(select(CalibrationAnswer))}
        assert answers == {"empathy": "4", "greeting": "yes"}
    assert qa.post(f"/calibration/{session_id}/submit", data={"csrf_token": token}).status_code == 303
    results = qa.get(f"/calibration/{session_id}/results").get_data(as_text=True)
    # (4 − 1) / (5 − 1) = 0.75 of 10 points, plus 10 of 10: 17.5 / 20 = 87.5.
    assert "87.5" in results
    # The facilitator's consensus on a scaled criterion is a number in its range too.
    lead = create_app(settings).test_client()
    lead_token = sign_in(lead, world.emails["admin"])
    page = lead.get(f"/calibration/{session_id}/results").get_data(as_text=True)
    assert 'type="number" name="consensus-empathy" min="1" max="5"' in page
    refused = lead.post(f"/calibration/{session_id}/items/{item}/consensus", follow_redirects=True,
                        data={"csrf_token": lead_token, "consensus-empathy": "9"})
    assert "число от 1 до 5" in refused.get_data(as_text=True)
    assert lead.post(f"/calibration/{session_id}/items/{item}/consensus",
                     data={"csrf_token": lead_token, "consensus-empathy": "3"}).status_code == 303
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalars(select(CalibrationConsensus.answer)).all() == ["3"]
