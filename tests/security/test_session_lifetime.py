"""Sessions hold: they end after the tenant's hours, and a captured cookie dies with sign-out and password change.

Time is moved through `qa_service.web.auth.now` (the clock every session check reads), never slept.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from factories import PASSWORD, World, build_world, sign_in
from flask import Flask
from flask.testing import FlaskClient

from qa_service.config import Settings
from qa_service.core.tenant_settings import TenantSettings
from qa_service.db.models import Tenant
from qa_service.db.session import transaction
from qa_service.web import auth, create_app

HOUR = 3600


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False)


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


class Clock:
    """A settable stand-in for `web.auth.now`: the session checks read this instead of the wall clock."""

    def __init__(self, start: float) -> None:
        self.value = start

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(auth.now())
    monkeypatch.setattr(auth, "now", fake)
    return fake


def _captured_copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second browser holding a copy of `client`'s session cookie (what a thief would replay)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_session_ends_ten_hours_after_sign_in(app: Flask, world: World, clock: Clock) -> None:
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    clock.value += 10 * HOUR - 60
    assert client.get("/queue").status_code == 200
    clock.value += 61
    response = client.get("/queue")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    clock.value -= 61  # back inside the window: the session was cleared, not merely judged old
    assert client.get("/queue").status_code == 302


def test_the_tenant_chooses_the_session_length(app: Flask, world: World, settings: Settings, clock: Clock) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = session.get_one(Tenant, world.tenant_id)
        tenant.settings = TenantSettings.from_mapping(tenant.settings).with_changes(session_hours=2).to_mapping()
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    clock.value += 2 * HOUR - 1
    assert client.get("/queue").status_code == 200
    clock.value += 2
    assert client.get("/queue").status_code == 302


def test_activity_does_not_extend_a_session(app: Flask, world: World, clock: Clock) -> None:
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    for _ in range(10):  # a request every hour
        clock.value += HOUR - 1
        assert client.get("/queue").status_code == 200
    clock.value += 11
    assert client.get("/queue").status_code == 302


def test_the_cookie_no_longer_lives_31_days(app: Flask, world: World) -> None:
    assert app.permanent_session_lifetime == timedelta(hours=24)  # the longest a tenant may choose
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None
    left = cookie.expires - datetime.now(UTC)
    assert timedelta(hours=23) < left <= timedelta(hours=24)  # 31 days before the fix


def test_a_cookie_captured_before_sign_out_stops_working(app: Flask, world: World) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["qa"])
    thief = _captured_copy(app, client)
    assert thief.get("/queue").status_code == 200  # the copy works while the session is open
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    response = thief.get("/queue")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert thief.get("/api/v1/interactions").status_code == 401


def test_a_cookie_captured_before_a_password_change_stops_working(app: Flask, world: World) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["qa"])
    thief = _captured_copy(app, client)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a-new-password-7", "confirm_password": "a-new-password-7",
        "csrf_token": token,
    })
    assert response.status_code == 302
    assert client.get("/queue").status_code == 200  # the session that changed it stays signed in
    assert thief.get("/queue").status_code == 302


def test_signing_in_again_after_sign_out_works(app: Flask, world: World) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["qa"])
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, world.emails["qa"])
    assert client.get("/queue").status_code == 200


def test_a_forged_session_without_sign_in_time_is_refused(app: Flask, world: World) -> None:
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    with client.session_transaction() as session:
        del session["iat"]  # an old-style cookie (issued before this check) lasts no longer
    assert client.get("/queue").status_code == 302


def test_a_cookie_from_before_a_deactivation_stays_dead_after_reactivation(app: Flask, world: World) -> None:
    qa = app.test_client()
    sign_in(qa, world.emails["qa"])
    cookie = qa.get_cookie("session")
    assert cookie is not None

    def replayed() -> int:  # a fresh copy each time: a refusal's cleared cookie must not replace it
        thief = app.test_client()
        thief.set_cookie("session", cookie.value)
        return thief.get("/queue").status_code

    assert replayed() == 200
    admin = app.test_client()
    token = sign_in(admin, world.emails["admin"])
    user_id = world.users["qa"]
    off = admin.post(f"/admin/users/{user_id}", data={"role": "qa", "csrf_token": token})
    assert off.status_code == 303 and replayed() == 302
    on = admin.post(f"/admin/users/{user_id}", data={"role": "qa", "active": "1", "csrf_token": token})
    assert on.status_code == 303
    assert replayed() == 302  # the old cookie does not come back to life
    again = app.test_client()
    sign_in(again, world.emails["qa"])
    assert again.get("/queue").status_code == 200  # signing in afresh works
