"""Coaching pages: every route × role × tenant, then the trainer's and the agent's flows through the UI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from coaching_data import add_calls
from factories import World, build_world, sign_in
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.blobs import BlobStore
from qa_service.db.migrate import upgrade
from qa_service.db.models import CoachingMaterial, CoachingStatus, CoachingTask, NeedRule, TrainingNeed
from qa_service.db.session import engine_for, transaction
from qa_service.services.coaching.training_needs import compute_training_needs
from qa_service.web import create_app

ROLES = ("admin", "qa", "trainer", "supervisor", "agent", "customer", "agent2", "other_admin")
NOW = datetime.now(UTC).replace(microsecond=0)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    folder: Path = tmp_path_factory.mktemp("coaching")
    settings = Settings(environment="test", instance_dir=folder / "instance", secret_key="test-secret")
    upgrade(settings.sqlalchemy_url)
    yield settings
    engine_for(settings.sqlalchemy_url).dispose()


@pytest.fixture(scope="module")
def world(module_settings: Settings) -> World:
    world = build_world(module_settings, with_audio=False, started=NOW - timedelta(days=5))
    # A critical failure each for Анна (team «Альфа») and Пётр (team «Бета»): one open need each.
    add_calls(module_settings, world, "anna", 1, {"no_card_by_voice": 1}, end=NOW - timedelta(days=1), days=1)
    add_calls(module_settings, world, "petr", 1, {"no_card_by_voice": 1}, end=NOW - timedelta(days=1), days=1)
    with transaction(module_settings.sqlalchemy_url) as session:
        compute_training_needs(session, world.tenant_id, NOW)
    blobs = BlobStore.from_url(module_settings.blob_url)
    with transaction(module_settings.sqlalchemy_url) as session:
        for key in ("anna", "petr"):
            need = session.scalar(select(TrainingNeed).where(TrainingNeed.agent_id == world.agents[key]))
            assert need is not None and need.rule == NeedRule.CRITICAL
            world.evaluations[f"need_{key}"] = need.id
            task = CoachingTask(tenant_id=world.tenant_id, agent_id=world.agents[key], module="T-PAY",
                                trainer_id=world.users["trainer"], due_at=NOW + timedelta(days=1),
                                training_need_id=need.id)
            blob_key = f"tenant-{world.tenant_id}/coaching/test-{key}.pdf"
            blobs.put_bytes(blob_key, PDF)
            task.materials.append(CoachingMaterial(tenant_id=world.tenant_id, title="Памятка PCI DSS.pdf",
                                                   blob_key=blob_key, mime_type="application/pdf",
                                                   size_bytes=len(PDF)))
            session.add(task)
            session.flush()
            world.evaluations[f"task_{key}"] = task.id
            world.evaluations[f"material_{key}"] = task.materials[0].id
    return world


@pytest.fixture(scope="module")
def clients(module_settings: Settings, world: World) -> dict[str, tuple[Any, str]]:
    app = create_app(module_settings)
    emails = dict(world.emails, other_admin=world.other_admin_email)
    result = {}
    for role in ROLES:
        client = app.test_client()
        result[role] = (client, sign_in(client, emails[role]))
    return result


def _reads(world: World) -> dict[str, tuple[str, set[str]]]:
    coaches = {"admin", "qa", "trainer"}
    ids = world.evaluations
    return {
        "home": ("/coaching", set(ROLES)),
        "Анна's need": (f"/coaching/needs/{ids['need_anna']}", coaches | {"supervisor", "agent"}),
        "Пётр's need": (f"/coaching/needs/{ids['need_petr']}", coaches | {"agent2"}),
        "Анна's task": (f"/coaching/tasks/{ids['task_anna']}", coaches | {"supervisor", "agent"}),
        "Пётр's task": (f"/coaching/tasks/{ids['task_petr']}", coaches | {"agent2"}),
        "Анна's material": (f"/coaching/materials/{ids['material_anna']}", coaches | {"supervisor", "agent"}),
        "Пётр's material": (f"/coaching/materials/{ids['material_petr']}", coaches | {"agent2"}),
        "assign form": ("/coaching/tasks/new", coaches | {"other_admin"}),
    }


@pytest.mark.parametrize("role", ROLES)
def test_reads_by_role_and_tenant(clients: dict[str, tuple[Any, str]], world: World, role: str) -> None:
    client, _ = clients[role]
    for name, (path, allowed) in _reads(world).items():
        with client.get(path) as response:
            status = response.status_code
        if role in allowed:
            assert status == 200, f"{role} should read {name} ({path}), got {status}"
        else:
            assert status in (403, 404), f"{role} must not read {name} ({path}), got {status}"


def _task_count(settings: Settings) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        return int(session.scalar(select(func.count()).select_from(CoachingTask)) or 0)


@pytest.mark.parametrize("role", ["supervisor", "agent", "customer", "agent2", "other_admin"])
def test_refused_writes_change_nothing(clients: dict[str, tuple[Any, str]], world: World, role: str,
                                       module_settings: Settings) -> None:
    client, token = clients[role]
    before = _task_count(module_settings)
    task = world.evaluations["task_anna"]
    assign = {"csrf_token": token, "module": "T-PAY", "agent_id": str(world.agents["anna"]), "format": "group"}
    assert client.post("/coaching/tasks", data=assign).status_code in (403, 422)  # 422: the form back, kept
    assert client.post("/coaching/needs/refresh", data={"csrf_token": token}).status_code in (303, 403)
    assert client.post(f"/coaching/tasks/{task}/session",
                       data={"csrf_token": token, "attended": "yes"}).status_code in (403, 404)
    if role != "agent":
        assert client.post(f"/coaching/tasks/{task}/acknowledge", data={"csrf_token": token}).status_code in (
            403, 404)
    assert _task_count(module_settings) == before
    with transaction(module_settings.sqlalchemy_url) as session:
        row = session.get_one(CoachingTask, task)
        assert row.status != CoachingStatus.DONE and row.attended is None
        if role != "agent":
            assert row.acknowledged_at is None


def test_forms_need_csrf(clients: dict[str, tuple[Any, str]], world: World) -> None:
    client, _ = clients["trainer"]
    response = client.post("/coaching/tasks", data={"module": "T-PAY", "agent_id": str(world.agents["anna"])})
    assert response.status_code == 400


def test_the_airline_sees_needs_by_team_and_module_but_no_conversations(
        clients: dict[str, tuple[Any, str]], world: World) -> None:
    client, _ = clients["customer"]
    html = client.get("/coaching", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert 'id="needs-by-team"' in html and "T-PAY" in html
    assert "/interactions/" not in html and "/coaching/tasks/" not in html and "/coaching/needs/" not in html
    assert "Анна Смирнова (agent-anna)" in html  # a name and an id, nothing more


def test_other_tenant_sees_none_of_our_coaching(clients: dict[str, tuple[Any, str]]) -> None:
    client, _ = clients["other_admin"]
    html = client.get("/coaching").get_data(as_text=True)
    assert "Анна Смирнова" not in html and "Пётр Иванов" not in html and "T-PAY" not in html


def test_supervisor_sees_only_their_team(clients: dict[str, tuple[Any, str]]) -> None:
    client, _ = clients["supervisor"]
    html = client.get("/coaching").get_data(as_text=True)
    assert "Анна Смирнова" in html and "Пётр Иванов" not in html


def test_need_page_shows_rate_interval_and_evidence(clients: dict[str, tuple[Any, str]], world: World) -> None:
    client, _ = clients["trainer"]
    html = client.get(f"/coaching/needs/{world.evaluations['need_anna']}?lang=ru").get_data(as_text=True)
    assert "Безопасность платежей (PCI DSS)" in html  # the module's title from the standard
    assert "Данные карты голосом не запрашиваются" in html  # the criterion's title from the rubric
    assert "95-процентный интервал" in html
    assert re.search(r'href="/interactions/\d+"', html)
    assert 'id="assign-form"' in html
