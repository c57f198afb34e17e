"""The /search page and GET /api/v1/search through the real app; `qa-service search` through main()."""

from __future__ import annotations

import json

import pytest
from factories import World, build_world, sign_in

from qa_service.cli import main
from qa_service.config import Settings
from qa_service.web import create_app


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False)


def test_qa_finds_the_moment_and_its_counts(settings: Settings, world: World) -> None:
    client = create_app(settings).test_client()
    sign_in(client, world.emails["qa"])
    html = client.get("/search?q=код+бронирования&speaker=agent").get_data(as_text=True)
    assert "<mark>код бронирования</mark>" in html
    assert f"/interactions/{world.call_id}#t=" in html  # the link plays the recording from the turn
    assert 'id="counts-by-agent"' in html and "Анна Смирнова" in html
    assert "КЛМ" not in html  # the customer's «Код бронирования КЛМ…» is not the agent's


def test_customer_reviewer_sees_only_calibration_and_no_score_filter(settings: Settings, world: World) -> None:
    client = create_app(settings).test_client()
    sign_in(client, world.emails["customer"])
    html = client.get("/search?q=багажа").get_data(as_text=True)
    assert "<mark>багажа</mark>" in html and 'name="score_min"' not in html
    assert "код бронирования" not in client.get("/search?q=код").get_data(as_text=True).lower()
    refused = client.get("/search?q=багажа&score_max=50")
    assert refused.status_code == 400 and "оценк" in refused.get_data(as_text=True)


def test_an_empty_query_says_so(settings: Settings, world: World) -> None:
    client = create_app(settings).test_client()
    sign_in(client, world.emails["qa"])
    response = client.get("/search?q=%22%22+-")
    assert response.status_code == 400 and "нет ни одного слова" in response.get_data(as_text=True)


def test_the_api_answers_the_contract_shape(settings: Settings, world: World) -> None:
    client = create_app(settings).test_client()
    sign_in(client, world.emails["qa"])
    body = client.get("/api/v1/search?q=возврат+билета").get_json()
    assert body["total"] == 1
    assert body["hits"][0]["external_id"] == "MAIL-0001" and "[возврат билета]" in body["hits"][0]["snippet"]
    assert client.get("/api/v1/search?q=билет&speker=agent").status_code == 400  # a typo is not ignored


def test_cli_search_json(settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QA_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    assert main(["search", "--tenant", "severny-veter", '"поменять дату"', "--speaker", "customer",
                 "--channel", "call", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["total"] == 1
    hit = document["hits"][0]
    assert set(hit) == {"interaction_id", "external_id", "channel", "turn", "speaker", "start", "snippet"}
    assert (hit["external_id"], hit["turn"], hit["speaker"]) == ("CALL-0001", 1, "customer")
    assert main(["search", "--tenant", "severny-veter", "поменять", "--first-seconds", "0.1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0
    assert main(["search", "--tenant", "nobody", "билет"]) == 1
    assert "nobody" in capsys.readouterr().err


def test_last_nights_topics_show_expected_and_observed(settings: Settings, world: World) -> None:
    from qa_service.db.models import TopicSnapshot
    from qa_service.db.session import transaction

    with transaction(settings.sqlalchemy_url) as session:
        session.add(TopicSnapshot(tenant_id=world.tenant_id, kind="cluster", label="собака, салон", size=14,
                                  observed=12, expected=0.07, p_value=1e-9, emerging=True, examples=[world.chat_id]))
    for role, sees_examples in (("supervisor", True), ("customer", False)):
        client = create_app(settings).test_client()
        sign_in(client, world.emails[role])
        html = client.get("/search").get_data(as_text=True)
        table = html.split('id="topics"')[1]
        assert "собака, салон" in table and ">12<" in table and "0.07" in table and "растёт" in table
        assert (f"/interactions/{world.chat_id}" in table) is sees_examples
