"""The facilitator picks the rubric version per channel when creating a session (default: the
channel's current one); the items are scored against it."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from factories import build_world, sign_in
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import CalibrationItem, Interaction, Rubric, RubricVersion
from qa_service.db.session import transaction
from qa_service.services.calibration.sessions import item_criteria
from qa_service.web import create_app

OLD_CHAT = """id: airline-chat
title: Чат (прошлая редакция)
channel: chat
sections:
  - id: s1
    title: Общение
    criteria:
      - id: politeness_old
        title: Вежливость по прошлой редакции
        weight: 10
        rule: {kind: manual}
"""


def _version(rubric_id: int, content: str, published_at: datetime) -> RubricVersion:
    return RubricVersion(rubric_id=rubric_id, content=content, published_at=published_at,
                         content_hash="sha256:" + hashlib.sha256(content.encode()).hexdigest())


def test_the_chosen_version_is_pinned_and_scored_against(settings: Settings) -> None:
    world = build_world(settings, with_audio=False)
    with transaction(settings.sqlalchemy_url) as session:
        chat_rubric = session.scalars(select(Rubric).where(Rubric.tenant_id == world.tenant_id,
                                                           Rubric.channel == "chat")).one()
        old = _version(chat_rubric.id, OLD_CHAT, datetime.now(UTC) - timedelta(days=30))
        session.add(old)
        other_rubric = session.scalars(select(Rubric).where(Rubric.tenant_id == world.other_tenant_id)).first()
        if other_rubric is None:
            other_rubric = Rubric(tenant_id=world.other_tenant_id, slug="airline-chat", channel="chat", title="юг")
            session.add(other_rubric)
            session.flush()
        foreign = _version(other_rubric.id, OLD_CHAT + "# юг\n", datetime.now(UTC))
        session.add(foreign)
        session.flush()
        old_id, foreign_id = old.id, foreign.id
        current_call = session.scalars(select(RubricVersion.id).join(Rubric).where(
            Rubric.tenant_id == world.tenant_id, Rubric.channel == "call")).one()
    client = create_app(settings).test_client()
    token = sign_in(client, world.emails["admin"])
    form_page = client.get("/calibration/new").get_data(as_text=True)
    form_page = form_page[form_page.index('id="rubric-versions"'):form_page.index("</fieldset>", form_page.index(
        'id="rubric-versions"'))]
    assert 'name="rubric-chat"' in form_page and f'value="{old_id}"' in form_page
    assert f'value="{foreign_id}"' not in form_page  # another airline's rubric is not offered

    def create(chat_version: int | str) -> int:
        response = client.post("/calibration", data={
            "csrf_token": token, "title": "Редакция", "rule": "manual", "ids": f"{world.chat_id}, {world.call_id}",
            "participants": [str(world.users["qa"]), str(world.users["customer"])],
            "rubric-chat": str(chat_version), "rubric-call": "",
        })
        assert response.status_code == 303
        location = response.headers["Location"]
        return int(location.rsplit("/", 1)[1]) if re.search(r"/calibration/\d+$", location) else 0

    assert create(foreign_id) == 0  # refused, back to the form
    session_id = create(old_id)
    assert session_id
    with transaction(settings.sqlalchemy_url) as session:
        items = {i.interaction_id: i for i in session.scalars(
            select(CalibrationItem).where(CalibrationItem.session_id == session_id))}
        assert items[world.chat_id].rubric_version_id == old_id
        assert items[world.call_id].rubric_version_id == current_call  # default: the channel's current one
        chat = session.get_one(Interaction, world.chat_id)
        criteria = item_criteria(session, items[world.chat_id], chat)
        assert [c.title for c in criteria] == ["Вежливость по прошлой редакции"]
    qa = create_app(settings).test_client()
    sign_in(qa, world.emails["qa"])
    page = qa.get(f"/calibration/{session_id}/items/{items[world.chat_id].id}").get_data(as_text=True)
    assert "Вежливость по прошлой редакции" in page and 'name="answer-politeness_old"' in page
