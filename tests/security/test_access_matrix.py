"""Every rule of the URL map × every role × both airlines, reads and writes, as the matrix says.

A rule the matrix lacks fails the first test: a new route needs an entry.  Refused requests answer
401/403/404 and change no stored row; pages the other airline may open show nothing of ours;
allowed writes pass the access check (they may still be refused as bad input: 400, or redirected).
"""

from __future__ import annotations

from typing import Any

import pytest
from access_matrix import MATRIX, Access, fill, methods
from flask import Flask
from matrix_world import METRICS_TOKEN, OUR_MARKERS, ROLES, MatrixWorld, is_other_tenant, principal_role
from role_clients import REFUSED, Principal, assert_read, assert_refused_write, read_status

pytestmark = [pytest.mark.redis]

PRINCIPALS = (*ROLES, "operator", *(f"{role}@other" for role in ROLES))
ORIGIN = {"Origin": "http://localhost"}  # our own host: rq-dashboard's same-origin rule is not what refuses
# Text bodies we search for the other airline's data (binary downloads are refused to them anyway).
TEXT_TYPES = ("text/", "application/json")


def rules(app: Flask) -> dict[str, set[str]]:
    """Rule text -> its methods (GET, POST, …) in the app's URL map."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        found.setdefault(rule.rule, set()).update((rule.methods or set()) - {"HEAD", "OPTIONS"})
    return found


def allowed(access: Access, method: str, principal: str) -> bool:
    roles = access.get if method == "GET" else access.post
    assert roles is not None
    if access.special == "operator":
        return principal in roles
    if principal == "operator" and access.operator is not None:
        return access.operator
    if is_other_tenant(principal) and not access.tenant_wide:
        return False
    return principal_role(principal) in roles


def test_every_rule_of_the_url_map_has_an_entry(matrix_app: Flask) -> None:
    in_map = rules(matrix_app)
    missing = sorted(set(in_map) - set(MATRIX))
    assert not missing, f"routes without an entry in tests/security/access_matrix.py: {missing}"
    stale = sorted(set(MATRIX) - set(in_map))
    assert not stale, f"entries for routes that no longer exist: {stale}"
    for rule, found in in_map.items():
        listed = set(methods(MATRIX[rule]))
        assert found == listed, f"{rule}: the app answers {found}, the matrix lists {listed}"


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_reads(principals: dict[str, Principal], matrix: MatrixWorld, principal: str) -> None:
    client = principals[principal].client
    checked = 0
    for rule, access in MATRIX.items():
        if access.get is None:
            continue
        path = fill(access.path, matrix.ids)
        status, body = assert_read(client, path, allowed(access, "GET", principal), f"{principal} ({rule})")
        checked += 1
        if is_other_tenant(principal) and status == 200:
            text = body.decode("utf-8", "replace")
            leaked = [marker for marker in OUR_MARKERS if marker in text]
            assert not leaked, f"{principal} sees our data on {path}: {leaked}"
    assert checked == sum(1 for a in MATRIX.values() if a.get is not None)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_refused_writes_change_nothing(principals: dict[str, Principal], matrix: MatrixWorld, snapshot: Any,
                                       principal: str) -> None:
    client, token = principals[principal]
    for rule, access in MATRIX.items():
        if access.post is None or access.public or allowed(access, "POST", principal):
            continue
        form = {key: fill(value, matrix.ids) for key, value in access.form.items()}
        assert_refused_write(client, fill(access.path, matrix.ids), form, token, f"{principal} ({rule})", snapshot,
                             headers=ORIGIN)


def test_anonymous_visitors_reach_only_public_rules(matrix_app: Flask, matrix: MatrixWorld, snapshot: Any) -> None:
    client = matrix_app.test_client()
    for rule, access in MATRIX.items():
        path = fill(access.path, matrix.ids)
        if access.get is not None:
            status, location, _body = read_status(client, path)
            if access.public:
                assert status == 200, f"anonymous {rule}: {status}"
            else:
                assert status in REFUSED or (status == 302 and "/login" in location), f"anonymous {rule}: {status}"
        if access.post is not None and not access.public:
            token = client.get("/login").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
            before = snapshot()
            with client.post(path, data={"csrf_token": token}, headers=ORIGIN) as response:
                status, location = response.status_code, response.headers.get("Location", "")
            assert status in REFUSED or (status == 302 and "/login" in location), f"anonymous POST {rule}: {status}"
            assert snapshot() == before, f"anonymous POST {rule} changed something"


def test_metrics_answer_only_the_scraper(principals: dict[str, Principal], matrix_app: Flask) -> None:
    for principal in ("admin", "operator"):
        assert read_status(principals[principal].client, "/metrics")[0] in REFUSED
    scraper = matrix_app.test_client()
    status, _location, body = read_status(scraper, "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert status == 200 and b"qa_interactions" in body


def test_the_push_api_takes_the_token_not_a_session(principals: dict[str, Principal], matrix_app: Flask,
                                                     matrix: MatrixWorld, snapshot: Any) -> None:
    document = {"external_id": "MATRIX-1", "channel": "chat", "started_at": "2026-01-05T10:00:00Z",
                "agent": {"id": "agent-anna"}, "turns": [{"speaker": "agent", "text": "Здравствуйте", "at":
                                                          "2026-01-05T10:00:05Z"}]}
    admin = principals["admin"].client  # a role that reads the API with its session
    before = snapshot()
    assert admin.post("/api/v1/interactions", json=document).status_code == 401
    assert snapshot() == before
    pushed = matrix_app.test_client().post("/api/v1/interactions", json=document,
                                            headers={"Authorization": f"Bearer {matrix.api_token}"})
    assert pushed.status_code in (200, 201, 400), pushed.get_data(as_text=True)  # the token passes the check


# Runs last: allowed writes change the world the checks above need unchanged.
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_allowed_writes_pass_the_access_check(principals: dict[str, Principal], matrix: MatrixWorld,
                                              principal: str) -> None:
    client, token = principals[principal]
    entries = sorted(MATRIX.items(), key=lambda item: item[0] == "/logout")  # signing out last
    for rule, access in entries:
        if access.post is None or access.public or not allowed(access, "POST", principal):
            continue
        form = {key: fill(value, matrix.ids) for key, value in access.form.items()}
        status = client.post(fill(access.path, matrix.ids), data=dict(form, csrf_token=token),
                             headers=ORIGIN).status_code
        assert status not in (*REFUSED, 405) and status < 500, f"{principal} may write {rule}, got {status}"
