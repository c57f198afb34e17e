"""Every role's pages in real chromium under the Content-Security-Policy: no violation, and the pages still work.

The report hook is proven first to be live (an injected inline script is blocked and reported), so
"no report" means no violation.  The positions the server computes (timeline spans, agreement
bars) are set by our static script, not by style attributes: checked in the rendered page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_walk import html_pages, live_server, provoke_violation, reported, signed_in_page, visit
from flask import Flask
from matrix_world import ROLES, MatrixWorld, build_matrix_world
from role_clients import signed_in_clients

from qa_service.config import Settings
from qa_service.web import create_app
from qa_service.web.headers import VIOLATIONS_KEY

pytestmark = [
    pytest.mark.browser,
    # Chromium aborts media range requests; werkzeug's development server then leaves the streamed
    # file to the garbage collector (gunicorn closes it). Not our leak (as in test_browser_review).
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture
def site(settings: Settings) -> Iterator[tuple[str, Flask, MatrixWorld]]:
    world = build_matrix_world(settings)
    app = create_app(settings)
    with live_server(app) as base:
        yield base, app, world


def test_the_report_hook_records_a_blocked_inline_script(browser: Any, site: tuple[str, Flask, MatrixWorld]) -> None:
    base, app, world = site
    walk = signed_in_page(browser, base, world.emails["qa"])
    provoke_violation(walk, base)
    assert walk.page.evaluate("typeof window.__xss") == "undefined"  # blocked, not run
    reports = reported(app, at_least=1)
    assert [r["directive"] for r in reports] == ["script-src-elem"]
    assert reports[0]["document"].endswith("/account/password")


def test_every_role_walks_its_pages_without_a_csp_violation(browser: Any,
                                                            site: tuple[str, Flask, MatrixWorld]) -> None:
    base, app, world = site
    clients = signed_in_clients(app, {role: world.emails[role] for role in ROLES})
    visited = 0
    for role in ROLES:
        walk = signed_in_page(browser, base, world.emails[role])
        paths = html_pages(clients[role].client, role, world.ids)
        assert paths, role
        for path in paths:
            visit(walk, base, path)
            if path == f"/interactions/{world.ids['call']}" and walk.page.locator("#timeline .tl").count():
                # layout.js placed the timeline spans (the CSP forbids the style attributes they had).
                left = walk.page.eval_on_selector_all("#timeline .tl", "spans => spans.map(s => s.style.left)")
                assert all(value.endswith("%") for value in left) and len(set(left)) > 1, left
            if path == "/reports/daily-operations":
                # The charts (PNG data URIs) loaded, and reports.css applied (the grid of charts).
                assert walk.page.eval_on_selector_all(".charts img", "imgs => imgs.every(i => i.naturalWidth > 0)")
                assert walk.page.eval_on_selector(".charts", "e => getComputedStyle(e).display") == "grid"
        assert walk.violations == [], f"{role}: {walk.violations}"
        assert walk.dialogs == [] and walk.executed == [], role
        visited += len(walk.visited)
        walk.page.context.close()
    assert reported(app) == [], app.extensions[VIOLATIONS_KEY]
    assert visited >= 40, visited
