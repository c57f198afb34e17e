"""The reviewer's day in a real browser: Playwright driving Debian's chromium against the real app.

Sign in, sample the queue, open the call from it, play the redacted recording and watch the
highlighted turn follow it, click a turn and see the player seek, override a criterion with
a reason and watch the score change, submit and release; then dispute it as the agent and
resolve it as the lead.  A screenshot of the interaction page goes to `test-output/`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from factories import PASSWORD, World, build_world
from werkzeug.serving import make_server

from qa_service.config import Settings
from qa_service.web import create_app

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"

pytestmark = [
    pytest.mark.browser,
    # Chromium aborts media range requests while seeking; werkzeug's development server then
    # leaves the streamed file to the garbage collector (gunicorn closes it). Not our leak.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]




@pytest.fixture
def live(settings: Settings) -> Iterator[tuple[str, World]]:
    world = build_world(settings, with_audio=True, started=datetime.now(UTC) - timedelta(days=7))
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", world
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


def _playing_position(page: Any) -> int | None:
    value = page.evaluate(
        "() => { const t = document.querySelector('.turn.playing'); return t ? +t.dataset.position : null; }"
    )
    return None if value is None else int(value)


def test_review_dispute_and_resolution_in_the_browser(browser: Any, live: tuple[str, World]) -> None:
    base, world = live
    qa = _sign_in(browser, base, world.emails["qa"])

    # The queue: sample last week, then open the call from it.
    qa.goto(f"{base}/queue")
    monday = datetime.now(UTC) - timedelta(days=7)
    monday -= timedelta(days=monday.weekday())
    qa.fill("input[name=week]", monday.date().isoformat())
    qa.click("text=Выбрать и назначить")
    qa.click("#queue >> text=CALL-0001")
    qa.wait_for_url(f"{base}/interactions/{world.call_id}")
    assert qa.inner_text("#score") == "72.73"
    assert not qa.is_visible("#critical-flag")

    # Play (Space is a user gesture): the highlighted turn follows the audio.
    qa.wait_for_function("() => document.getElementById('player').readyState >= 1")
    qa.keyboard.press("Space")
    qa.wait_for_function("() => document.querySelector('.turn.playing') !== null", timeout=10_000)
    first = _playing_position(qa)
    qa.wait_for_function(
        f"() => {{ const t = document.querySelector('.turn.playing'); return t && +t.dataset.position > {first}; }}",
        timeout=15_000,
    )
    assert (_playing_position(qa) or 0) > (first or 0)
    assert qa.evaluate("() => document.getElementById('player').currentTime") > 0

    # Click a later turn: the player seeks there and highlights it.
    start, _end = world.call_turn_times[6]
    qa.click("#turn-6 .text")
    qa.wait_for_function(f"() => document.getElementById('player').currentTime >= {start - 0.05}")
    qa.wait_for_function("() => document.querySelector('#turn-6.playing') !== null")
    qa.evaluate("() => document.getElementById('player').pause()")

    # Override a criterion: the reason field appears and the score recomputes live.
    qa.select_option("select[name=answer-identify_booking]", "no")
    assert qa.is_visible("input[name=reason-identify_booking]")
    assert qa.inner_text("#score") == "54.55"
    qa.fill("input[name=reason-identify_booking]", "код бронирования не подтверждён")
    OUTPUT.mkdir(exist_ok=True)
    qa.screenshot(path=str(OUTPUT / "interaction-page.png"), full_page=True)
    qa.click("#submit-release")
    qa.wait_for_selector(".flash-ok")
    assert "54.55" in qa.inner_text(".flash-ok")
    assert qa.inner_text("#score") == "54.55"

    # The agent disputes the overridden criterion.
    agent = _sign_in(browser, base, world.emails["agent"])
    agent.goto(f"{base}/my")
    agent.click("#my-evaluations >> text=CALL-0001")
    agent.click("#criterion-identify_booking summary")
    agent.fill("#criterion-identify_booking textarea[name=comment]", "Я подтвердила код бронирования с клиентом")
    agent.click("#criterion-identify_booking >> text=Отправить спор")
    agent.wait_for_selector("#dispute-status")
    assert agent.inner_text("#dispute-status") == "открыт"
    dispute_url = agent.url

    # The lead accepts it: the answer and the score change, the history keeps both.
    qa.goto(dispute_url)
    qa.select_option("select[name=decision]", "accept")
    qa.select_option("select[name=new_answer]", "yes")
    qa.fill("textarea[name=resolution]", "Код подтверждён на 0:09")
    qa.click("#resolve-form button[type=submit]")
    qa.wait_for_selector("#answer-after")
    assert qa.inner_text("#dispute-status") == "принят"

    agent.reload()
    assert agent.inner_text("#dispute-status") == "принят"
    assert "Код подтверждён" in agent.inner_text("#resolution")
    agent.goto(f"{base}/interactions/{world.call_id}")
    assert agent.inner_text("#score") == "72.73"
