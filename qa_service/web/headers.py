"""Security headers on every response, and the endpoint browsers report CSP violations to.

The policy allows scripts and styles from our own origin only: no inline `<script>`, no `style`
attributes, no `on…=` handlers, so a stored payload that slips past escaping still cannot run.
Pages pass data to `static/*.js` in `data-*` attributes.  rq-dashboard (a third-party page for
platform operators only) ships inline scripts and underscore templates; it alone gets a looser
`script-src`, and keeps every other directive.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, request
from flask.typing import ResponseReturnValue

from qa_service.web.security import csrf, limiter

REPORT_PATH = "/csp-report"
POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # report charts are PNG data URIs
    "media-src": "'self'",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    # report-uri, not report-to: Chromium ignores report-uri when report-to is present, and
    # report-to batches reports for up to a minute, so a test could not wait for them.
    "report-uri": REPORT_PATH,
}
# rq-dashboard's own templates: inline scripts and `_.template` (which compiles with `new Function`).
THIRD_PARTY_SCRIPTS = {"rq_dashboard": "'self' 'unsafe-inline' 'unsafe-eval'"}
THIRD_PARTY_STYLES = {"rq_dashboard": "'self' 'unsafe-inline'"}
REPORT_MAX_BYTES = 16 * 1024
VIOLATIONS_KEY = "csp_violations"  # app.extensions[...]: the list tests read (testing apps only)

bp = Blueprint("csp", __name__)


def content_security_policy(blueprint: str | None) -> str:
    policy = dict(POLICY)
    if blueprint in THIRD_PARTY_SCRIPTS:
        policy["script-src"] = THIRD_PARTY_SCRIPTS[blueprint]
        policy["style-src"] = THIRD_PARTY_STYLES[blueprint]
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def _without_query(url: Any) -> str:
    """Scheme, host and path only: a query string can hold what a user searched for (a card number)."""
    if not isinstance(url, str):
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else url.split("?", 1)[0][:100]


@bp.post(REPORT_PATH)
@csrf.exempt  # browsers send reports without our token; the endpoint only writes a log line
@limiter.limit("60 per minute")
def csp_report() -> ResponseReturnValue:
    body = request.get_data(cache=False)[:REPORT_MAX_BYTES]
    try:
        report = json.loads(body).get("csp-report")
    except (ValueError, AttributeError):
        return "", 400
    if not isinstance(report, dict):
        return "", 400
    violation = {
        "document": _without_query(report.get("document-uri")),
        "directive": str(report.get("effective-directive") or report.get("violated-directive") or "")[:100],
        "blocked": _without_query(report.get("blocked-uri")),
        "sample": str(report.get("script-sample") or "")[:40],
    }
    current_app.logger.warning("CSP violation: %s", violation)
    if current_app.testing:
        current_app.extensions.setdefault(VIOLATIONS_KEY, []).append(violation)
    return "", 204


def init_headers(app: Flask) -> None:
    """Add the security headers to every response and register the report endpoint."""
    app.register_blueprint(bp)
    if app.testing:
        app.extensions[VIOLATIONS_KEY] = []

    @app.after_request
    def _headers(response: Response) -> Response:
        # Pages show personal data: keep them out of shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request.blueprint))
        response.headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for older browsers
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
