"""Dates at the edges of the calendar: every route that takes one answers, never 500.

`0001-01-01` and `9999-12-31` are valid ISO dates that overflow once turned into the tenant's
midnight in UTC or given their extra day.  The routes are the access matrix's entries that name
`dates`; a guard fails when a web module parses a date without `core.date_input`.  Redis being
down is the other edge: sign-in and push answer 503 with the reason, as /healthz does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from access_matrix import MATRIX, fill
from factories import build_world
from flask import Flask
from matrix_world import MatrixWorld
from role_clients import Principal

from qa_service.config import Settings
from qa_service.services.accounts.tokens import issue_token_for
from qa_service.services.reports.exports import FORMATS
from qa_service.services.reports.tables import KINDS
from qa_service.web import create_app

pytestmark = [pytest.mark.redis]

EXTREMES = ("0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59",
            "0001-01-01T00:00:00+03:00", "9999-12-31T23:59:59-12:00")
PREFERRED = ("admin", "customer", "qa", "trainer", "supervisor", "agent")
WEB = Path(__file__).resolve().parents[2] / "qa_service" / "web"


def _who(roles: frozenset[str]) -> str:
    return next(role for role in PREFERRED if role in roles)


def _requests(matrix: MatrixWorld) -> list[tuple[str, str, str, dict[str, str]]]:
    """(role, method, path, form) for every date parameter of every route × every extreme."""
    found = []
    for rule, access in MATRIX.items():
        if not access.dates:
            continue
        for value in EXTREMES:
            for name in access.dates:
                if access.get is not None:
                    paths = [fill(access.path, matrix.ids).split("?", 1)[0]]
                    if rule == "/reports/<kind>":
                        paths = [f"/reports/{kind}" for kind in KINDS]
                    if rule == "/reports/<kind>/download.<fmt>":
                        paths = [f"/reports/{kind}/download.{fmt}" for kind in KINDS for fmt in FORMATS]
                    roles = access.get
                    found += [(_who(roles), "GET", f"{p}?{urlencode({name: value})}", {}) for p in paths]
                if access.post:
                    form = {key: fill(v, matrix.ids) for key, v in access.form.items()} | {name: value}
                    found.append((_who(access.post), "POST", fill(access.path, matrix.ids), form))
    return found


def test_both_extremes_of_every_date_parameter_are_answered(
    principals: dict[str, Principal], matrix: MatrixWorld
) -> None:
    requests = _requests(matrix)
    assert len({path.split("?")[0] for _, _, path, _ in requests}) >= 20  # 2 reports, 8 downloads, the rest
    failures = []
    for role, method, path, form in requests:
        client, token = principals[role]
        if method == "GET":
            status = client.get(path).status_code
        else:
            status = client.post(path, data=dict(form, csrf_token=token), headers={"Origin": "http://localhost"}
                                 ).status_code
        if status >= 500:
            failures.append(f"{role} {method} {path} {form}: {status}")
    assert not failures, "\n".join(failures)


def test_a_report_day_out_of_bounds_is_refused_in_one_line(principals: dict[str, Principal]) -> None:
    client, _ = principals["admin"]
    response = client.get("/reports/daily-quality?date=0001-01-01")
    assert response.status_code == 400 and "вне 1990–2199 годов" in response.get_data(as_text=True)


def test_web_modules_read_dates_only_through_the_helper() -> None:
    # A new date field parsed by hand would bring the OverflowError back; route it through core.date_input.
    by_hand = re.compile(r"strptime\(|date\.fromisoformat\(|datetime\.fromisoformat\(")
    offenders = [str(path.relative_to(WEB)) for path in WEB.rglob("*.py") if by_hand.search(path.read_text("utf-8"))]
    assert offenders == []


@pytest.fixture
def redis_down(settings: Settings) -> tuple[Flask, str, str]:
    """The app with Redis unreachable (nothing listens on port 1): the limiter's storage is down."""
    world = build_world(settings, with_audio=False)
    token = issue_token_for(settings, "severny-veter")
    return create_app(settings.with_overrides(redis_url="redis://127.0.0.1:1/0")), world.emails["admin"], token


def test_sign_in_and_push_answer_503_with_the_reason_while_redis_is_down(redis_down: tuple[Flask, str, str]) -> None:
    app, email, token = redis_down
    client: Any = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    signed = client.post("/login", data={"email": email, "password": "whatever", "csrf_token": csrf})
    assert signed.status_code == 503 and "Redis" in signed.get_data(as_text=True)
    assert signed.headers["Retry-After"]
    pushed = app.test_client().post("/api/v1/interactions", json={"external_id": "X"},
                                    headers={"Authorization": f"Bearer {token}"})
    assert pushed.status_code == 503 and "Redis" in pushed.get_json()["error_en"]
