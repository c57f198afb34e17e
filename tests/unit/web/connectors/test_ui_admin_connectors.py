"""Connector admin pages against the real platform simulator: create with a write-only secret,
test the connection, run now, see the last run and error; admins of the tenant only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from factories import World, build_world, sign_in
from flask import Flask
from simulated_platform import TOKEN, running_simulator
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import ConnectorConfig, Interaction, Rubric, RubricVersion
from qa_service.db.session import transaction
from qa_service.web import create_app

RUBRICS = Path(__file__).resolve().parents[4] / "rubrics"


@pytest.fixture
def world(settings: Settings) -> World:
    world = build_world(settings, with_audio=False)
    with transaction(settings.sqlalchemy_url) as session:
        # The factory's rubric versions are stubs; "run now" scores what it fetches, so make them real.
        for rubric, version in session.execute(
            select(Rubric, RubricVersion).join(RubricVersion, RubricVersion.rubric_id == Rubric.id)
        ).all():
            version.content = (RUBRICS / f"{rubric.slug}.yaml").read_text("utf-8")
            version.content_hash += "-shipped"
    return world


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


def _client(app: Flask, email: str) -> tuple[Any, str]:
    client: Any = app.test_client()
    return client, sign_in(client, email)


def test_create_test_and_run_a_connector(app: Flask, world: World, settings: Settings, tmp_path: Path) -> None:
    client, token = _client(app, world.emails["admin"])
    with running_simulator(tmp_path / "audio", seed=3, calls=0, chats=2, emails=0) as simulator:
        form = {"name": "platform", "kind": "http", "config": json.dumps({"base_url": simulator.url}),
                "secret_token": "wrong-token", "poll_interval_seconds": "60", "enabled": "1", "csrf_token": token}
        saved = client.post("/admin/connectors", data=form, follow_redirects=True).get_data(as_text=True)
        assert "Коннектор сохранён" in saved and "wrong-token" not in saved
        with transaction(settings.sqlalchemy_url) as session:
            row = session.scalar(select(ConnectorConfig).where(ConnectorConfig.tenant_id == world.tenant_id))
            assert row is not None
            connector_id = row.id
        failed = client.post(f"/admin/connectors/{connector_id}/test", data={"csrf_token": token},
                             follow_redirects=True).get_data(as_text=True)
        assert "Соединение не работает" in failed
        # The secret is write-only: a new value replaces it, an empty field keeps it.
        client.post("/admin/connectors", data=dict(form, secret_token=TOKEN))
        client.post("/admin/connectors", data=dict(form, secret_token=""))
        ok = client.post(f"/admin/connectors/{connector_id}/test", data={"csrf_token": token},
                         follow_redirects=True).get_data(as_text=True)
        assert "Соединение работает" in ok and TOKEN not in ok
        edit = client.get(f"/admin/connectors?edit={connector_id}").get_data(as_text=True)
        assert TOKEN not in edit and "задан; оставьте пустым" in edit
        ran = client.post(f"/admin/connectors/{connector_id}/run", data={"csrf_token": token},
                          follow_redirects=True).get_data(as_text=True)
        assert "Запуск завершён" in ran and "никогда" not in ran
    with transaction(settings.sqlalchemy_url) as session:
        stored = session.scalar(select(func.count()).select_from(Interaction)
                                .where(Interaction.tenant_id == world.tenant_id, Interaction.source == "platform"))
        assert stored == 2


def test_only_the_tenants_admin(app: Flask, world: World, settings: Settings) -> None:
    admin, token = _client(app, world.emails["admin"])
    admin.post("/admin/connectors", data={"name": "drop", "kind": "dropfolder", "poll_interval_seconds": "60",
                                          "config": json.dumps({"path": "/nonexistent"}), "csrf_token": token})
    with transaction(settings.sqlalchemy_url) as session:
        ours = session.scalar(select(ConnectorConfig.id).where(ConnectorConfig.tenant_id == world.tenant_id))
    for role in ("qa", "trainer", "supervisor", "agent", "customer"):
        client, token = _client(app, world.emails[role])
        assert client.get("/admin/connectors").status_code == 403, role
        if ours is not None:
            assert client.post(f"/admin/connectors/{ours}/run", data={"csrf_token": token}).status_code == 403
    other, token = _client(app, world.other_admin_email)
    if ours is not None:
        assert other.get(f"/admin/connectors?edit={ours}").status_code == 404
        assert other.post(f"/admin/connectors/{ours}/test", data={"csrf_token": token}).status_code == 404
        assert other.post(f"/admin/connectors/{ours}/run", data={"csrf_token": token}).status_code == 404
