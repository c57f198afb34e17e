"""One signed-in test client per principal (role × tenant), and the read/write checks every access test shares.

Used by tests/security (the access matrix, CSRF on every route) and tests/unit/web/test_ui_*_access.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from factories import sign_in
from flask import Flask

REFUSED = (401, 403, 404)  # 401: the API's answer; 403: the role; 404: not of this tenant (or not visible)


class Principal(NamedTuple):
    """A signed-in client and a CSRF token valid for its session (unpacks as `client, token`)."""

    client: Any
    token: str


def signed_in_clients(app: Flask, emails: Mapping[str, str]) -> dict[str, Principal]:
    """Sign each principal in through the real form, each from its own address.

    Its own address: sign-ins are limited per client address, and a module signs in more
    principals than one address may in a minute.
    """
    result = {}
    for number, (name, email) in enumerate(emails.items(), start=1):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.77.{number // 250}.{number % 250 + 1}"
        result[name] = Principal(client, sign_in(client, email))
    return result


def read_status(client: Any, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, str, bytes]:
    """GET `path`: (status, redirect target, body); streamed bodies (audio) are read and closed.

    A permanent redirect is the router's (a URL with a default written out, a missing slash), not the
    app's decision: it is followed once.
    """
    with client.get(path, headers=dict(headers or {})) as response:
        status, location, body = response.status_code, response.headers.get("Location", ""), response.get_data()
    if status in (301, 308) and location:
        with client.get(location, headers=dict(headers or {})) as response:
            status, location, body = response.status_code, response.headers.get("Location", ""), response.get_data()
    return status, location, body


def assert_read(client: Any, path: str, allowed: bool, label: str) -> tuple[int, bytes]:
    """An allowed read answers (200, or a redirect that is not to the sign-in page); a refused one 401/403/404."""
    status, location, body = read_status(client, path)
    if allowed:
        assert status == 200 or (status in (302, 303) and "/login" not in location), \
            f"{label} should read {path}, got {status} {location}"
    else:
        assert status in (*REFUSED, 405), f"{label} must not read {path}, got {status}"  # 405: POST-only actions
    return status, body


def assert_refused_write(client: Any, path: str, form: Mapping[str, Any], token: str, label: str,
                         snapshot: Callable[[], object], also: tuple[int, ...] = (),
                         headers: Mapping[str, str] | None = None) -> int:
    """POST with a valid CSRF token: refused (401/403/404, or one of `also`) and nothing stored changes."""
    before = snapshot()
    status = client.post(path, data=dict(form, csrf_token=token), headers=dict(headers or {})).status_code
    assert status in REFUSED + also, f"{label} must not write {path}, got {status}"
    assert snapshot() == before, f"{label} changed something with {path}"
    return status
