"""The AutoQA trust loop in a real browser: the reviewer's override in the review form is the
twentieth disagreement on the greeting, and the AutoQA page shows the criterion withheld.

Nineteen earlier overrides are made through the review service (same code path as the form);
the last one through the page.  Screenshots of the list and the criterion page go to `test-output/`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import World, _answer, _auto_evaluation, build_world
from sqlalchemy import select
from test_browser_review import OUTPUT, _sign_in
from werkzeug.serving import make_server

from qa_service.config import Settings
from qa_service.db.models import Channel, CriterionTrust, Interaction, Rubric, RubricVersion, User
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.review.evaluations import Decision, submit_review
from qa_service.web import create_app

pytestmark = [pytest.mark.browser]
GREETING = "Приветствие и название компании в первые 15 с"




def _nineteen_overrides(settings: Settings, world: World) -> int:
    """Nineteen calls whose machine said «yes» to the greeting, each overturned by a reviewer."""
    with transaction(settings.sqlalchemy_url) as session:
        rubric = session.scalars(select(Rubric).where(
            Rubric.tenant_id == world.tenant_id, Rubric.slug == "airline-call")).one()
        version = session.scalars(select(RubricVersion).where(RubricVersion.rubric_id == rubric.id)).first()
        assert version is not None
        ids = []
        for n in range(19):
            call = Interaction(tenant_id=world.tenant_id, source="test", external_id=f"CALL-1{n:03d}",
                               channel=Channel.CALL, agent_id=world.agents["anna"],
                               started_at=datetime.now(UTC) - timedelta(days=2, minutes=n))
            session.add(call)
            session.flush()
            _auto_evaluation(session, call, version, [_answer(0, "greeting", "yes", 10),
                                                      _answer(1, "farewell", "yes", 5)])
            ids.append(call.id)
        qa = viewer_for(session, session.get_one(User, world.users["qa"]))
        for interaction_id in ids:
            submit_review(session, qa, interaction_id, {"greeting": Decision("no", "компания не названа")})
        return rubric.id


@pytest.fixture
def live(settings: Settings) -> Iterator[tuple[str, World, int]]:
    world = build_world(settings, with_audio=False, started=datetime.now(UTC) - timedelta(days=1))
    rubric_id = _nineteen_overrides(settings, world)
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", world, rubric_id
    server.shutdown()
    thread.join(timeout=10)


def test_override_in_the_form_withholds_the_criterion(browser: Any, live: tuple[str, World, int],
                                                       settings: Settings) -> None:
    base, world, rubric_id = live
    qa = _sign_in(browser, base, world.emails["qa"])
    qa.goto(f"{base}/autoqa")
    row = qa.locator("#trust tr[data-criterion=greeting]").first
    assert row.get_attribute("data-state") == "collecting" and row.locator(".n").inner_text() == "19"

    qa.goto(f"{base}/interactions/{world.call_id}")
    qa.select_option("select[name=answer-greeting]", "no")
    qa.fill("input[name=reason-greeting]", "компания не названа")
    qa.click("#submit-review")
    qa.wait_for_url(lambda url: "/review" not in url)

    qa.goto(f"{base}/autoqa")
    row = qa.locator("#trust tr[data-criterion=greeting]").first
    assert row.get_attribute("data-state") == "withheld"
    assert row.locator(".n").inner_text() == "20" and "нужен ответ человека" in row.inner_text()
    assert GREETING in row.inner_text()
    OUTPUT.mkdir(exist_ok=True)
    qa.screenshot(path=str(OUTPUT / "autoqa-list.png"), full_page=True)

    row.locator("a").click()
    qa.wait_for_url(f"{base}/autoqa/{rubric_id}/greeting")
    assert "0 из 20" in qa.inner_text("#agreement")
    assert qa.inner_text("[data-cell=yes-no]") == "20"
    assert qa.locator("#disagreements a").count() == 20
    qa.screenshot(path=str(OUTPUT / "autoqa-criterion.png"), full_page=True)
    qa.click(f"#disagreements >> text={'CALL-0001'}")
    qa.wait_for_url(f"{base}/interactions/{world.call_id}")

    with transaction(settings.sqlalchemy_url) as session:
        trust = session.scalars(select(CriterionTrust).where(
            CriterionTrust.rubric_id == rubric_id, CriterionTrust.criterion_id == "greeting")).one()
        assert (trust.n, trust.agreed, trust.suppressed) == (20, 0, True)
