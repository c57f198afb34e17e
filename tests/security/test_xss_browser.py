"""Stored XSS: payloads in every free-text field a person or a platform writes, rendered in real chromium.

Names (agent, user, team, airline), transcript text and e-mail subjects, queue and topic, review
comments, rubric titles, calibration titles, dispute comments and resolutions, training-need reasons,
coaching material titles and links.  Every role walks its pages: no payload may run (`window.__xss`
stays unset, no dialog), and there is no CSP violation at all: escaping keeps each payload text, so
the policy never even has to block one (a violation would mean a payload reached the DOM as markup).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_walk import html_pages, live_server, reported, signed_in_page, visit
from flask import Flask
from matrix_world import ROLES, MatrixWorld, build_matrix_world
from role_clients import signed_in_clients
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import (
    Agent,
    CalibrationSession,
    CoachingMaterial,
    Dispute,
    Interaction,
    ReviewComment,
    Rubric,
    Team,
    Tenant,
    TrainingNeed,
    Turn,
    User,
)
from qa_service.db.session import transaction
from qa_service.web import create_app
from qa_service.web.headers import VIOLATIONS_KEY

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),  # as in test_csp_browser
]

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2;alert(2)">',
    '"><svg onload="window.__xss=3">',
    "'><script>window.__xss=4</script>",
    '<iframe srcdoc="<script>parent.__xss=5</script>"></iframe>',
    '<a href="javascript:window.__xss=6">ссылка</a>',
    "</textarea><script>window.__xss=7</script>",
    "</title><script>window.__xss=8</script>",
    '<details open ontoggle="window.__xss=9">',
    '<body onload="window.__xss=10">',
    "<style>*{display:none}</style><b>11</b>",
    '<input autofocus onfocus="window.__xss=12">',
    "javascript:window.__xss=13",
    '{{ 7*7 }}<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=14">',
    "\" onmouseover=\"window.__xss=15\" x=\"",
    "<script src=//127.0.0.1:9/x.js></script>",
]


def _store_payloads(settings: Settings, world: MatrixWorld) -> int:
    """Write a payload into every free-text field the world has; returns how many fields."""
    p = iter(PAYLOADS * 4)
    stored = 0
    ids = world.ids
    with transaction(settings.sqlalchemy_url) as session:
        def put(row: Any, *fields: str) -> None:
            nonlocal stored
            for name in fields:
                setattr(row, name, next(p))
                stored += 1

        put(session.get_one(Agent, world.world.agents["anna"]), "name")
        put(session.get_one(Agent, world.world.agents["petr"]), "name")
        for role in ROLES:
            put(session.get_one(User, world.world.users[role]), "name")
        put(session.get_one(Team, world.world.teams["alpha"]), "name")
        put(session.get_one(Tenant, world.world.tenant_id), "name")
        for key in ("call", "chat", "email"):
            put(session.get_one(Interaction, ids[key]), "queue", "topic")
            for turn in session.scalars(select(Turn).where(Turn.interaction_id == ids[key])):
                put(turn, "text")
                if turn.subject is not None:
                    put(turn, "subject")
        put(session.scalars(select(Rubric).where(Rubric.id == ids["rubric"])).one(), "title")
        put(session.get_one(CalibrationSession, ids["calibration"]), "title")
        put(session.get_one(Dispute, ids["dispute"]), "comment")
        put(session.get_one(TrainingNeed, ids["need"]), "reason")
        put(session.get_one(CoachingMaterial, ids["material"]), "title")
        session.add(CoachingMaterial(tenant_id=world.world.tenant_id, task_id=ids["task"], title=next(p),
                                     url="javascript:window.__xss=99"))
        for evaluation in (ids["eval_call"], ids["eval_review"]):
            session.add(ReviewComment(tenant_id=world.world.tenant_id, evaluation_id=evaluation,
                                      author_id=world.world.users["qa"], offset_seconds=1.0, text=next(p)))
        stored += 3
    return stored


@pytest.fixture
def site(settings: Settings) -> Iterator[tuple[str, Flask, MatrixWorld, int]]:
    world = build_matrix_world(settings)
    fields = _store_payloads(settings, world)
    app = create_app(settings)
    with live_server(app) as base:
        yield base, app, world, fields


def test_stored_payloads_never_run(browser: Any, site: tuple[str, Flask, MatrixWorld, int]) -> None:
    base, app, world, fields = site
    assert fields >= 40
    clients = signed_in_clients(app, {role: world.emails[role] for role in ROLES})
    visited = 0
    for role in ROLES:
        walk = signed_in_page(browser, base, world.emails[role])
        for path in html_pages(clients[role].client, role, world.ids):
            visit(walk, base, path)
            # Hovering and focusing every link and field would fire an injected handler; clicking
            # the material links would run a javascript: URL.
            for link in walk.page.locator("a[href^='javascript:' i]").all():
                raise AssertionError(f"{role} {path}: a javascript: link rendered: {link.get_attribute('href')}")
        assert walk.executed == [], f"{role}: a payload ran on {walk.executed}"
        assert walk.dialogs == [], f"{role}: {walk.dialogs}"
        assert walk.violations == [], f"{role}: {walk.violations}"
        visited += len(walk.visited)
        walk.page.context.close()
    assert reported(app) == [], app.extensions[VIOLATIONS_KEY]
    assert visited >= 40, visited


def test_the_payload_text_is_shown_as_text(browser: Any, site: tuple[str, Flask, MatrixWorld, int]) -> None:
    """Escaped, not dropped: the reviewer reads exactly what was written."""
    base, _app, world, _fields = site
    walk = signed_in_page(browser, base, world.emails["qa"])
    visit(walk, base, f"/interactions/{world.ids['call']}")
    shown = walk.page.inner_text("#transcript")
    assert "<script>window.__xss=" in shown or "onerror=" in shown
    assert walk.page.locator("#transcript script, #transcript img, #transcript svg").count() == 0
