"""Rubric admin pages: upload with problems shown by line, impact preview per criterion, activation;
admins only, and only their own tenant's versions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from factories import World, build_world, sign_in
from flask import Flask
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import AuditLog, Evaluation, Rubric, RubricVersion
from qa_service.db.session import transaction
from qa_service.web import create_app

SHIPPED = (Path(__file__).resolve().parents[4] / "rubrics" / "airline-call.yaml").read_text("utf-8")


@pytest.fixture
def world(settings: Settings) -> World:
    world = build_world(settings, with_audio=False)
    with transaction(settings.sqlalchemy_url) as session:
        # The factory's versions are stubs; the preview re-scores with the current one, so make it real.
        call = session.get_one(Evaluation, world.evaluations["call"])
        version = session.get_one(RubricVersion, call.rubric_version_id)
        version.content, version.content_hash = SHIPPED, version.content_hash + "-shipped"
    return world


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


def _client(app: Flask, email: str) -> tuple[Any, str]:
    client: Any = app.test_client()
    return client, sign_in(client, email)


def test_upload_shows_problems_by_line_and_stores_nothing(app: Flask, world: World, settings: Settings) -> None:
    client, token = _client(app, world.emails["admin"])
    broken = SHIPPED.replace("weight: 10", "weight: ten", 1)
    response = client.post("/admin/rubrics", data={"content": broken, "csrf_token": token})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "ничего не сохранено" in page and "строка 16" in page and "sections[0].criteria[0].weight" in page
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(RubricVersion).where(RubricVersion.content == broken)) is None


def test_upload_preview_and_activate_a_new_version(app: Flask, world: World, settings: Settings) -> None:
    client, token = _client(app, world.emails["admin"])
    # The draft weighs the greeting four times as much: the preview shows the scores move.
    draft = SHIPPED.replace("weight: 10", "weight: 40", 1)
    assert draft != SHIPPED
    response = client.post("/admin/rubrics", data={"content": draft, "csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    version_path = response.headers["Location"]
    preview = client.get(version_path + "?days=30").get_data(as_text=True)
    assert "Взаимодействий: 2;" in preview  # the tenant's two calls of the last 30 days
    assert "Приветствие и название компании" in preview  # the criterion by its title
    summary = preview[preview.find('id="impact-summary"'):preview.find('id="impact"')]
    averages = re.search(r"Средняя оценка: ([\d.]+) → ([\d.]+)", summary)
    assert averages is not None and averages.group(1) != averages.group(2), summary  # the draft changes scores
    with transaction(settings.sqlalchemy_url) as session:
        version = session.scalar(select(RubricVersion).where(RubricVersion.content == draft))
        assert version is not None and version.published_at is None
        version_id = version.id
    activated = client.post(f"/admin/rubrics/versions/{version_id}/activate", data={"csrf_token": token},
                            follow_redirects=True).get_data(as_text=True)
    assert "стала действующей" in activated
    row = activated[activated.find(f"/admin/rubrics/versions/{version_id}"):]
    assert 'class="tag ok"' in row[: row.find("</tr>")]  # the new version is the active one
    with transaction(settings.sqlalchemy_url) as session:
        assert session.get_one(RubricVersion, version_id).published_at is not None
        actions = set(session.scalars(select(AuditLog.action).where(AuditLog.tenant_id == world.tenant_id)))
        assert {"rubric.upload", "rubric.activate"} <= actions


def test_only_admins_of_the_tenant(app: Flask, world: World, settings: Settings) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        ours = session.scalar(select(RubricVersion.id).join(Rubric, Rubric.id == RubricVersion.rubric_id)
                              .where(Rubric.tenant_id == world.tenant_id))
    for role in ("qa", "trainer", "supervisor", "agent", "customer"):
        client, token = _client(app, world.emails[role])
        assert client.get("/admin/rubrics").status_code == 403, role
        assert client.post("/admin/rubrics", data={"content": SHIPPED, "csrf_token": token}).status_code == 403
        assert client.post(f"/admin/rubrics/versions/{ours}/activate", data={"csrf_token": token}).status_code == 403
    other, token = _client(app, world.other_admin_email)
    assert other.get(f"/admin/rubrics/versions/{ours}").status_code == 404
    other.post(f"/admin/rubrics/versions/{ours}/activate", data={"csrf_token": token})
    with transaction(settings.sqlalchemy_url) as session:
        audit = session.scalars(select(AuditLog.action).where(AuditLog.action == "rubric.activate"))
        assert list(audit) == []
