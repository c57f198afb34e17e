"""The first minute of each role on demo data, in a real browser (Playwright + Debian's chromium).

The demo's own set-up (`demo_world`, which runs `demo.tenant` on the test samples) prepares the
data: the airline, its users, teams, the week's sample, Анна's released evaluations and her
dispute, a calibration session, training needs and yesterday's reports.  Each role then does its
first task as the README tells them to, and leaves a screenshot in `test-output/first-minute-*.png`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from demo_world import seed_demo_world
from werkzeug.serving import make_server

from qa_service.config import Settings
from qa_service.demo.tenant import DEMO_PASSWORD
from qa_service.web import create_app

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
pytestmark = [pytest.mark.browser]


@pytest.fixture
def live(settings: Settings) -> Iterator[str]:
    seed_demo_world(settings)
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU").new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _shot(page: Any, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"first-minute-{name}.png"), full_page=True)


def test_first_minute_of_every_role(browser: Any, live: str) -> None:
    # QA: the queue has work; the first item opens with criteria in words and the review form.
    qa = _sign_in(browser, live, "qa@demo.local")
    qa.goto(f"{live}/queue")
    rows = qa.locator("#queue tbody tr a")
    assert rows.count() > 0, "the QA queue is empty on a fresh demo"
    rows.first.click()
    qa.wait_for_selector("#review-form")
    criteria = qa.locator(".criterion-head strong").all_inner_texts()
    assert criteria and all(" " in title for title in criteria), criteria  # titles, not ids like `greeting`
    _shot(qa, "qa")

    # Agent: a released evaluation to read and acknowledge.
    agent = _sign_in(browser, live, "agent@demo.local")
    agent.goto(f"{live}/my")
    agent.locator("table a").first.click()
    agent.click("#acknowledge")
    agent.wait_for_selector(".flash-ok, .flash")
    assert agent.locator("#acknowledge").count() == 0
    assert "прочитано оператором" in agent.inner_text(".score-card")
    _shot(agent, "agent")

    # Supervisor: Анна's dispute waits; accept it and the label names the supervisor.
    supervisor = _sign_in(browser, live, "supervisor@demo.local")
    supervisor.goto(f"{live}/disputes")
    supervisor.locator("#disputes tbody a").first.click()
    supervisor.select_option("select[name=decision]", "accept")
    disputed = supervisor.locator("p", has_text="Ответ на момент спора").locator("b").first.inner_text()
    new_answer = "no" if disputed.strip() == "Да" else "yes"
    supervisor.select_option("select[name=new_answer]", new_answer)
    supervisor.fill("textarea[name=resolution]", "Прослушала запись: оператор прав.")
    supervisor.click("#resolve-form button[type=submit]")
    supervisor.wait_for_selector("#answer-after")
    supervisor.click("main a[href*='/interactions/']")
    supervisor.wait_for_selector(".override")
    assert "Марина Руководитель" in supervisor.inner_text(".override")
    _shot(supervisor, "supervisor")

    # Admin: the settings page saves a time zone, and the audit log says so in words.
    admin = _sign_in(browser, live, "admin@demo.local")
    admin.goto(f"{live}/admin/settings")
    admin.fill("input[name=timezone]", "Asia/Yekaterinburg")
    admin.click("#settings-form button[type=submit]")
    admin.wait_for_selector(".flash-ok")
    assert admin.input_value("input[name=timezone]") == "Asia/Yekaterinburg"
    admin.goto(f"{live}/admin/audit")
    assert "изменил(а) настройки" in admin.inner_text("#audit")
    assert "Администратор" in admin.inner_text("#audit")
    _shot(admin, "admin")

    # Trainer: lands on «Обучение» with open needs, and the effect of past coaching is measured.
    trainer = _sign_in(browser, live, "trainer@demo.local")
    assert trainer.url.rstrip("/").endswith("/coaching"), trainer.url
    assert trainer.locator("#needs tbody tr").count() > 0, "no training needs for the trainer"
    assert trainer.locator("#module-effects tbody tr").count() > 0
    _shot(trainer, "trainer")

    # Airline's reviewer: yesterday's reports with charts, then the calibration session to score blind.
    customer = _sign_in(browser, live, "customer@demo.local")
    customer.click("nav.main-nav >> text=Отчёты")
    customer.wait_for_selector("#report-subtitle")
    assert customer.locator("figure img, figure svg").count() > 0, "the report has no charts"
    assert customer.locator("#signoff").count() == 1
    _shot(customer, "customer-reports")
    customer.click("#nav-calibration")
    customer.locator("#sessions tbody a").first.click()
    customer.locator("#items .score-link").first.click()
    customer.wait_for_selector("#calibration-form")
    assert customer.locator("#criteria .criterion").count() > 0
    _shot(customer, "customer-calibration")
