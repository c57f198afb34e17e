"""The airline's reviewer opens the day's reports in a real browser (Playwright + Debian's chromium).

Charts render, the data table behind a chart opens, the day is signed off from the page, and
the PDF download opens; screenshots of both pages and the PDF's first page (pdftoppm) go to
`test-output/`.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from report_data import DAY, PASSWORD, ReportWorld, build_report_world
from werkzeug.serving import make_server

from qa_service.config import Settings
from qa_service.web import create_app

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"

pytestmark = pytest.mark.browser




@pytest.fixture
def live(settings: Settings) -> Iterator[tuple[str, ReportWorld]]:
    world = build_report_world(settings)
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", world
    server.shutdown()
    thread.join(timeout=10)


def test_customer_reads_signs_off_and_downloads(browser: Any, live: tuple[str, ReportWorld]) -> None:
    base, world = live
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU",
                               accept_downloads=True).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", world.users["customer"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(f"{base}/reports/daily-quality?date={DAY.isoformat()}")
    pareto = page.locator("#chart-pareto img")
    pareto.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth > 300", pareto.element_handle())
    table = page.locator("#chart-table-pareto")
    assert not table.is_visible()
    page.click("#chart-pareto summary")
    assert table.is_visible() and "Приветствие и название компании" in table.inner_text()
    assert "Данные карты не запрашиваются голосом" in page.locator("#table-critical").inner_text()

    page.click("#sign-off")
    page.locator("#signed-by").wait_for()
    assert "customer пользователь" in page.locator("#signed-by").inner_text()
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "report-quality.png"), full_page=True)

    page.goto(f"{base}/reports/daily-operations?date={DAY.isoformat()}")
    page.locator("#chart-staffing img").wait_for()
    assert page.locator("#table-hours tr.understaffed").count() == 1
    page.screenshot(path=str(OUTPUT / "report-operations.png"), full_page=True)
    with page.expect_download(timeout=120_000) as download_info:
        page.click("#download-pdf")
    pdf_path = OUTPUT / "report-operations.pdf"
    download_info.value.save_as(str(pdf_path))
    assert pdf_path.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf_path),
                    str(OUTPUT / "report-operations-pdf-page1")], check=True, capture_output=True)
    assert (OUTPUT / "report-operations-pdf-page1.png").stat().st_size > 10_000
