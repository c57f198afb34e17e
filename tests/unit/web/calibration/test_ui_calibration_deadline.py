"""The deadline is enforced on the server: after the end of the deadline day (tenant's time zone)
a participant can neither save nor submit, with a clear message; the facilitator extends it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import World, build_world, sign_in
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import CalibrationAnswer, CalibrationItem, CalibrationSession, User
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.calibration.sessions import CalibrationError, create_session, save_answers, submit
from qa_service.web import create_app


@pytest.fixture
def overdue(settings: Settings) -> tuple[Any, World, Settings, int, int]:
    world = build_world(settings, with_audio=False)
    with transaction(settings.sqlalchemy_url) as session:
        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        calibration = create_session(session, admin, title="Просроченная", interaction_ids=[world.chat_id],
                                     due_at=datetime.now(UTC) - timedelta(minutes=1),
                                     participant_ids=[world.users["qa"], world.users["customer"]])
        item = session.scalars(select(CalibrationItem.id).where(CalibrationItem.session_id == calibration.id)).one()
        return create_app(settings), world, settings, calibration.id, item


def test_after_the_deadline_nothing_is_accepted_until_the_facilitator_extends(
    overdue: tuple[Any, World, Settings, int, int],
) -> None:
    app, world, settings, session_id, item = overdue
    qa = app.test_client()
    qa_token = sign_in(qa, world.emails["qa"])
    page = qa.get(f"/calibration/{session_id}/items/{item}").get_data(as_text=True)
    assert "disabled" in page and "Срок истёк" in page
    assert 'id="overdue-note"' in qa.get(f"/calibration/{session_id}").get_data(as_text=True)
    saved = qa.post(f"/calibration/{session_id}/items/{item}",
                    data={"csrf_token": qa_token, "answer-politeness": "yes"}, follow_redirects=True)
    assert "срок сессии истёк" in saved.get_data(as_text=True)
    submitted = qa.post(f"/calibration/{session_id}/submit", data={"csrf_token": qa_token}, follow_redirects=True)
    assert "срок сессии истёк" in submitted.get_data(as_text=True)
    # A participant may not extend it; a date in the past is refused for the facilitator too.
    assert qa.post(f"/calibration/{session_id}/deadline",
                   data={"csrf_token": qa_token, "deadline": "2099-01-01"}).status_code == 403
    admin = app.test_client()
    admin_token = sign_in(admin, world.emails["admin"])
    past = admin.post(f"/calibration/{session_id}/deadline", data={"csrf_token": admin_token,
                                                                   "deadline": "2020-01-01"}, follow_redirects=True)
    assert "новый срок должен быть в будущем" in past.get_data(as_text=True)
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(CalibrationAnswer.id)) is None
    assert admin.post(f"/calibration/{session_id}/deadline",
                      data={"csrf_token": admin_token, "deadline": "2099-01-01"}).status_code == 303
    with transaction(settings.sqlalchemy_url) as session:
        due = session.get_one(CalibrationSession, session_id).due_at
        assert due is not None
        # The end of that day in Moscow (UTC+3): 23:59:59 local is 20:59:59 UTC.
        assert due.astimezone(UTC).replace(tzinfo=None) == datetime(2099, 1, 1, 20, 59, 59)
    saved = qa.post(f"/calibration/{session_id}/items/{item}", data={"csrf_token": qa_token,
                                                                     "answer-politeness": "yes"})
    assert saved.status_code == 303
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(CalibrationAnswer.answer)) == "yes"


def test_the_service_refuses_answers_after_the_deadline(overdue: tuple[Any, World, Settings, int, int]) -> None:
    _app, world, settings, session_id, item = overdue
    with transaction(settings.sqlalchemy_url) as session:
        qa = viewer_for(session, session.get_one(User, world.users["qa"]))
        early = datetime.now(UTC) - timedelta(hours=1)
        assert save_answers(session, qa, session_id, item, {"politeness": ("yes", "")}, now=early) == 1
        with pytest.raises(CalibrationError, match="срок сессии истёк"):
            save_answers(session, qa, session_id, item, {"politeness": ("no", "")})
        with pytest.raises(CalibrationError, match="срок сессии истёк"):
            submit(session, qa, session_id)
