"""Security headers on every kind of response, the CSP report endpoint, and templates free of inline code."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from factories import World, build_world, sign_in
from flask import Flask

from qa_service.config import Settings
from qa_service.web import create_app
from qa_service.web.headers import VIOLATIONS_KEY, content_security_policy

TEMPLATES = Path(str(resources.files("qa_service").joinpath("web/templates")))
# What the policy forbids, as it would be written in a template.
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "style block": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False)


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.partition(" ")[2] for part in (p.strip() for p in policy.split(";")) if part}


def test_the_policy_allows_no_inline_code_and_no_framing() -> None:
    policy = _directives(content_security_policy("interactions"))
    assert "unsafe-inline" not in content_security_policy("interactions")
    assert "unsafe-eval" not in content_security_policy("interactions")
    assert policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["report-uri"] == "/csp-report"


def test_only_rq_dashboard_gets_inline_scripts_and_keeps_the_rest() -> None:
    rq = _directives(content_security_policy("rq_dashboard"))
    assert "'unsafe-inline'" in rq["script-src"]
    assert rq["frame-ancestors"] == "'none'" and rq["report-uri"] == "/csp-report"


@pytest.mark.parametrize("path", ["/login", "/interactions", "/static/app.css", "/api/v1/openapi.json",
                                  "/healthz", "/no-such-page", "/interactions/999999999"])
def test_every_response_carries_the_headers(app: Flask, world: World, path: str) -> None:
    client = app.test_client()
    sign_in(client, world.emails["qa"])
    with client.get(path) as response:  # closed: a static file is streamed
        headers = response.headers
    assert _directives(headers["Content-Security-Policy"])["frame-ancestors"] == "'none'"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_violation_reports_are_recorded_without_query_strings(app: Flask) -> None:
    report = {"csp-report": {"document-uri": "http://localhost/interactions?q=4111111111111111",
                             "effective-directive": "script-src-elem", "blocked-uri": "inline",
                             "script-sample": "window.__xss=1"}}
    response = app.test_client().post("/csp-report", data=json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 204
    [recorded] = app.extensions[VIOLATIONS_KEY]
    assert recorded["document"] == "http://localhost/interactions" and recorded["directive"] == "script-src-elem"
    assert "4111" not in json.dumps(recorded)


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'{"csp-report": "x"}', b"\xff\xfe"])
def test_a_malformed_report_is_refused_without_a_trace(app: Flask, body: bytes) -> None:
    assert app.test_client().post("/csp-report", data=body, content_type="application/csp-report").status_code == 400
    assert app.extensions[VIOLATIONS_KEY] == []


def test_no_template_has_inline_scripts_styles_or_handlers() -> None:
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), start=1):
            found += [f"{template.relative_to(TEMPLATES)}:{number}: {kind}" for kind, pattern in INLINE.items()
                      if pattern.search(line)]
    assert len(list(TEMPLATES.rglob("*.html"))) > 30
    assert not found, "the CSP forbids these (move them to static/*.js or *.css):\n" + "\n".join(found)
