"""The case page in a real browser (Playwright + Debian's chromium): from the interaction page to its case,
the timeline across channels, both pieces of evidence of a discrepancy, the search by booking code, and
the airline's reviewer reading the cases sections of yesterday's quality report."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from qa_service.config import Settings
from qa_service.demo.cases import seed_demo_case
from qa_service.demo.tenant import DEMO_PASSWORD, prepare_demo_accounts
from qa_service.web import create_app

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"

pytestmark = pytest.mark.browser


@pytest.fixture
def live(settings: Settings) -> Iterator[tuple[str, list[int]]]:
    accounts = prepare_demo_accounts(settings)
    ids = seed_demo_case(settings, accounts.tenant_id, datetime.now(UTC))
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()
    thread.join(timeout=10)


def _sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="ru-RU").new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def test_from_a_call_to_its_case_with_both_pieces_of_evidence(browser: Any, live: tuple[str, list[int]]) -> None:
    base, (refund_call, chat, email, _sale) = live
    page = _sign_in(browser, base, "qa@demo.local")
    page.goto(f"{base}/interactions/{refund_call}")
    page.click("#case-link")
    page.locator("#case-timeline").wait_for()
    contacts = page.locator("#case-timeline li.case-contact")
    assert contacts.count() == 3
    assert [contacts.nth(i).get_attribute("data-interaction") for i in range(3)] == [
        str(refund_call), str(chat), str(email)]
    assert "код завершения не совпадает" in contacts.nth(0).inner_text()
    row = page.locator("#discrepancies tr.discrepancy[data-kind=refund_missing]")
    assert "7 850 рублей вернутся" in row.locator(".said").inner_text()  # what was said
    assert "нет события возврата" in row.locator(".done").inner_text()  # what was (not) done
    assert "SVX4T2" not in page.content()  # the booking shows masked only
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "case-page.png"), full_page=True)
    case_url = page.url

    page.goto(f"{base}/cases")
    page.fill("input[name=booking]", "svx4t2")
    page.click("form.card button[type=submit]")
    page.wait_for_url(case_url)


def test_the_reviewer_reads_reasons_fcr_and_discrepancies(browser: Any, live: tuple[str, list[int]]) -> None:
    base, (refund_call, _chat, _email, sale) = live
    page = _sign_in(browser, base, "customer@demo.local")
    yesterday = (datetime.now(UTC) + timedelta(hours=3)).date() - timedelta(days=1)
    page.goto(f"{base}/reports/daily-quality?date={yesterday.isoformat()}")
    page.locator("#table-discrepancies").wait_for()
    assert "Возврат" in page.locator("#table-contact_reasons").inner_text()
    assert "95 %" in page.locator("#table-fcr").inner_text()
    table = page.locator("#table-discrepancies").inner_text()
    assert "Обещан возврат — возврата нет" in table and "Названа не та сумма" in table
    assert str(refund_call) in table and str(sale) in table
