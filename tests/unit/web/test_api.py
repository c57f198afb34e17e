"""The REST API: token auth per tenant, the idempotent push webhook, keyset-paginated reads."""

from typing import Any

import pytest
from flask.testing import FlaskClient

from qa_service.config import Settings
from qa_service.db.models import Tenant
from qa_service.db.session import transaction
from qa_service.services.accounts.tokens import issue_token
from qa_service.web import create_app


def chat(external_id: str, minute: int = 0) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "source": "site-chat",
        "channel": "chat",
        "agent_id": "op-1",
        "started_at": f"2026-11-20T10:{minute:02d}:00+03:00",
        "turns": [
            {
                "speaker": "customer",
                "text": "Здравствуйте, хочу вернуть билет",
                "at": f"2026-11-20T10:{minute:02d}:05+03:00",
            }
        ],
    }


@pytest.fixture
def queued_settings(settings: Settings, redis_url: str) -> Settings:
    # Jobs go to the real Redis and are not run: these tests are about the API, not scoring.
    return settings.with_overrides(redis_url=redis_url)


@pytest.fixture
def tokens(queued_settings: Settings) -> dict[str, str]:
    with transaction(queued_settings.sqlalchemy_url) as session:
        a, b = Tenant(slug="sv", name="Северный Ветер"), Tenant(slug="other", name="Другая")
        session.add_all([a, b])
        session.flush()
        return {"sv": issue_token(session, a), "other": issue_token(session, b)}


@pytest.fixture
def client(queued_settings: Settings) -> FlaskClient:
    return create_app(queued_settings).test_client()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.redis
def test_push_requires_a_valid_tenant_token(client: FlaskClient, tokens: dict[str, str]) -> None:
    assert client.post("/api/v1/interactions", json=chat("c1")).status_code == 401
    assert client.post("/api/v1/interactions", json=chat("c1"), headers=auth("sv.wrong")).status_code == 401
    assert client.post("/api/v1/interactions", json=chat("c1"), headers=auth(tokens["sv"])).status_code == 201


@pytest.mark.redis
def test_push_is_idempotent_and_enqueues_scoring_once(
    client: FlaskClient, tokens: dict[str, str], queued_settings: Settings
) -> None:
    from qa_service.jobs import TEXT_QUEUE, queue_depths

    first = client.post("/api/v1/interactions", json=chat("c1"), headers=auth(tokens["sv"]))
    again = client.post("/api/v1/interactions", json=chat("c1"), headers=auth(tokens["sv"]))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert queue_depths(queued_settings)[TEXT_QUEUE] == 1


@pytest.mark.redis
@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("not json", "не JSON"),
        ('{"external_id": "x"}', "channel"),
        (
            '{"external_id": "x", "channel": "fax", "agent_id": "a", "started_at": "2026-11-20T10:00:00+03:00"}',
            "channel",
        ),
    ],
)
def test_bad_push_is_one_clear_line_in_russian(
    client: FlaskClient, tokens: dict[str, str], body: str, fragment: str
) -> None:
    response = client.post(
        "/api/v1/interactions", data=body, content_type="application/json", headers=auth(tokens["sv"])
    )
    assert response.status_code == 400
    error = response.get_json()
    assert fragment in error["error"] and "\n" not in error["error"] and error["error_en"]


@pytest.mark.redis
def test_reads_are_keyset_paginated_and_tenant_scoped(client: FlaskClient, tokens: dict[str, str]) -> None:
    for minute in range(5):
        client.post("/api/v1/interactions", json=chat(f"c{minute}", minute), headers=auth(tokens["sv"]))
    seen: list[str] = []
    cursor = None
    while True:
        url = "/api/v1/interactions?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=auth(tokens["sv"])).get_json()
        seen += [item["external_id"] for item in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == ["c4", "c3", "c2", "c1", "c0"]
    other = client.get("/api/v1/interactions", headers=auth(tokens["other"])).get_json()
    assert other["items"] == []
    own_id = client.get("/api/v1/interactions?limit=1", headers=auth(tokens["sv"])).get_json()["items"][0]["id"]
    assert client.get(f"/api/v1/interactions/{own_id}", headers=auth(tokens["other"])).status_code == 404
    assert client.get(f"/api/v1/interactions/{own_id}", headers=auth(tokens["sv"])).get_json()["turns"]
    assert client.get("/api/v1/interactions?limit=0", headers=auth(tokens["sv"])).status_code == 400


def test_openapi_document_describes_the_api_and_embeds_the_contract(settings: Settings) -> None:
    document = create_app(settings).test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/interactions", "/api/v1/interactions/{id}/evaluations"} <= document["paths"].keys()
    contract = document["components"]["schemas"]["_interaction_contract"]
    assert contract["required"] == ["external_id", "channel", "agent_id", "started_at"]


def test_metrics_count_interactions_by_channel_and_state(settings: Settings, sent_jobs: list[object]) -> None:
    # `sent_jobs`: storing requests scoring; recorded here, not run, so the chat stays `fetched`.
    from qa_service.services.ingestion.intake import store_interaction

    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        store_interaction(session, settings, tenant.id, chat("m1"))
    client = create_app(settings.with_overrides(metrics_token="scrape-secret")).test_client()
    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
    assert response.status_code == 200
    assert 'qa_interactions{channel="chat",state="fetched"} 1.0' in response.get_data(as_text=True)


@pytest.mark.redis
def test_rq_dashboard_is_for_platform_operators_only(queued_settings: Settings) -> None:
    from qa_service.services.accounts.tenants import create_user, get_or_create_tenant

    with transaction(queued_settings.sqlalchemy_url) as session:
        tenant = get_or_create_tenant(session, "sv", "Северный Ветер")
        for role in ("admin", "qa"):
            create_user(session, tenant, email=f"{role}@sv.test", name=role, role=role, password="long-password-1")
    # A tenant admin is not a platform operator (see tests/security/test_role_disclosure.py).
    app = create_app(queued_settings.with_overrides(platform_operators=(("sv", "admin@sv.test"),)))
    assert app.test_client().get("/admin/rq/").status_code == 401
    for role, expected in (("qa", 403), ("admin", 200)):
        client = app.test_client()
        _sign_in(client, f"{role}@sv.test", "long-password-1")
        assert client.get("/admin/rq/").status_code == expected


def _sign_in(client: FlaskClient, email: str, password: str) -> None:
    from qa_service.db.models import User
    from qa_service.db.session import session_factory
    from qa_service.web.auth import now, password_fingerprint

    settings: Settings = client.application.config["QA_SETTINGS"]
    with session_factory(settings.sqlalchemy_url)() as db:
        user = db.query(User).filter_by(email=email).one()
        with client.session_transaction() as session:
            session["user_id"] = user.id
            session["pw"] = password_fingerprint(user)
            session["epoch"] = user.session_epoch  # sessions are revocable and expire: see web/auth.py
            session["iat"] = int(now())


def test_session_reads_are_for_admin_and_qa_only(settings: Settings) -> None:
    from qa_service.services.accounts.tenants import create_user, get_or_create_tenant

    with transaction(settings.sqlalchemy_url) as session:
        tenant = get_or_create_tenant(session, "sv", "Северный Ветер")
        for role in ("qa", "agent", "customer"):
            create_user(session, tenant, email=f"{role}@sv.test", name=role, role=role, password="long-password-1")
    app = create_app(settings)
    assert app.test_client().get("/api/v1/interactions").status_code == 401
    for role, expected in (("qa", 200), ("agent", 403), ("customer", 403)):
        client = app.test_client()
        _sign_in(client, f"{role}@sv.test", "long-password-1")
        assert client.get("/api/v1/interactions").status_code == expected, role
