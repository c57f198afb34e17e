"""The trainer's path in a real browser: from a flagged need to a recorded session and its measured effect.

The trainer recomputes the needs and sees Анна's (fare rules, far worse than her team), assigns
coaching with an uploaded PDF, the agent opens it and acknowledges, the trainer records the
session, and after new constructed interactions the effect appears with its interval and verdict.
A screenshot of the trainer's home goes to `test-output/`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from coaching_data import add_agent, add_calls
from factories import PASSWORD, World, build_world
from werkzeug.serving import make_server

from qa_service.config import Settings
from qa_service.web import create_app

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
HELD = NOW - timedelta(days=10)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
COLLEAGUES = (("olga", "Ольга Белова"), ("ivan", "Иван Серов"), ("nina", "Нина Котова"))

pytestmark = [pytest.mark.browser]




@pytest.fixture
def live(settings: Settings) -> Iterator[tuple[str, World, Settings]]:
    world = build_world(settings, with_audio=False, started=NOW - timedelta(days=30))
    # Before the session: Анна fails fare rules in 12 of 20 calls, her colleagues in 3 of 20.
    add_calls(settings, world, "anna", 20, {"fare_rules": 12}, end=HELD, days=9, tag="before")
    for key, name in COLLEAGUES:
        add_agent(settings, world, key, name, "alpha")
        add_calls(settings, world, key, 20, {"fare_rules": 3}, end=HELD, days=9, tag="before")
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", world, settings
    server.shutdown()
    thread.join(timeout=10)


def _sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU").new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def test_from_need_to_measured_effect_in_the_browser(browser: Any, live: tuple[str, World, Settings]) -> None:
    base, world, settings = live
    trainer = _sign_in(browser, base, world.emails["trainer"])
    assert trainer.url.endswith("/coaching")  # the trainer starts at their home

    trainer.click("text=Пересчитать потребности в обучении")
    trainer.wait_for_selector(".flash-ok")
    need_row = trainer.locator("#needs tr", has_text="Анна Смирнова")
    assert "T-FARES" in need_row.inner_text() and "Хуже команды" in need_row.inner_text()
    # 12 of 21 (her 20 calls and the e-mail of the factory world), with its interval beside it.
    assert "57 % (12/21; 95-процентный интервал" in need_row.inner_text()
    need_row.locator("a").click()
    trainer.wait_for_selector("#evidence a")
    assert trainer.locator("#evidence a").count() == 10

    trainer.fill("#assign-form input[name=due_at]", (NOW + timedelta(days=3)).strftime("%Y-%m-%d"))
    trainer.set_input_files("#assign-form input[name=material]", files=[
        {"name": "Правила тарифов.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    trainer.fill("#assign-form textarea[name=notes]", "Называть штраф и сбор при каждом обмене")
    trainer.click("#assign-form button[type=submit]")
    trainer.wait_for_selector("#task")
    task_url = trainer.url
    assert "Правила тарифов.pdf" in trainer.inner_text("#materials")
    assert trainer.locator("#examples a").count() == 3

    agent = _sign_in(browser, base, world.emails["agent"])
    assert agent.inner_text("#coaching-notices") == "1"
    agent.goto(f"{base}/coaching")
    agent.click("#tasks >> text=T-FARES")
    agent.wait_for_selector("#materials a")
    href = agent.get_attribute("#materials a", "href")
    download = agent.request.get(f"{base}{href}")
    assert download.ok and download.body() == PDF
    agent.click("#acknowledge")
    agent.wait_for_selector(".flash-ok")
    assert agent.inner_text("#acknowledged") != "ещё нет"

    trainer.goto(task_url)
    assert trainer.inner_text("#acknowledged") != "ещё нет"
    trainer.fill("#session-form input[name=held_at]", HELD.astimezone(ZoneInfo("Europe/Moscow")).strftime(
        "%Y-%m-%dT%H:%M"))
    trainer.select_option("#session-form select[name=attended]", "yes")
    trainer.fill("#session-form textarea[name=session_notes]", "Разобрали три звонка, отработали формулировки")
    trainer.click("#session-form button[type=submit]")
    trainer.wait_for_selector("#effect")
    assert trainer.inner_text("#task-status") == "готово"
    assert "пока мало данных" in trainer.inner_text("#effect")

    # After the session (constructed interactions): Анна 1 of 20, her colleagues still 3 of 20.
    add_calls(settings, world, "anna", 20, {"fare_rules": 1}, end=NOW, days=9, tag="after")
    for key, _ in COLLEAGUES:
        add_calls(settings, world, key, 20, {"fare_rules": 3}, end=NOW, days=9, tag="after")
    trainer.reload()
    effect = trainer.inner_text("#effect")
    assert "стало лучше" in effect and "п. п." in effect

    trainer.goto(f"{base}/coaching")
    assert "стало лучше" in trainer.inner_text("#effects")
    assert "T-FARES" in trainer.inner_text("#module-effects")
    OUTPUT.mkdir(exist_ok=True)
    trainer.screenshot(path=str(OUTPUT / "coaching-home.png"), full_page=True)
    trainer.goto(task_url)
    trainer.screenshot(path=str(OUTPUT / "coaching-task.png"), full_page=True)
