"""A careless day in a real browser (Playwright + Debian's chromium): nothing a person decided is
changed by a form from an old page.

1. Back, and the same form again, after «Отправить и опубликовать»: refused, nothing changed, and
   the agent still has one evaluation of the call.
2. A re-review after the supervisor accepted a dispute: the dispute's answer survives (the
   criterion cannot be changed from the review form), the new version keeps it, the agent has one
   row; a review page opened before the decision is refused when submitted after it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import PASSWORD, World, build_world
from sqlalchemy import func, select
from werkzeug.serving import make_server

from qa_service.config import Settings
from qa_service.db.models import Dispute, DisputeStatus, Evaluation, EvaluationStatus, Interaction
from qa_service.db.session import transaction
from qa_service.web import create_app

pytestmark = [pytest.mark.browser]


def _serve(settings: Settings, world: World) -> Iterator[tuple[str, World, Settings]]:
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", world, settings
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def live(settings: Settings) -> Iterator[tuple[str, World, Settings]]:
    world = build_world(settings, with_audio=False, with_dispute=True,
                        started=datetime.now(UTC) - timedelta(days=2))
    yield from _serve(settings, world)


def _sign_in(browser: Any, base: str, email: str) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _stored(settings: Settings, interaction_id: int) -> tuple[Any, ...]:
    with transaction(settings.sqlalchemy_url) as session:
        rows = session.scalars(select(Evaluation).where(Evaluation.interaction_id == interaction_id)
                               .order_by(Evaluation.id)).all()
        score = session.get_one(Interaction, interaction_id).score
        return score, tuple((e.id, e.status, e.version, e.score,
                             tuple((a.criterion_id, a.answer) for a in e.answers)) for e in rows)


def _agent_rows(agent: Any, base: str, external_id: str) -> int:
    agent.goto(f"{base}/my")
    return int(agent.locator(f"#my-evaluations tr:has-text('{external_id}')").count())


def test_back_and_resubmit_after_release_changes_nothing(browser: Any, live: tuple[str, World, Settings]) -> None:
    base, world, settings = live
    qa = _sign_in(browser, base, world.emails["qa"])
    page = f"{base}/interactions/{world.call_id}"
    qa.goto(page)
    # A second tab on the same page: the form a Back button would show again.
    stale = qa.context.new_page()
    stale.goto(page)

    qa.select_option("select[name=answer-greeting]", "no")
    qa.fill("input[name=reason-greeting]", "нет названия компании")
    qa.click("#submit-release")
    qa.wait_for_selector(".flash-ok")
    released_score = qa.inner_text("#score")
    assert qa.is_visible("#amend-released") and not qa.is_visible("#submit-release")
    before = _stored(settings, world.call_id)

    # Back, and «Отправить и опубликовать» again with other answers.
    qa.go_back()
    qa.go_back()
    if qa.locator("#submit-release").count():
        qa.select_option("select[name=answer-greeting]", "yes")
        qa.click("#submit-release")
        qa.wait_for_selector(".flash-error")
        assert "ничего не" in qa.inner_text(".flash-error")
    stale.select_option("select[name=answer-fare_rules]", "yes")
    stale.fill("input[name=reason-fare_rules]", "штраф назван")
    stale.click("#submit-release")
    stale.wait_for_selector(".flash-error")
    message = stale.inner_text(".flash-error")
    assert "изменилась после того, как вы открыли страницу" in message and "ничего не сохранено" in message
    assert stale.inner_text("#score") == released_score
    assert _stored(settings, world.call_id) == before

    agent = _sign_in(browser, base, world.emails["agent"])
    assert _agent_rows(agent, base, "CALL-0001") == 1


def test_a_re_review_after_an_accepted_dispute_keeps_the_decision(
    browser: Any, live: tuple[str, World, Settings]
) -> None:
    base, world, settings = live
    qa = _sign_in(browser, base, world.emails["qa"])
    page = f"{base}/interactions/{world.email_id}"
    # The QA specialist opens «Изменить опубликованную оценку» before the supervisor decides.
    qa.goto(page)
    qa.click("#amend-released")
    assert qa.locator("select[name=answer-signature]").count() == 0  # the disputed criterion waits for the dispute
    early = qa.context.new_page()
    early.goto(page + "?amend=1")

    supervisor = _sign_in(browser, base, world.emails["supervisor"])
    supervisor.goto(f"{base}/disputes/{world.dispute_id}")
    supervisor.select_option("select[name=decision]", "accept")
    supervisor.select_option("select[name=new_answer]", "yes")
    supervisor.fill("textarea[name=resolution]", "Телефон в подписи есть")
    supervisor.click("#resolve-form button[type=submit]")
    supervisor.wait_for_selector("#answer-after")
    assert supervisor.inner_text("#dispute-status") == "принят"
    after_dispute = _stored(settings, world.email_id)

    # The page drawn before the decision: refused, nothing changed.
    early.select_option("select[name=answer-greeting]", "no")
    early.fill("input[name=reason-greeting]", "без имени")
    early.fill("#change-reason", "перепроверка")
    early.click("#save-amendment")
    early.wait_for_selector(".flash-error")
    assert "ничего не сохранено" in early.inner_text(".flash-error")
    assert _stored(settings, world.email_id) == after_dispute

    # A fresh re-review: another criterion changes, the dispute's answer stays.
    qa.goto(page + "?amend=1")
    assert "спором" in qa.inner_text("#criterion-signature")
    qa.select_option("select[name=answer-greeting]", "no")
    qa.fill("input[name=reason-greeting]", "без имени клиента")
    qa.fill("#change-reason", "Обращение без имени клиента")
    qa.click("#save-amendment")
    qa.wait_for_selector(".flash-ok")
    assert "Оператор уведомлён" in qa.inner_text(".flash-ok")
    versions = qa.inner_text("#versions")
    assert "Версия 2" in versions and "Обращение без имени клиента" in versions and "спор принят" in versions
    with transaction(settings.sqlalchemy_url) as session:
        dispute = session.get_one(Dispute, world.dispute_id)
        review = session.get_one(Evaluation, world.evaluations["email_review"])
        assert dispute.status == DisputeStatus.ACCEPTED
        assert {a.criterion_id: a.answer for a in review.answers}["signature"] == "yes"
        assert {a.criterion_id: a.answer for a in review.answers}["greeting"] == "no"
        released = session.scalar(select(func.count()).select_from(Evaluation).where(
            Evaluation.interaction_id == world.email_id, Evaluation.status == EvaluationStatus.RELEASED))
        assert released == 1

    agent = _sign_in(browser, base, world.emails["agent"])
    assert _agent_rows(agent, base, "MAIL-0001") == 1
    agent.goto(page)
    history = agent.inner_text("#versions")
    assert "было «Да», стало «Нет»" in history.replace("\u00a0", " ") or "было" in history
    assert agent.is_visible("#acknowledge")  # changed after release: unread again
