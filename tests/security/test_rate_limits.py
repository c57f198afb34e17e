"""Guessing costs: sign-in is limited per account as well as per address, password change and API token
checks are limited, and a token check does the same argon2 work whether its tenant slug exists or not."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from factories import PASSWORD, World, build_world, csrf_from, sign_in
from flask import Flask

from qa_service.config import Settings
from qa_service.db.models import Tenant
from qa_service.db.session import transaction
from qa_service.services.accounts import tokens as tenant_tokens
from qa_service.services.accounts.tokens import issue_token, tenant_for_token
from qa_service.web import create_app
from qa_service.web.security import TOKEN_FAILURE_LIMIT


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False)


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


def _login(app: Flask, email: str, password: str, address: str) -> int:
    """One sign-in attempt from its own browser at `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code


def test_failed_sign_ins_are_limited_per_account_across_addresses(app: Flask, world: World) -> None:
    email = world.emails["qa"]
    codes = [_login(app, email, "wrong-password-0", f"10.0.0.{i}") for i in range(1, 7)]
    assert codes == [401] * 5 + [429]
    # The account is held, even with the right password from a fresh address …
    assert _login(app, email, PASSWORD, "10.0.1.1") == 429
    # … while another account (and the same fresh address) is untouched.
    assert _login(app, world.emails["admin"], PASSWORD, "10.0.1.1") == 302


def test_the_account_limit_ignores_case_and_spaces(app: Flask, world: World) -> None:
    spellings = ["QA@severny.test", " qa@severny.test", "Qa@Severny.Test ", "qa@SEVERNY.test", "qa@severny.test"]
    codes = [_login(app, email, "wrong-password-0", f"10.0.2.{i}") for i, email in enumerate(spellings, 1)]
    assert codes == [401] * 5
    assert _login(app, "qA@severny.test", "wrong-password-0", "10.0.2.9") == 429


def test_successful_sign_ins_do_not_use_up_the_account_limit(app: Flask, world: World) -> None:
    codes = [_login(app, world.emails["qa"], PASSWORD, f"10.0.3.{i}") for i in range(1, 8)]
    assert codes == [302] * 7


def test_password_change_is_rate_limited(app: Flask, world: World) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["qa"])
    form = {"current_password": "not-my-password", "new_password": "a-new-password-7",
            "confirm_password": "a-new-password-7", "csrf_token": token}
    codes = [client.post("/account/password", data=form).status_code for _ in range(6)]
    assert codes == [400] * 5 + [429]


def _counting_verifier(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the token module's argon2 check with a counter (records the hash each call verified)."""
    calls: list[str] = []
    real: Callable[[str, str], bool] = tenant_tokens.verify_password

    def counting(password_hash: str, secret: str) -> bool:
        calls.append(password_hash)
        return real(password_hash, secret)

    monkeypatch.setattr(tenant_tokens, "verify_password", counting)
    return calls


def test_an_unknown_slug_costs_one_argon2_check_like_a_known_one(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        good = issue_token(session, tenant)
    calls = _counting_verifier(monkeypatch)
    with transaction(settings.sqlalchemy_url) as session:
        presented = {
            "known slug, wrong secret": "sv.wrong-secret",
            "unknown slug": "nobody.wrong-secret",
            "no secret": "sv",
            "empty": "",
        }
        for case, token in presented.items():
            before = len(calls)
            assert tenant_for_token(session, token) is None, case
            assert len(calls) - before == 1, f"{case}: {len(calls) - before} argon2 checks"
        assert tenant_for_token(session, good) is not None
    # The stand-in hash uses the same argon2 parameters as real ones, so it costs the same time.
    real_hash, dummy_hash = calls[0], calls[1]
    assert real_hash.split("$")[1:4] == dummy_hash.split("$")[1:4]


def test_an_unknown_slug_through_the_api_does_the_same_work(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_verifier(monkeypatch)
    client = create_app(settings).test_client()
    response = client.get("/api/v1/interactions", headers={"Authorization": "Bearer no-such-airline.secret"})
    assert response.status_code == 401
    assert len(calls) == 1


def test_failed_api_token_checks_are_rate_limited_per_address(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each refused check would cost ~0.1 s of argon2; the stand-in keeps this test quick.
    monkeypatch.setattr(tenant_tokens, "verify_password", lambda password_hash, secret: False)
    client = create_app(settings).test_client()
    header = {"Authorization": "Bearer sv.guess"}
    allowed = TOKEN_FAILURE_LIMIT.amount
    codes = [client.get("/api/v1/interactions", headers=header).status_code for _ in range(allowed + 1)]
    assert codes == [401] * allowed + [429]
    other = client.application.test_client()  # the same app and counters, another address
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert other.get("/api/v1/interactions", headers=header).status_code == 401


def test_the_airlines_own_pushes_are_not_capped(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        token = issue_token(session, tenant)
    monkeypatch.setattr(tenant_tokens, "verify_password", lambda password_hash, secret: secret == token)
    client = create_app(settings).test_client()
    good, bad = {"Authorization": f"Bearer {token}"}, {"Authorization": "Bearer sv.guess"}
    pushes = TOKEN_FAILURE_LIMIT.amount + 5
    codes = [client.get("/api/v1/interactions", headers=good).status_code for _ in range(pushes)]
    assert set(codes) == {200}
    assert client.get("/api/v1/interactions", headers=bad).status_code == 401  # successes did not use it up


def test_a_lock_out_says_when_to_try_again(app: Flask, world: World) -> None:
    email = world.emails["qa"]
    for i in range(5):
        _login(app, email, "wrong-password-0", f"10.0.7.{i}")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.8.1"
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Попробуйте снова через 1 мин." in page, page[-600:]
