"""Walk a role's pages in real chromium and collect what must not happen: CSP violations, dialogs, `window.__xss`.

The pages are those of the access matrix the role may read that answer HTML.  Violations are caught
twice: in the page (a `securitypolicyviolation` listener, installed before any of our scripts run)
and by the app's report endpoint (`app.extensions["csp_violations"]`, filled in testing apps).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from access_matrix import MATRIX, fill
from factories import PASSWORD
from flask import Flask
from werkzeug.serving import make_server

from qa_service.web.headers import VIOLATIONS_KEY

# Listens before the page's own scripts: Playwright's init scripts are not subject to the page's CSP.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push({directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample,
                            source: e.sourceFile, line: e.lineNumber});
});
"""


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@dataclass
class Walk:
    page: Any
    dialogs: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)  # pages where window.__xss was set
    visited: list[str] = field(default_factory=list)


def signed_in_page(browser: Any, base: str, email: str) -> Walk:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    context.add_init_script(WATCH)
    page = context.new_page()
    walk = Walk(page)
    page.on("dialog", lambda dialog: (walk.dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    walk.violations.extend(page.evaluate("window.__violations"))
    return walk


def html_pages(app_client: Any, role: str, ids: dict[str, Any]) -> list[str]:
    """The matrix's GET paths this role may read that answer an HTML page (not files, JSON or redirects)."""
    paths = []
    for access in MATRIX.values():
        if access.get is None or access.special or role not in access.get:
            continue
        path = fill(access.path, ids)
        with app_client.get(path) as response:
            if response.status_code == 200 and response.mimetype == "text/html":
                paths.append(path)
    return paths


def visit(walk: Walk, base: str, path: str) -> None:
    page = walk.page
    page.goto(base + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    walk.visited.append(path)
    walk.violations.extend(dict(v, page=path) for v in page.evaluate("window.__violations"))
    if page.evaluate("typeof window.__xss !== 'undefined'"):
        walk.executed.append(path)


def reported(app: Flask, at_least: int = 0, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The reports the endpoint received; waits (bounded) until there are `at_least`."""
    deadline = time.monotonic() + timeout
    found: list[dict[str, Any]] = app.extensions[VIOLATIONS_KEY]
    while len(found) < at_least and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(found)


def provoke_violation(walk: Walk, base: str) -> None:
    """An inline script added to one of our pages: CSP must block it and report it (the hook works)."""
    walk.page.goto(base + "/account/password")
    walk.page.evaluate("""() => { const s = document.createElement('script');
                                  s.textContent = 'window.__xss = "control"'; document.body.appendChild(s); }""")
    walk.page.wait_for_function("window.__violations.length > 0", timeout=10_000)
