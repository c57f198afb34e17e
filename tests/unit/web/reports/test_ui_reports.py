"""Report pages: route × role × tenant, downloads, the customer's sign-off, history and the staffing banner."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from factories import sign_in
from flask import Flask
from openpyxl import load_workbook
from report_data import DAY, ReportWorld, build_report_world
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.migrate import upgrade
from qa_service.db.models import ReportRun, StaffingEpisode, Team
from qa_service.db.session import engine_for, transaction
from qa_service.services.reports.daily import record_failure
from qa_service.web import create_app

ROLES = ("admin", "qa", "trainer", "supervisor", "agent", "customer", "other_customer")
READERS = {"admin", "qa", "supervisor", "customer", "other_customer"}
QUERY = f"?date={DAY.isoformat()}"


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    folder: Path = tmp_path_factory.mktemp("reports-ui")
    settings = Settings(environment="test", instance_dir=folder / "instance", secret_key="test-secret")
    upgrade(settings.sqlalchemy_url)
    yield settings
    engine_for(settings.sqlalchemy_url).dispose()


@pytest.fixture(scope="module")
def world(module_settings: Settings) -> ReportWorld:
    return build_report_world(module_settings)


@pytest.fixture(scope="module")
def app(module_settings: Settings, world: ReportWorld) -> Flask:
    return create_app(module_settings)


@pytest.fixture(scope="module")
def clients(app: Flask, world: ReportWorld) -> dict[str, tuple[Any, str]]:
    result = {}
    for role in ROLES:
        client = app.test_client()
        result[role] = (client, sign_in(client, world.users[role]))
    return result


@pytest.mark.parametrize("role", ROLES)
def test_report_pages_by_role(clients: dict[str, tuple[Any, str]], role: str) -> None:
    client, _ = clients[role]
    for path in ("/reports/daily-quality", "/reports/daily-operations", "/reports/history",
                 "/reports/daily-operations/download.csv"):
        status = client.get(path + QUERY).status_code
        if role in READERS:
            assert status == 200, f"{role} should read {path}, got {status}"
        else:
            assert status == 403, f"{role} must not read {path}, got {status}"


def test_anonymous_goes_to_sign_in(app: Flask) -> None:
    response = app.test_client().get("/reports/daily-quality" + QUERY)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_customer_sees_the_day_with_charts_tables_and_evidence(clients: dict[str, tuple[Any, str]],
                                                                world: ReportWorld) -> None:
    client, _ = clients["customer"]
    html = client.get("/reports/daily-quality" + QUERY).get_data(as_text=True)
    assert "Отчёт о качестве" in html and "Данные карты не запрашиваются голосом" in html
    assert f"/interactions/{world.critical_call_id}" in html  # the critical failure's evidence link
    assert 'id="chart-pareto"' in html and "data:image/png;base64," in html and "<details>" in html
    ops = client.get("/reports/daily-operations" + QUERY).get_data(as_text=True)
    assert 'class="understaffed"' in ops and 'id="chart-staffing"' in ops
    assert "Поступило" in ops


def test_english_page(clients: dict[str, tuple[Any, str]]) -> None:
    client, _ = clients["qa"]
    html = client.get("/reports/daily-operations" + QUERY + "&lang=en").get_data(as_text=True)
    assert "Operations report (§3.2)" in html and "Service level by hour" in html


def test_other_tenant_sees_none_of_our_figures(clients: dict[str, tuple[Any, str]], world: ReportWorld) -> None:
    client, _ = clients["other_customer"]
    html = client.get("/reports/daily-quality" + QUERY).get_data(as_text=True)
    assert "Анна Смирнова" not in html and "Пётр Иванов" not in html and "Южный Берег" in html
    assert client.get(f"/reports/daily-quality{QUERY}&team={world.teams['alpha']}").status_code == 404
    assert client.get(f"/reports/daily-quality{QUERY}&agent={world.agents['anna']}").status_code == 404


def test_supervisor_sees_only_own_team_in_quality(clients: dict[str, tuple[Any, str]], world: ReportWorld) -> None:
    client, _ = clients["supervisor"]
    html = client.get("/reports/daily-quality" + QUERY).get_data(as_text=True)
    assert "Анна Смирнова" in html and "Пётр Иванов" not in html
    # Another airline's team, or a team not theirs, is not found — as for an admin, never an empty 200.
    for team in ("south", "beta"):
        assert client.get(f"/reports/daily-quality{QUERY}&team={world.teams[team]}").status_code == 404, team
    assert client.get(f"/reports/daily-quality{QUERY}&agent={world.agents['petr']}").status_code == 404
    admin, _ = clients["admin"]
    assert admin.get(f"/reports/daily-quality{QUERY}&team={world.teams['south']}").status_code == 404


def test_bad_date_is_a_clear_400(clients: dict[str, tuple[Any, str]]) -> None:
    client, _ = clients["admin"]
    response = client.get("/reports/daily-quality?date=20.11.2026")
    assert response.status_code == 400 and "ГГГГ-ММ-ДД" in response.get_data(as_text=True)


def test_downloads(clients: dict[str, tuple[Any, str]]) -> None:
    client, _ = clients["customer"]
    xlsx = client.get("/reports/daily-quality/download.xlsx" + QUERY)
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["Content-Type"]
    sheet = load_workbook(io.BytesIO(xlsx.data))["Парето нарушенных критериев"]
    assert [c.value for c in sheet[2]][:3] == ["Приветствие и название компании", 2, 3]
    pdf = client.get("/reports/daily-operations/download.pdf" + QUERY)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get("/reports/daily-quality/download.exe" + QUERY).status_code == 404


def test_customer_signs_the_day_off_once(clients: dict[str, tuple[Any, str]], module_settings: Settings,
                                         world: ReportWorld) -> None:
    qa, qa_token = clients["qa"]
    assert qa.post("/reports/daily-quality/sign-off", data={"date": DAY.isoformat(), "csrf_token": qa_token}
                   ).status_code == 403
    client, token = clients["customer"]
    assert client.post("/reports/daily-quality/sign-off", data={"date": DAY.isoformat()}).status_code == 400
    response = client.post("/reports/daily-quality/sign-off", data={"date": DAY.isoformat(), "csrf_token": token})
    assert response.status_code == 303
    page = client.get("/reports/daily-quality" + QUERY).get_data(as_text=True)
    assert 'id="signed-by"' in page and "customer пользователь" in page
    again = client.post("/reports/daily-quality/sign-off", data={"date": DAY.isoformat(), "csrf_token": token},
                        follow_redirects=True)
    assert "день уже подписан" in again.get_data(as_text=True)
    history = client.get("/reports/history").get_data(as_text=True)
    assert "20.11.2026" in history and "customer пользователь" in history
    with transaction(module_settings.sqlalchemy_url) as session:
        run = session.scalar(select(ReportRun).where(ReportRun.tenant_id == world.tenant_id,
                                                     ReportRun.kind == "daily-quality"))
        assert run is not None and run.signed_off_at is not None and run.blob_key
        run_id = run.id
    stored = client.get(f"/reports/runs/{run_id}.pdf")
    assert stored.status_code == 200 and stored.data.startswith(b"%PDF")
    other, _ = clients["other_customer"]
    assert other.get(f"/reports/runs/{run_id}.pdf").status_code == 404
    assert "20.11.2026" not in other.get("/reports/history").get_data(as_text=True)


def test_staffing_banner_for_supervisors_only(clients: dict[str, tuple[Any, str]], module_settings: Settings,
                                              world: ReportWorld) -> None:
    now = datetime.now(UTC)
    with transaction(module_settings.sqlalchemy_url) as session:
        session.add(StaffingEpisode(tenant_id=world.tenant_id, started_at=now, checked_at=now, required=4, lowest=2,
                                    logged_in=["Анна Смирнова (A-101)", "Пётр Иванов (A-102)"]))
        assert session.scalar(select(Team).where(Team.id == world.teams["alpha"])) is not None
    try:
        supervisor, _ = clients["supervisor"]
        assert 'id="staffing-alert"' in supervisor.get("/reports/history").get_data(as_text=True)
        customer, _ = clients["customer"]
        assert 'id="staffing-alert"' not in customer.get("/reports/history").get_data(as_text=True)
    finally:
        with transaction(module_settings.sqlalchemy_url) as session:
            for episode in session.scalars(select(StaffingEpisode)):
                session.delete(episode)


def test_a_failed_day_is_generated_again_on_request(clients: dict[str, tuple[Any, str]], module_settings: Settings,
                                                   world: ReportWorld) -> None:
    # Without Redis the requested job runs in this process right after the commit, so the
    # replaced run is visible as soon as the redirect comes back.
    day = DAY.replace(day=DAY.day - 1)
    record_failure(module_settings, world.tenant_id, day, RuntimeError("451 try later"))  # as the schedule does
    with transaction(module_settings.sqlalchemy_url) as session:
        failed = session.scalars(select(ReportRun).where(
            ReportRun.tenant_id == world.tenant_id, ReportRun.day == day, ReportRun.kind == "daily-operations")).one()
        assert failed.status == "failed"
        failed.attempts = 5  # the schedule gave up on it: only a person can take it over now
        run_id = failed.id
    customer, customer_token = clients["customer"]
    assert "Generate again" not in customer.get("/reports/history?lang=en").get_data(as_text=True)
    assert customer.post(f"/reports/runs/{run_id}/rerun", data={"csrf_token": customer_token}).status_code == 403
    qa, token = clients["qa"]
    assert qa.post(f"/reports/runs/{run_id}/rerun").status_code == 400  # no CSRF token
    assert qa.post("/reports/runs/999999/rerun", data={"csrf_token": token}).status_code == 404
    response = qa.post(f"/reports/runs/{run_id}/rerun", data={"csrf_token": token})
    assert response.status_code == 303
    with transaction(module_settings.sqlalchemy_url) as session:
        runs = session.scalars(select(ReportRun).where(ReportRun.tenant_id == world.tenant_id,
                                                       ReportRun.day == day)).all()
        assert {r.kind for r in runs} == {"daily-operations", "daily-quality"}  # one run per kind, replaced
        again = session.get(ReportRun, run_id)
        assert again is not None and again.status == "done" and again.error is None and again.blob_key
        assert again.attempts == 6
    history = qa.get("/reports/history").get_data(as_text=True)
    assert f"/reports/runs/{run_id}/rerun" in history
