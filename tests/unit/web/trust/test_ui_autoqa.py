"""AutoQA trust pages: every route × role × tenant, what each role sees, and the withheld answer in review.

One world per module: QA overrides the machine's greeting on Анна's call (team «Альфа») and on
Пётр's call (team «Бета») through the real review service, so the greeting has two human answers,
both disagreeing with the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from factories import World, build_world, sign_in
from flask import Flask
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.migrate import upgrade
from qa_service.db.models import CriterionAnswer, CriterionTrust, Evaluation, Rubric, User
from qa_service.db.session import engine_for, transaction
from qa_service.services.access import viewer_for
from qa_service.services.review.evaluations import Decision, submit_review
from qa_service.web import create_app

ROLES = ("admin", "qa", "trainer", "supervisor", "agent", "customer", "agent2", "other_admin")
# 21:30 UTC is 00:30 of the next day in Moscow: the page must show the tenant's local time.
STARTED = (datetime.now(UTC) - timedelta(days=2)).replace(hour=21, minute=30, second=0, microsecond=0)
GREETING = "Приветствие и название компании в первые 15 с"


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    folder: Path = tmp_path_factory.mktemp("autoqa")
    settings = Settings(environment="test", instance_dir=folder / "instance", secret_key="test-secret")
    upgrade(settings.sqlalchemy_url)
    yield settings
    engine_for(settings.sqlalchemy_url).dispose()


@pytest.fixture(scope="module")
def world(module_settings: Settings) -> World:
    world = build_world(module_settings, with_audio=False, started=STARTED)
    with transaction(module_settings.sqlalchemy_url) as session:
        qa = viewer_for(session, session.get_one(User, world.users["qa"]))
        submit_review(session, qa, world.call_id, {"greeting": Decision("no", "компания не названа")})
        submit_review(session, qa, world.other_agent_call_id, {"greeting": Decision("yes", "приветствие было")})
    return world


@pytest.fixture(scope="module")
def rubric_id(module_settings: Settings, world: World) -> int:
    with transaction(module_settings.sqlalchemy_url) as session:
        return session.scalars(select(Rubric.id).where(
            Rubric.tenant_id == world.tenant_id, Rubric.slug == "airline-call")).one()


@pytest.fixture(scope="module")
def app(module_settings: Settings, world: World) -> Flask:
    return create_app(module_settings)


@pytest.fixture(scope="module")
def clients(app: Flask, world: World) -> dict[str, tuple[Any, str]]:
    emails = dict(world.emails, other_admin=world.other_admin_email)
    result = {}
    for role in ROLES:
        client = app.test_client()
        result[role] = (client, sign_in(client, emails[role]))
    return result


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role_and_tenant(clients: dict[str, tuple[Any, str]], rubric_id: int, role: str) -> None:
    client, _ = clients[role]
    listing = client.get("/autoqa")
    detail = client.get(f"/autoqa/{rubric_id}/greeting")
    if role in ("agent", "agent2"):
        assert (listing.status_code, detail.status_code) == (403, 403)
        return
    assert listing.status_code == 200
    if role == "other_admin":  # the other airline: its own criteria, never ours
        assert detail.status_code == 404
        assert 'data-state="withheld"' not in listing.get_data(as_text=True)
        return
    page = listing.get_data(as_text=True)
    assert "Доверие к автооценке" in page and GREETING in page and "greeting" in page
    assert detail.status_code == 200


def test_detail_shows_agreement_matrix_rule_and_local_times(clients: dict[str, tuple[Any, str]], world: World,
                                                             rubric_id: int) -> None:
    page = clients["qa"][0].get(f"/autoqa/{rubric_id}/greeting").get_data(as_text=True)
    assert GREETING in page and "правило по фразам (леммы)" in page
    assert "0.0 %" in page and "0 из 2" in page  # two human answers, neither agreeing; n shown beside the rate
    assert 'data-cell="yes-no">1<' in page and 'data-cell="no-yes">1<' in page and 'data-cell="yes-yes">0<' in page
    assert "набираются ответы: меньше 20" in page  # two answers: no verdict yet
    local = STARTED.astimezone(ZoneInfo("Europe/Moscow")).strftime("%Y-%m-%d %H:%M")
    assert local in page and STARTED.strftime("%Y-%m-%d %H:%M") not in page
    assert f"/interactions/{world.call_id}" in page and f"/interactions/{world.other_agent_call_id}" in page
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()  # the reviews were submitted just now
    assert (today - timedelta(days=today.weekday())).strftime("%Y-%m-%d") in page


def test_supervisor_sees_only_their_teams_disagreements(clients: dict[str, tuple[Any, str]], world: World,
                                                        rubric_id: int) -> None:
    page = clients["supervisor"][0].get(f"/autoqa/{rubric_id}/greeting").get_data(as_text=True)
    assert f"/interactions/{world.call_id}" in page
    assert f"/interactions/{world.other_agent_call_id}" not in page and "CALL-0002" not in page


def test_customer_sees_agreement_but_no_interactions_or_agents(clients: dict[str, tuple[Any, str]],
                                                              rubric_id: int) -> None:
    page = clients["customer"][0].get(f"/autoqa/{rubric_id}/greeting").get_data(as_text=True)
    assert "0 из 2" in page and 'data-cell="yes-no">1<' in page
    assert "/interactions/" not in page and "CALL-000" not in page
    assert "Анна" not in page and "Пётр" not in page
    assert "Представителям авиакомпании обращения не показываются." in page


def test_unknown_criterion_is_404(clients: dict[str, tuple[Any, str]], rubric_id: int) -> None:
    client, _ = clients["admin"]
    assert client.get(f"/autoqa/{rubric_id}/no_such_criterion").status_code == 404
    assert client.get(f"/autoqa/{rubric_id}/accuracy").status_code == 404  # manual: no machine to trust
    assert client.get("/autoqa/999999/greeting").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_recompute_by_role(clients: dict[str, tuple[Any, str]], module_settings: Settings, world: World,
                           rubric_id: int, role: str) -> None:
    client, token = clients[role]
    response = client.post("/autoqa/recompute", data={"csrf_token": token})
    assert response.status_code == (303 if role in ("admin", "qa", "other_admin") else 403)
    assert client.post("/autoqa/recompute", data={}).status_code in (400, 403)  # no CSRF token: refused
    if role == "qa":
        with transaction(module_settings.sqlalchemy_url) as session:
            row = session.scalars(select(CriterionTrust).where(
                CriterionTrust.rubric_id == rubric_id, CriterionTrust.criterion_id == "greeting")).one()
            assert (row.n, row.agreed, row.suppressed) == (2, 0, False)
            assert session.scalars(select(CriterionTrust).where(
                CriterionTrust.tenant_id == world.other_tenant_id, CriterionTrust.n > 0)).all() == []


@pytest.mark.parametrize("role", ROLES)
def test_threshold_only_by_our_admin(clients: dict[str, tuple[Any, str]], module_settings: Settings, world: World,
                                     rubric_id: int, role: str) -> None:
    client, token = clients[role]
    response = client.post(f"/autoqa/{rubric_id}/farewell/threshold",
                           data={"csrf_token": token, "threshold_percent": "85"})
    expected = {"admin": 303, "other_admin": 404}.get(role, 403)
    assert response.status_code == expected
    with transaction(module_settings.sqlalchemy_url) as session:
        row = session.scalar(select(CriterionTrust).where(
            CriterionTrust.rubric_id == rubric_id, CriterionTrust.criterion_id == "farewell"))
        if role == "admin":
            assert row is not None and row.threshold_override == pytest.approx(0.85)
        elif row is not None:
            assert row.threshold_override in (None, pytest.approx(0.85))


def test_threshold_out_of_range_is_a_clear_error(clients: dict[str, tuple[Any, str]], rubric_id: int) -> None:
    client, token = clients["admin"]
    response = client.post(f"/autoqa/{rubric_id}/hold_etiquette/threshold",
                           data={"csrf_token": token, "threshold_percent": "30"}, follow_redirects=True)
    assert response.status_code == 200 and "порог доверия: от 50 до 100 %, а не 30 %" in response.get_data(as_text=True)
    response = client.post(f"/autoqa/{rubric_id}/hold_etiquette/threshold",
                           data={"csrf_token": token, "threshold_percent": "много"}, follow_redirects=True)
    assert "Порог — число процентов, от 50 до 100." in response.get_data(as_text=True)


def test_withheld_answer_is_marked_and_can_be_left_for_later(clients: dict[str, tuple[Any, str]],
                                                             module_settings: Settings, world: World) -> None:
    with transaction(module_settings.sqlalchemy_url) as session:  # as scoring leaves a withheld criterion
        answer = session.scalars(select(CriterionAnswer).where(
            CriterionAnswer.evaluation_id == world.evaluations["email"], CriterionAnswer.criterion_id == "greeting")
        ).one()
        answer.answer, answer.points = None, None
    client, token = clients["qa"]
    page = client.get(f"/interactions/{world.email_id}").get_data(as_text=True)
    assert "нужен ответ человека" in page
    assert '<option value="" selected>' in page  # nothing pre-selected: the reviewer must decide
    form = {"csrf_token": token, "action": "submit", "answer-greeting": "", "answer-signature": "no"}
    assert client.post(f"/interactions/{world.email_id}/review", data=form).status_code in (302, 303)
    with transaction(module_settings.sqlalchemy_url) as session:
        review = session.scalars(select(Evaluation).where(
            Evaluation.interaction_id == world.email_id, Evaluation.kind == "review")).one()
        greeting = next(a for a in review.answers if a.criterion_id == "greeting")
        assert (greeting.answer, greeting.machine_answer, greeting.override_reason) == (None, "yes", None)
