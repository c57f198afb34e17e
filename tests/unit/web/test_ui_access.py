"""Every UI route × every role × both tenants: an unauthorised read or write must fail.

One world per module (read-only checks, and writes that must be refused and so change
nothing); the allowed writes are exercised in test_ui_review.py and test_ui_disputes.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import World, build_world
from flask import Flask
from role_clients import assert_read, assert_refused_write, signed_in_clients
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.migrate import upgrade
from qa_service.db.models import (
    Agent,
    Dispute,
    Evaluation,
    ReviewAssignment,
    ReviewComment,
    SamplingRule,
    Team,
    Tenant,
    User,
)
from qa_service.db.session import engine_for, transaction
from qa_service.web import create_app

ROLES = ("admin", "qa", "trainer", "supervisor", "agent", "customer", "agent2", "other_admin")


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    folder: Path = tmp_path_factory.mktemp("access")
    settings = Settings(environment="test", instance_dir=folder / "instance", secret_key="test-secret")
    upgrade(settings.sqlalchemy_url)
    yield settings
    engine_for(settings.sqlalchemy_url).dispose()


@pytest.fixture(scope="module")
def world(module_settings: Settings) -> World:
    return build_world(module_settings, with_audio=True, with_dispute=True)


@pytest.fixture(scope="module")
def app(module_settings: Settings, world: World) -> Flask:
    return create_app(module_settings)


@pytest.fixture(scope="module")
def clients(app: Flask, world: World) -> dict[str, tuple[Any, str]]:
    """One signed-in client (and its CSRF token) per role; signing in once keeps the rate limit out of it."""
    emails = dict(world.emails, other_admin=world.other_admin_email)
    return dict(signed_in_clients(app, {role: emails[role] for role in ROLES}))


def _reads(world: World) -> dict[str, tuple[str, set[str]]]:
    """path -> roles that may read it (everyone else gets 403 or 404)."""
    staff = {"admin", "qa", "trainer"}
    return {
        "list": ("/interactions", staff | {"supervisor", "customer", "other_admin"}),
        "own call": (f"/interactions/{world.call_id}", staff | {"supervisor", "agent"}),
        "own call audio": (f"/interactions/{world.call_id}/audio", staff | {"supervisor", "agent"}),
        "calibrated chat": (f"/interactions/{world.chat_id}", staff | {"supervisor", "agent", "customer"}),
        "e-mail": (f"/interactions/{world.email_id}", staff | {"supervisor", "agent"}),
        "other team's call": (f"/interactions/{world.other_agent_call_id}", staff | {"agent2"}),
        "other tenant's call": (f"/interactions/{world.other_tenant_call_id}", {"other_admin"}),
        "queue": ("/queue", {"admin", "qa", "other_admin"}),
        "disputes": ("/disputes", {"admin", "qa", "supervisor", "agent", "agent2", "other_admin"}),
        "Анна's dispute": (f"/disputes/{world.dispute_id}", {"admin", "qa", "supervisor", "agent"}),
        "my evaluations": ("/my", {"agent", "agent2"}),
        "users": ("/admin/users", {"admin", "other_admin"}),
        "audit": ("/admin/audit", {"admin", "other_admin"}),
        "audit filtered": ("/admin/audit?action=view&from=2020-01-01&page=2", {"admin", "other_admin"}),
        "audit csv": ("/admin/audit.csv", {"admin", "other_admin"}),
        "settings": ("/admin/settings", {"admin", "other_admin"}),
        "rubrics": ("/admin/rubrics", {"admin", "other_admin"}),
        "connectors": ("/admin/connectors", {"admin", "other_admin"}),
        "password": ("/account/password", set(ROLES)),
    }


@pytest.mark.parametrize("role", ROLES)
def test_reads_by_role_and_tenant(clients: dict[str, tuple[Any, str]], world: World, role: str) -> None:
    client, _token = clients[role]
    for name, (path, allowed) in _reads(world).items():
        status, _body = assert_read(client, path, role in allowed, f"{role} ({name})")
        assert status in (200, 403, 404), f"{role} {name}: {status}"


def test_anonymous_reads_go_to_sign_in(app: Flask, world: World) -> None:
    client = app.test_client()
    for name, (path, _allowed) in _reads(world).items():
        with client.get(path) as response:
            assert response.status_code == 302 and "/login" in response.headers["Location"], name


def test_other_tenant_sees_none_of_our_rows(clients: dict[str, tuple[Any, str]], world: World) -> None:
    client, _ = clients["other_admin"]
    html = client.get("/interactions").get_data(as_text=True)
    assert "CALL-0002" not in html and "CHAT-0001" not in html and "Анна Смирнова" not in html
    users = client.get("/admin/users").get_data(as_text=True)
    assert "qa@severny.test" not in users


def test_customer_sees_only_calibration_items_without_scores(clients: dict[str, tuple[Any, str]], world: World) -> None:
    client, _ = clients["customer"]
    html = client.get("/interactions").get_data(as_text=True)
    assert "CHAT-0001" in html and "CALL-0001" not in html and "MAIL-0001" not in html
    page = client.get(f"/interactions/{world.chat_id}").get_data(as_text=True)
    assert "first_response" not in page  # blind: our evaluation is not shown


def test_agent_does_not_see_unreleased_machine_evaluation(clients: dict[str, tuple[Any, str]], world: World) -> None:
    client, _ = clients["agent"]
    page = client.get(f"/interactions/{world.call_id}").get_data(as_text=True)
    assert "identify_booking" not in page


def _counts(settings: Settings, tenant_id: int = 1) -> dict[str, int]:
    """Rows of our tenant a refused write could have added or changed."""
    with transaction(settings.sqlalchemy_url) as session:
        counts = {
            model.__name__: session.scalar(select(func.count()).where(model.tenant_id == tenant_id)) or 0
            for model in (Evaluation, ReviewComment, Dispute, ReviewAssignment, SamplingRule, User, Team)
        }
        ours = select(User).where(User.tenant_id == tenant_id).order_by(User.id)
        roles = tuple((u.role.value, u.active) for u in session.scalars(ours))
        teams = tuple(session.scalars(select(Agent.team_id).where(Agent.tenant_id == tenant_id).order_by(Agent.id)))
        ordered = select(Dispute).order_by(Dispute.id)
        disputes = tuple((d.status.value, d.answer_after) for d in session.scalars(ordered))
        tenant = session.get_one(Tenant, tenant_id)
        settings = (tenant.timezone, json.dumps(tenant.settings or {}, sort_keys=True))
        return counts | {"roles": hash(roles), "teams": hash(teams), "disputes": hash(disputes),
                         "settings": hash(settings)}


def _writes(world: World) -> dict[str, tuple[str, dict[str, str], set[str]]]:
    """path, form, roles allowed to write (everyone else must be refused with 400/403/404 and no change)."""
    reviewers = {"admin", "qa"}
    return {
        "submit review": (f"/interactions/{world.call_id}/review", {"answer-greeting": "no", "reason-greeting": "x"},
                          reviewers),
        "comment": (f"/interactions/{world.call_id}/comments", {"text": "note", "offset": "1"}, reviewers),
        "release": (f"/evaluations/{world.evaluations['call']}/release", {}, reviewers),
        "dispute": (f"/evaluations/{world.evaluations['email']}/disputes", {"criterion": "signature",
                                                                            "comment": "есть подпись"}, {"agent"}),
        "acknowledge": (f"/evaluations/{world.evaluations['email']}/acknowledge", {}, {"agent"}),
        "dispute again": (f"/evaluations/{world.evaluations['email_review']}/disputes",
                          {"criterion": "reply_sla", "comment": "не согласна"}, {"agent"}),
        "resolve": (f"/disputes/{world.dispute_id}/resolve",
                    {"decision": "accept", "new_answer": "yes", "resolution": "да"}, {"admin", "qa", "supervisor"}),
        "sample": ("/queue/sample", {"week": "2020-01-06"}, reviewers),
        "rule": ("/queue/rule", {"per_agent": "3", "random_percent": "20", "due_days": "2", "channels": "call"},
                 {"admin"}),
        "create user": ("/admin/users", {"email": "new@severny.test", "name": "N", "role": "qa",
                                         "password": "long-enough-1"}, {"admin"}),
        "change user": (f"/admin/users/{world.users['qa']}", {"role": "admin", "active": "1"}, {"admin"}),
        "create team": ("/admin/teams", {"name": "Гамма"}, {"admin"}),
        "agent team": (f"/admin/agents/{world.agents['anna']}/team", {"team": str(world.teams["beta"])}, {"admin"}),
        "settings": ("/admin/settings", {"timezone": "Asia/Yekaterinburg", "public_phones": "8 800 555-35-35",
                                         "dispute_window_days": "5", "per_agent": "3", "random_percent": "20",
                                         "due_days": "2", "channels": "call"}, {"admin"}),
    }


@pytest.mark.parametrize("role", ["trainer", "supervisor", "agent", "customer", "agent2", "other_admin", "qa"])
def test_refused_writes_change_nothing(
    clients: dict[str, tuple[Any, str]], world: World, module_settings: Settings, role: str
) -> None:
    client, token = clients[role]
    for name, (path, form, allowed) in _writes(world).items():
        if role in allowed:
            continue
        # other_admin is an admin of another tenant: admin-only forms run but must find nothing of ours.
        status = assert_refused_write(client, path, form, token, f"{role} ({name})",
                                      lambda: _counts(module_settings), also=(303,) if role == "other_admin" else ())
        assert status != 401, f"{role} {name}: {status}"


def test_other_tenant_admin_cannot_touch_our_users(
    clients: dict[str, tuple[Any, str]], world: World, module_settings: Settings
) -> None:
    client, token = clients["other_admin"]
    client.post(f"/admin/users/{world.users['qa']}", data={"role": "customer", "active": "", "csrf_token": token})
    client.post(f"/admin/agents/{world.agents['anna']}/team", data={"team": "", "csrf_token": token})
    with transaction(module_settings.sqlalchemy_url) as session:
        qa = session.get_one(User, world.users["qa"])
        assert qa.role.value == "qa" and qa.active


def test_writes_without_csrf_are_refused_for_everyone(
    clients: dict[str, tuple[Any, str]], world: World, module_settings: Settings
) -> None:
    client, _ = clients["admin"]
    before = _counts(module_settings)
    for name, (path, form, _allowed) in _writes(world).items():
        assert client.post(path, data=form).status_code == 400, name
    assert _counts(module_settings) == before
