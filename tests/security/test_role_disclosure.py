"""What a role may learn: no score filters for the customer role (an oracle), rq-dashboard for platform
operators only with POST-only actions, /metrics only for an authorised scraper and with honest states."""

from __future__ import annotations

import pytest
from factories import World, build_world, sign_in
from flask import Flask
from sqlalchemy import update

from qa_service.config import ConfigError, Settings
from qa_service.db.models import Interaction, ProcessingState, Role, Tenant, User
from qa_service.db.session import transaction
from qa_service.services.access import Viewer
from qa_service.services.accounts.tenants import hash_password
from qa_service.services.ingestion.intake import store_interaction
from qa_service.services.interactions.listing import HiddenFilterError, ListFilters, refuse_hidden_filters
from qa_service.web import create_app

# Each would let a role that cannot see scores sort interactions into "scored low" and "scored high".
SCORE_QUERIES = {
    "score_max": "score_max=50", "score_min": "score_min=90", "critical": "critical=1",
    "needs_review": "needs_review=0", "reviewed": "reviewed=1", "criterion": "criterion=greeting",
    "sort": "sort=score_asc",
}


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False)


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


# --- the filter oracle -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", SCORE_QUERIES.values(), ids=SCORE_QUERIES.keys())
def test_the_customer_role_cannot_filter_or_sort_by_scores(app: Flask, world: World, query: str) -> None:
    client = app.test_client()
    sign_in(client, world.emails["customer"])
    response = client.get(f"/interactions?{query}")
    assert response.status_code == 400
    assert "Вашей роли недоступны оценки" in response.get_data(as_text=True)


def test_the_oracle_is_closed_but_the_list_still_works(app: Flask, world: World) -> None:
    customer = app.test_client()
    sign_in(customer, world.emails["customer"])
    plain = customer.get("/interactions")
    assert plain.status_code == 200
    assert f'href="/interactions/{world.chat_id}"' in plain.get_data(as_text=True)
    # Before the fix, `score_max=0` returned a shorter list than `score_max=100`: the scores, inferred.
    # Now both are refused, so the two answers are the same and say nothing.
    low, high = customer.get("/interactions?score_max=0"), customer.get("/interactions?score_max=100")
    assert low.status_code == high.status_code == 400
    assert low.get_data() == high.get_data()
    # The filters the customer may use still apply.
    assert customer.get("/interactions?channel=chat&q=билет").status_code == 200
    # And the form no longer offers the score sorts to that role.
    assert "score_asc" not in plain.get_data(as_text=True)


def test_roles_that_see_scores_keep_the_filters(app: Flask, world: World) -> None:
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    for query in SCORE_QUERIES.values():
        assert client.get(f"/interactions?{query}").status_code == 200, query
    assert "score_asc" in client.get("/interactions").get_data(as_text=True)


def test_the_service_refuses_the_filters_whoever_calls_it() -> None:
    customer = Viewer(user_id=1, tenant_id=1, role=Role.CUSTOMER)
    with pytest.raises(HiddenFilterError) as refused:
        refuse_hidden_filters(customer, ListFilters(score_max=50, reviewed=True))
    assert "оценка до" in refused.value.ru and "reviewed" in refused.value.en
    refuse_hidden_filters(customer, ListFilters(channel="call", text="билет"))  # allowed: no exception
    refuse_hidden_filters(Viewer(user_id=2, tenant_id=1, role=Role.QA), ListFilters(score_max=50, sort="score_asc"))


# --- rq-dashboard ------------------------------------------------------------------------------------


@pytest.fixture
def rq_app(settings: Settings, world: World, redis_url: str) -> Flask:
    with transaction(settings.sqlalchemy_url) as session:
        # An impostor: the other airline's admin creates a user with the operator's e-mail in their tenant.
        session.add(User(tenant_id=world.other_tenant_id, email="admin@severny.test", name="Самозванец",
                         role=Role.ADMIN, password_hash=hash_password("impostor-pass-1")))
    operators = (("severny-veter", "admin@severny.test"),)
    return create_app(settings.with_overrides(redis_url=redis_url, platform_operators=operators))


@pytest.mark.redis
def test_rq_dashboard_refuses_tenant_admins_and_admits_the_operator(rq_app: Flask, world: World) -> None:
    assert rq_app.test_client().get("/admin/rq/").status_code == 401
    tenant_admin = rq_app.test_client()
    sign_in(tenant_admin, world.other_admin_email)  # an admin, but of a tenant, not of the platform
    assert tenant_admin.get("/admin/rq/").status_code == 403
    assert tenant_admin.get("/admin/rq/0/data/queues.json").status_code == 403
    impostor = rq_app.test_client()
    sign_in(impostor, "admin@severny.test", "impostor-pass-1")
    assert impostor.get("/admin/rq/").status_code == 403
    operator = rq_app.test_client()
    sign_in(operator, world.emails["admin"])
    assert operator.get("/admin/rq/").status_code == 200
    assert operator.get("/admin/rq/0/data/queues.json").status_code == 200


@pytest.mark.redis
def test_rq_dashboard_actions_are_post_only_and_same_origin(rq_app: Flask, world: World) -> None:
    operator = rq_app.test_client()
    sign_in(operator, world.emails["admin"])
    assert operator.get("/admin/rq/requeue/transcribe").status_code == 405  # "requeue all" was a GET
    assert operator.get("/admin/rq/job/some-id/requeue").status_code == 405
    # A cross-site form post carries a foreign Origin (or none): refused.
    assert operator.post("/admin/rq/requeue/transcribe").status_code == 403
    foreign = operator.post("/admin/rq/requeue/transcribe", headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    own = operator.post("/admin/rq/requeue/transcribe", headers={"Origin": "http://localhost"})
    assert own.status_code == 200 and own.get_json()["status"] == "OK"
    tenant_admin = rq_app.test_client()
    sign_in(tenant_admin, world.other_admin_email)
    assert tenant_admin.post("/admin/rq/requeue/transcribe", headers={"Origin": "http://localhost"}).status_code == 403


# --- /metrics ----------------------------------------------------------------------------------------


def _lost_and_failed_calls(settings: Settings) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        for n, outcome in enumerate(("abandoned", "missed", "answered")):
            store_interaction(session, settings, tenant.id, {
                "external_id": f"call-{n}", "source": "pbx", "channel": "call", "agent_id": "op-1",
                "started_at": "2026-11-20T10:00:00+03:00", "outcome": outcome,
            })
        session.execute(update(Interaction).where(Interaction.external_id == "call-2").values(
            state=ProcessingState.FAILED, state_reason="asr: запись не читается"))


def test_metrics_refuse_a_scraper_without_the_token(settings: Settings) -> None:
    assert create_app(settings).test_client().get("/metrics").status_code == 401  # nothing configured: nobody
    client = create_app(settings.with_overrides(metrics_token="scrape-secret")).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).status_code == 200


def test_metrics_answer_an_allowed_network(settings: Settings) -> None:
    allowed = create_app(settings.with_overrides(metrics_networks=("127.0.0.0/8",))).test_client()
    assert allowed.get("/metrics").status_code == 200  # the test client calls from 127.0.0.1
    elsewhere = create_app(settings.with_overrides(metrics_networks=("10.0.0.0/8",))).test_client()
    assert elsewhere.get("/metrics").status_code == 401


def test_metrics_count_lost_calls_as_skipped_not_as_failures(settings: Settings) -> None:
    _lost_and_failed_calls(settings)
    client = create_app(settings.with_overrides(metrics_token="scrape-secret")).test_client()
    text = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).get_data(as_text=True)
    assert 'qa_interactions{channel="call",state="skipped"} 2.0' in text
    assert 'qa_interactions{channel="call",state="failed"} 1.0' in text
    failures = [line for line in text.splitlines() if line.startswith("qa_pipeline_failures{")]
    assert failures == ['qa_pipeline_failures{step="asr"} 1.0']


# --- settings ----------------------------------------------------------------------------------------


def test_settings_read_operators_and_metrics_access_from_the_environment() -> None:
    settings = Settings.from_env({
        "QA_PLATFORM_OPERATORS": "platform:Ops@Example.com, sv:root@sv.test",
        "QA_METRICS_TOKEN": "t0ken", "QA_METRICS_ALLOW": "10.0.0.0/8, 127.0.0.1",
    })
    assert settings.platform_operators == (("platform", "ops@example.com"), ("sv", "root@sv.test"))
    assert settings.metrics_token == "t0ken"
    assert settings.metrics_networks == ("10.0.0.0/8", "127.0.0.1")
    assert Settings.from_env({}).platform_operators == () and Settings.from_env({}).metrics_token is None


@pytest.mark.parametrize("env", [{"QA_PLATFORM_OPERATORS": "ops@example.com"}, {"QA_METRICS_ALLOW": "10.0.0.0/99"}])
def test_bad_operator_or_network_settings_are_refused_in_one_line(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(env)
    assert "\n" not in refused.value.ru and refused.value.en
