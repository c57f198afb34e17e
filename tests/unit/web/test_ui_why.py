"""The interaction page shows why the machine answered each criterion as it did."""

from __future__ import annotations

import pytest
from factories import World, build_world, sign_in
from flask import Flask
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import CriterionAnswer, Evaluation
from qa_service.db.session import transaction
from qa_service.web import create_app


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings)


def test_page_shows_the_deciding_matcher_matched_text_and_similarity(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        answer = session.scalars(
            select(CriterionAnswer).join(Evaluation).where(
                Evaluation.interaction_id == world.call_id, CriterionAnswer.criterion_id == "greeting")
        ).one()
        answer.why = {"rule": "asr", "matched": ["добрый день", "северный вертер"],
                      "phrases": ["добрый день", "Северный Ветер"], "similarity": 0.833}
    app: Flask = create_app(settings)
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    html = client.get(f"/interactions/{world.call_id}").get_data(as_text=True)
    assert "Почему машина так ответила" in html
    assert "фраза из стандарта, распознанная с ошибкой распознавания речи" in html
    assert "«северный вертер»" in html and "0.83" in html
