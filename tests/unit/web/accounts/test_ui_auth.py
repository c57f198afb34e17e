"""Sign-in, sessions, CSRF, the login rate limit and password change, through the Flask test client."""

from __future__ import annotations

import pytest
from factories import PASSWORD, World, build_world, csrf_from, sign_in
from flask import Flask
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import AuditLog, User
from qa_service.db.session import transaction
from qa_service.web import create_app


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False)


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask) -> None:
    response = app.test_client().get("/interactions")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_page_is_russian_by_default(app: Flask) -> None:
    html = app.test_client().get("/login").get_data(as_text=True)
    assert "Вход" in html and "Пароль" in html


def test_sign_in_with_the_right_password_and_audit(app: Flask, world: World, settings: Settings) -> None:
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    assert client.get("/queue").status_code == 200
    with transaction(settings.sqlalchemy_url) as session:
        actions = list(session.scalars(select(AuditLog.action).where(AuditLog.user_id == world.users["qa"])))
    assert "login" in actions


def test_wrong_password_is_refused(app: Flask, world: World) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    form = {"email": world.emails["qa"], "password": "wrong-password-9", "csrf_token": token}
    response = client.post("/login", data=form)
    assert response.status_code == 401
    assert "Неверный" in response.get_data(as_text=True)
    assert client.get("/queue").status_code == 302


def test_session_cookie_is_http_only(app: Flask, world: World) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": world.emails["qa"], "password": PASSWORD, "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookie_is_secure(tmp_path, world: World) -> None:  # type: ignore[no-untyped-def]
    production = Settings(environment="production", instance_dir=tmp_path, secret_key="s" * 32)
    assert create_app(production).config["SESSION_COOKIE_SECURE"] is True


def test_login_without_csrf_token_is_rejected(app: Flask, world: World) -> None:
    response = app.test_client().post("/login", data={"email": world.emails["qa"], "password": PASSWORD})
    assert response.status_code == 400


def test_forms_without_csrf_token_are_rejected(app: Flask, world: World, settings: Settings) -> None:
    client = app.test_client()
    sign_in(client, world.emails["admin"])
    response = client.post("/admin/users", data={"email": "x@severny.test", "name": "X", "role": "qa",
                                                  "password": "long-enough-1"})
    assert response.status_code == 400
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(User).where(User.email == "x@severny.test")) is None


def test_login_is_rate_limited(app: Flask, world: World) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    codes = [
        # A different account each time: this is the per-address limit (per account: tests/security).
        client.post("/login", data={"email": f"guess{i}@severny.test", "password": "nope-nope-nope",
                                    "csrf_token": token})
        .status_code
        for i in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]


def test_open_redirect_after_sign_in_is_refused(app: Flask, world: World) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login?next=//evil.example/x", data={"email": world.emails["qa"], "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_password_change_signs_out_other_sessions(app: Flask, world: World) -> None:
    first, second = app.test_client(), app.test_client()
    token = sign_in(first, world.emails["trainer"])
    sign_in(second, world.emails["trainer"])
    response = first.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "brand-new-pass-2", "confirm_password": "brand-new-pass-2",
        "csrf_token": token,
    })
    assert response.status_code == 302
    assert first.get("/interactions").status_code == 200
    assert second.get("/interactions").status_code == 302  # the old session is gone
    fresh = app.test_client()
    sign_in(fresh, world.emails["trainer"], "brand-new-pass-2")


def test_password_change_needs_the_current_password(app: Flask, world: World) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["trainer"])
    response = client.post("/account/password", data={
        "current_password": "not-my-password", "new_password": "brand-new-pass-2",
        "confirm_password": "brand-new-pass-2", "csrf_token": token,
    })
    assert response.status_code == 400
    assert "текущий пароль неверен" in response.get_data(as_text=True)


def test_deactivated_user_is_signed_out(app: Flask, world: World, settings: Settings) -> None:
    client = app.test_client()
    sign_in(client, world.emails["trainer"])
    with transaction(settings.sqlalchemy_url) as session:
        session.get_one(User, world.users["trainer"]).active = False
    assert client.get("/interactions").status_code == 302


def test_sign_out(app: Flask, world: World) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["qa"])
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/queue").status_code == 302


def test_each_role_lands_on_its_work(app: Flask, world: World) -> None:
    expected = {"qa": "/queue", "admin": "/queue", "agent": "/my", "trainer": "/coaching",
                "supervisor": "/interactions", "customer": "/interactions"}
    for role, target in expected.items():
        client = app.test_client()
        sign_in(client, world.emails[role])
        assert client.get("/").headers["Location"] == target, role
