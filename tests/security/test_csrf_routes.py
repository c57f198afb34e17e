"""CSRF on every state-changing rule of the URL map, found by iterating the map (not a hand-made list).

Each POST/PUT/PATCH/DELETE rule, sent by a user who may use it, without a token or with another
session's token, is refused with 400 and changes nothing.  The only rules without our token are
the documented ones, each protected otherwise: the push API by the airline's token, rq-dashboard by
a same-origin check, the CSP report endpoint by writing nothing but a log line.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from access_matrix import CSRF_EXEMPT, CSRF_EXEMPT_PREFIX, MATRIX, fill
from flask import Flask
from matrix_world import MatrixWorld
from role_clients import Principal

pytestmark = [pytest.mark.redis]

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
PREFERRED = ("admin", "qa", "supervisor", "trainer", "agent", "customer", "operator")


def state_changing_rules(app: Flask) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        changing = (rule.methods or set()) & STATE_CHANGING
        if changing:
            found.setdefault(rule.rule, set()).update(changing)
    return found


def _exempt(rule: str) -> bool:
    return rule in CSRF_EXEMPT or rule.startswith(CSRF_EXEMPT_PREFIX)


def _sender(rule: str) -> str:
    """A principal the matrix allows to write through `rule`, so only the token can refuse it."""
    roles = MATRIX[rule].post or frozenset()
    return next((name for name in PREFERRED if name in roles), "admin")


def test_every_state_changing_rule_refuses_a_missing_or_foreign_token(
    matrix_app: Flask, principals: dict[str, Principal], matrix: MatrixWorld, snapshot: Any
) -> None:
    checked = []
    for rule, verbs in sorted(state_changing_rules(matrix_app).items()):
        if _exempt(rule):
            continue
        assert rule in MATRIX, f"{rule} has no entry in the access matrix"
        access = MATRIX[rule]
        client = matrix_app.test_client() if rule == "/login" else principals[_sender(rule)].client
        foreign = principals["customer" if _sender(rule) != "customer" else "qa"].token
        form = {key: fill(value, matrix.ids) for key, value in access.form.items()}
        path = fill(access.path, matrix.ids)
        before = snapshot()
        for verb in sorted(verbs):
            for token in (None, foreign, "forged-" + foreign[:20]):
                data = form if token is None else dict(form, csrf_token=token)
                response = client.open(path, method=verb, data=data, headers={"Origin": "http://localhost"})
                assert response.status_code == 400, f"{verb} {rule} with token {token!r}: {response.status_code}"
        assert snapshot() == before, f"{rule} changed something without a valid token"
        checked.append(rule)
    # Every state-changing rule but the documented exemptions was checked.
    assert len(checked) == sum(1 for rule in state_changing_rules(matrix_app) if not _exempt(rule))
    assert len(checked) >= 30  # the map was really iterated (36 rules when this was written)


def test_the_only_exemptions_are_the_documented_ones(matrix_app: Flask) -> None:
    """Asked of Flask-WTF itself (its private sets: it has no public list), as it decides per request."""
    csrf = matrix_app.extensions["csrf"]
    exempt_rules = set()
    for rule in matrix_app.url_map.iter_rules():
        view = matrix_app.view_functions[rule.endpoint]
        blueprint = matrix_app.blueprints.get(rule.endpoint.rpartition(".")[0])
        exempt = (blueprint in csrf._exempt_blueprints
                  or f"{view.__module__}.{view.__name__}" in csrf._exempt_views)
        if exempt and (rule.methods or set()) & STATE_CHANGING:
            exempt_rules.add(rule.rule)
    undocumented = {rule for rule in exempt_rules if not _exempt(rule)}
    assert not undocumented, f"CSRF-exempt without a documented reason: {undocumented}"
    assert set(CSRF_EXEMPT) <= exempt_rules


def test_the_push_api_refuses_a_session_without_the_token(
    principals: dict[str, Principal], matrix: MatrixWorld, snapshot: Any
) -> None:
    before = snapshot()
    for name in ("admin", "qa"):  # the roles whose session reads the API
        response = principals[name].client.post("/api/v1/interactions", json={"external_id": "forged"})
        assert response.status_code == 401, name
    assert snapshot() == before


def test_rq_dashboard_actions_need_our_own_origin(
    matrix_app: Flask, principals: dict[str, Principal], matrix: MatrixWorld, matrix_settings: Any
) -> None:
    from redis import Redis
    from rq import Queue

    redis = Redis.from_url(matrix_settings.redis_url)
    failed_before = Queue("text", connection=redis).failed_job_registry.get_job_ids()
    operator = principals["operator"].client
    actions = [rule for rule in state_changing_rules(matrix_app) if rule.startswith(CSRF_EXEMPT_PREFIX)]
    assert len(actions) >= 4
    for rule in actions:
        path = fill(MATRIX[rule].path, matrix.ids)
        for headers in ({}, {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"}):
            assert operator.post(path, headers=headers).status_code == 403, (rule, headers)
    assert Queue("text", connection=redis).failed_job_registry.get_job_ids() == failed_before


def test_csp_reports_are_taken_without_a_token(matrix_app: Flask) -> None:
    report = {"csp-report": {"document-uri": "http://localhost/queue?q=4111", "violated-directive": "script-src",
                             "blocked-uri": "inline"}}
    response = matrix_app.test_client().post("/csp-report", data=json.dumps(report),
                                             content_type="application/csp-report")
    assert response.status_code == 204
