"""Calibration pages: every route × every role × both tenants, and the blind rule on the server.

One world per module with a session run by the admin (QA lead), with the QA specialist and
the customer reviewer invited (the customer is the benchmark).  Nobody has submitted, so the
participants are blind; reads must be refused before any write changes that.
"""

from __future__ import annotations

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
from qa_service.db.models import CalibrationAnswer, CalibrationConsensus, CalibrationItem, CalibrationSession, User
from qa_service.db.session import engine_for, transaction
from qa_service.services.access import viewer_for
from qa_service.services.calibration.sessions import create_session
from qa_service.web import create_app

ROLES = ("admin", "qa", "trainer", "supervisor", "agent", "customer", "agent2", "other_admin")


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    folder: Path = tmp_path_factory.mktemp("calibration-access")
    settings = Settings(environment="test", instance_dir=folder / "instance", secret_key="test-secret")
    upgrade(settings.sqlalchemy_url)
    yield settings
    engine_for(settings.sqlalchemy_url).dispose()


@pytest.fixture(scope="module")
def world(module_settings: Settings) -> World:
    return build_world(module_settings, with_audio=False)


@pytest.fixture(scope="module")
def ids(module_settings: Settings, world: World) -> dict[str, int]:
    with transaction(module_settings.sqlalchemy_url) as session:
        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        calibration = create_session(session, admin, title="Калибровка доступа", due_at=None,
                                     interaction_ids=[world.call_id, world.chat_id],
                                     participant_ids=[world.users["qa"], world.users["customer"]])
        item = session.scalars(select(CalibrationItem.id).where(CalibrationItem.session_id == calibration.id)).first()
        assert item is not None and calibration.benchmark_user_id == world.users["customer"]
        return {"session": calibration.id, "item": item}


@pytest.fixture(scope="module")
def app(module_settings: Settings, world: World, ids: dict[str, int]) -> Flask:
    return create_app(module_settings)


@pytest.fixture(scope="module")
def clients(app: Flask, world: World) -> dict[str, tuple[Any, str]]:
    emails = dict(world.emails, other_admin=world.other_admin_email)
    return dict(signed_in_clients(app, {role: emails[role] for role in ROLES}))


def _reads(ids: dict[str, int]) -> dict[str, tuple[str, set[str]]]:
    """path -> roles that may read it now, while both participants are still blind."""
    s, i = ids["session"], ids["item"]
    everyone_here = {"admin", "qa", "customer", "other_admin"}
    return {
        "list": ("/calibration", everyone_here),
        "new": ("/calibration/new", everyone_here),
        "alignment": ("/calibration/alignment", everyone_here),
        "session": (f"/calibration/{s}", {"admin", "qa", "customer"}),
        "scoring page": (f"/calibration/{s}/items/{i}", {"qa", "customer"}),  # participants only
        # Blind: the participants are refused; the non-participating QA lead (facilitator) may look.
        "results": (f"/calibration/{s}/results", {"admin"}),
        "pdf": (f"/calibration/{s}/report.pdf", {"admin"}),
        "xlsx": (f"/calibration/{s}/report.xlsx", {"admin"}),
    }


@pytest.mark.parametrize("role", ROLES)
def test_reads_by_role_and_tenant(clients: dict[str, tuple[Any, str]], ids: dict[str, int], role: str) -> None:
    client, _ = clients[role]
    for name, (path, allowed) in _reads(ids).items():
        status, _body = assert_read(client, path, role in allowed, f"{role} ({name})")
        assert status in (200, 403, 404), f"{role} {name}: {status}"


@pytest.mark.parametrize("role", ["qa", "customer"])
def test_blind_participant_is_refused_results_with_a_reason(
    clients: dict[str, tuple[Any, str]], ids: dict[str, int], role: str
) -> None:
    client, _ = clients[role]
    for path in (f"/calibration/{ids['session']}/results", f"/calibration/{ids['session']}/report.xlsx"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 403
        assert "после отправки ваших ответов" in html or "after you submit" in html
    session_page = client.get(f"/calibration/{ids['session']}").get_data(as_text=True)
    assert "results-link" not in session_page and "blind-note" in session_page


def test_other_tenant_sees_none_of_ours(clients: dict[str, tuple[Any, str]]) -> None:
    client, _ = clients["other_admin"]
    assert "Калибровка доступа" not in client.get("/calibration").get_data(as_text=True)
    assert "Ольга" not in client.get("/calibration/alignment").get_data(as_text=True)
    assert "Ольга" not in client.get("/calibration/new").get_data(as_text=True)


def test_nav_shows_pending_sessions_to_participants(clients: dict[str, tuple[Any, str]]) -> None:
    for role in ("qa", "customer"):
        html = clients[role][0].get("/calibration").get_data(as_text=True)
        assert 'id="calibration-pending">1<' in html, role
    assert "calibration-pending" not in clients["admin"][0].get("/calibration").get_data(as_text=True)


def _counts(settings: Settings) -> dict[str, int]:
    with transaction(settings.sqlalchemy_url) as session:
        counts = {m.__name__: session.scalar(select(func.count()).select_from(m)) or 0
                  for m in (CalibrationSession, CalibrationItem, CalibrationAnswer, CalibrationConsensus)}
        calibration = session.scalars(select(CalibrationSession).order_by(CalibrationSession.id)).all()
        counts["state"] = hash(tuple((c.revealed_at, c.signed_off_at, c.due_at) for c in calibration))
        return counts


def _writes(world: World, ids: dict[str, int]) -> dict[str, tuple[str, dict[str, Any], set[str]]]:
    """path, form, roles allowed (everyone else must be refused with 403/404 and change nothing)."""
    s, i = ids["session"], ids["item"]
    return {
        "create": ("/calibration", {"title": "X", "rule": "manual", "ids": str(world.call_id),
                                    "participants": [str(world.users["qa"]), str(world.users["customer"])]},
                   {"admin", "qa", "customer"}),
        "save draft": (f"/calibration/{s}/items/{i}", {"answer-greeting": "yes"}, {"qa", "customer"}),
        "submit": (f"/calibration/{s}/submit", {}, {"qa", "customer"}),
        "reveal": (f"/calibration/{s}/reveal", {}, {"admin"}),
        "extend deadline": (f"/calibration/{s}/deadline", {"deadline": "2099-12-31"}, {"admin"}),
        "consensus": (f"/calibration/{s}/items/{i}/consensus", {"consensus-greeting": "yes"}, {"admin"}),
        "sign off": (f"/calibration/{s}/sign-off", {}, set()),  # the customer, but only after submitting
    }


@pytest.mark.parametrize("role", ["trainer", "supervisor", "agent", "agent2", "other_admin", "customer", "qa"])
def test_refused_writes_change_nothing(
    clients: dict[str, tuple[Any, str]], world: World, ids: dict[str, int], module_settings: Settings, role: str
) -> None:
    client, token = clients[role]
    for name, (path, form, allowed) in _writes(world, ids).items():
        if role in allowed:
            continue
        # other_admin may create sessions in their own tenant, but none with our interactions.
        status = assert_refused_write(client, path, form, token, f"{role} ({name})", lambda: _counts(module_settings),
                                      also=(303,) if role == "other_admin" and name == "create" else ())
        assert status != 401, f"{role} {name}: {status}"


def test_writes_without_csrf_are_refused(
    clients: dict[str, tuple[Any, str]], world: World, ids: dict[str, int], module_settings: Settings
) -> None:
    before = _counts(module_settings)
    for name, (path, form, _allowed) in _writes(world, ids).items():
        assert clients["admin"][0].post(path, data=form).status_code == 400, name
    assert _counts(module_settings) == before
