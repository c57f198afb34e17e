"""The admin's settings page and readable audit log: validation in words, tenant isolation,
names and actions in words, filters, paging and the CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from factories import World, build_world, sign_in
from flask import Flask

from qa_service.config import Settings
from qa_service.db.models import SamplingRule, Tenant
from qa_service.db.session import transaction
from qa_service.services.audit import record
from qa_service.web import create_app

FORM = {"timezone": "Asia/Yekaterinburg", "public_phones": "8 800 555-35-35\n+7 495 123-45-67",
        "dispute_window_days": "5", "per_agent": "3", "random_percent": "20", "due_days": "2",
        "channels": ["call", "chat"]}


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False)


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


def _admin(app: Flask, world: World, email: str | None = None) -> tuple[Any, str]:
    client: Any = app.test_client()
    return client, sign_in(client, email or world.emails["admin"])


def test_settings_are_saved_and_validated(app: Flask, world: World, settings: Settings) -> None:
    client, token = _admin(app, world)
    response = client.post("/admin/settings", data=dict(FORM, csrf_token=token), follow_redirects=True)
    assert "Настройки сохранены" in response.get_data(as_text=True)
    with transaction(settings.sqlalchemy_url) as session:
        tenant = session.get_one(Tenant, world.tenant_id)
        assert tenant.timezone == "Asia/Yekaterinburg"
        assert tenant.settings["public_phones"] == ["8 800 555-35-35", "+7 495 123-45-67"]
        assert tenant.settings["dispute_window_days"] == 5
        rule = session.query(SamplingRule).filter_by(tenant_id=world.tenant_id, active=True).one()
        stored = (rule.per_agent_per_week, rule.random_share, rule.channels, rule.due_days)
        assert stored == (3, 0.2, ["call", "chat"], 2)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="Asia/Yekaterinburg"' in page and "+7 495 123-45-67" in page

    bad = client.post("/admin/settings", data=dict(FORM, timezone="Mars/Olympus", csrf_token=token),
                      follow_redirects=True).get_data(as_text=True)
    assert "часовой пояс: неизвестен" in bad
    bad = client.post("/admin/settings", data=dict(FORM, dispute_window_days="много", csrf_token=token),
                      follow_redirects=True).get_data(as_text=True)
    assert "введите числа" in bad
    bad = client.post("/admin/settings", data=dict(FORM, channels=[], csrf_token=token),
                      follow_redirects=True).get_data(as_text=True)
    assert "хотя бы один канал" in bad
    with transaction(settings.sqlalchemy_url) as session:
        assert session.get_one(Tenant, world.tenant_id).timezone == "Asia/Yekaterinburg"  # refused: unchanged


def test_retention_defaults_are_shown_and_an_admin_changes_them(
    app: Flask, world: World, settings: Settings
) -> None:
    client, token = _admin(app, world)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Сроки хранения, дней" in page
    assert 'name="retention_raw_audio_days" min="1" max="3650" value="7"' in page
    assert 'name="retention_evaluation_days" min="1" max="3650" value="730"' in page
    client.post("/admin/settings", data=dict(FORM, retention_transcript_days="90", csrf_token=token))
    with transaction(settings.sqlalchemy_url) as session:
        stored = session.get_one(Tenant, world.tenant_id).settings
    assert stored["retention_transcript_days"] == 90 and stored["retention_redacted_audio_days"] == 365
    bad = client.post("/admin/settings", data=dict(FORM, retention_raw_audio_days="0", csrf_token=token),
                      follow_redirects=True).get_data(as_text=True)
    assert "хранение исходного аудио, дней: целое от 1 до 3650" in bad


def test_another_tenants_admin_changes_only_their_own_settings(
    app: Flask, world: World, settings: Settings
) -> None:
    client, token = _admin(app, world, world.other_admin_email)
    assert client.post("/admin/settings", data=dict(FORM, csrf_token=token)).status_code == 303
    with transaction(settings.sqlalchemy_url) as session:
        assert session.get_one(Tenant, world.tenant_id).timezone == "Europe/Moscow"
        assert session.get_one(Tenant, world.other_tenant_id).timezone == "Asia/Yekaterinburg"


def test_audit_log_reads_in_words_with_filters_paging_and_csv(app: Flask, world: World, settings: Settings) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        for i in range(60):
            record(session, tenant_id=world.tenant_id, user_id=world.users["qa"], action="view",
                   entity="interaction", entity_id=world.call_id, details={"n": i})
        record(session, tenant_id=world.tenant_id, user_id=world.users["supervisor"], action="dispute.accepted",
               entity="dispute", entity_id=1)
        record(session, tenant_id=world.other_tenant_id, user_id=None, action="dispute.rejected", entity="dispute")
    client, _ = _admin(app, world)
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "принял(а) спор" in first and "открыл(а) взаимодействие" in first
    assert "dispute.accepted" not in first.split('<table class="grid" id="audit">')[1]  # words, not codes
    assert "отклонил(а) спор" not in first  # the other tenant's entry
    assert "страница 1 из 2" in first and 'rel="next"' in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "страница 2 из 2" in second and 'rel="prev"' in second
    only_supervisor = client.get(f"/admin/audit?user={world.users['supervisor']}").get_data(as_text=True)
    table = only_supervisor.split('<table class="grid" id="audit">')[1]
    assert "принял(а) спор" in table and "открыл(а) взаимодействие" not in table
    assert "записей: 1" in only_supervisor
    future = client.get("/admin/audit?from=2999-01-01").get_data(as_text=True)
    assert "записей: 0" in future
    response = client.get("/admin/audit.csv?action=view")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 61 and rows[0][0] == "Когда"
    assert {r[2] for r in rows[1:]} == {"открыл(а) взаимодействие"}
    assert all(r[1] and not r[1].isdigit() for r in rows[1:])  # people's names, not ids
