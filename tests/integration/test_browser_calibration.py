"""Calibration in a real browser (Playwright + Debian's chromium against the real app).

1. Blind: a participant who has not submitted finds nobody's answers — not the other
   participant's, not the machine's — anywhere in the page source of the session, the
   scoring page, the interaction page or the refused results page.
2. A full session, as the issue's "done when": the QA lead invites 3 QA specialists and
   2 customer reviewers to score 5 interactions; two of them score in the browser (the
   other three through the service), results, consensus, the customer's sign-off, and the
   signed PDF downloaded.  Screenshots go to `test-output/`.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from factories import PASSWORD, World, build_world
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.serving import make_server

from qa_service.config import Settings
from qa_service.db.models import Channel, Interaction, ProcessingState, Role, Turn, User
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.accounts.tenants import hash_password
from qa_service.services.calibration.sessions import create_session, item_criteria, save_answers, session_items, submit
from qa_service.web import create_app

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
SECRET = "ОТВЕТ-КОНТРОЛЁРА-СЕКРЕТ"
# The machine's reasons and answers as the factory stores them: none may reach a blind page.
MACHINE_TEXT = ("приветствие и название компании", "запрошен код бронирования", "не назван штраф", "data-machine")

pytestmark = [pytest.mark.browser]




@pytest.fixture
def live(settings: Settings) -> Iterator[tuple[str, World, Settings]]:
    world = build_world(settings, with_audio=False, started=datetime.now(UTC) - timedelta(days=3))
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", world, settings
    server.shutdown()
    thread.join(timeout=10)


def _sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU",
                               accept_downloads=True).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _score_service(settings: Settings, user_id: int, session_id: int, answer_of: Any, comment: str = "") -> None:
    with transaction(settings.sqlalchemy_url) as session:
        viewer = viewer_for(session, session.get_one(User, user_id))
        calibration_items = session_items(session, viewer_calibration(session, session_id))
        for item, interaction in calibration_items:
            answers = {c.id: (answer_of(interaction, c), comment) for c in item_criteria(session, item, interaction)}
            save_answers(session, viewer, session_id, item.id, answers)
        submit(session, viewer, session_id)


def viewer_calibration(session: Any, session_id: int) -> Any:
    from qa_service.db.models import CalibrationSession

    return session.get_one(CalibrationSession, session_id)


def _score_in_browser(page: Any, base: str, session_id: int, no_every: int = 0) -> None:
    """Open the first item from the session page and answer every criterion, item after item."""
    page.goto(f"{base}/calibration/{session_id}")
    page.click("#items .score-link >> nth=0")
    while True:
        radios = page.locator("#criteria .criterion")
        for n in range(radios.count()):
            value = "no" if no_every and n % no_every == 0 else "yes"
            radios.nth(n).locator(f"input[value={value}]").check()
        if page.locator("#save-next").count():
            page.click("#save-next")
            page.wait_for_selector(".flash-ok")
        else:
            page.click("#save-draft")
            page.wait_for_url(f"{base}/calibration/{session_id}")
            break


def test_blind_participant_page_source_has_no_answers(browser: Any, live: tuple[str, World, Settings]) -> None:
    base, world, settings = live
    with transaction(settings.sqlalchemy_url) as session:
        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        session_id = create_session(session, admin, title="Слепая проверка", due_at=None,
                                    interaction_ids=[world.call_id, world.chat_id],
                                    participant_ids=[world.users["qa"], world.users["customer"]]).id
    _score_service(settings, world.users["qa"], session_id, lambda _i, c: "no" if c.id == "greeting" else "yes",
                   comment=SECRET)

    customer = _sign_in(browser, base, world.emails["customer"])
    pages = [f"{base}/calibration", f"{base}/calibration/{session_id}", f"{base}/interactions/{world.call_id}"]
    customer.goto(f"{base}/calibration/{session_id}")
    pages += [f"{base}{href}" for href in customer.eval_on_selector_all(
        "#items .score-link", "links => links.map(a => a.getAttribute('href'))")]
    assert len(pages) == 5
    for url in pages:
        response = customer.goto(url)
        assert response is not None and response.status == 200, url
        source = customer.content()
        assert SECRET not in source, url
        assert not any(text in source for text in MACHINE_TEXT), url
    # The results (and the reports) are refused by the server, not just hidden.
    for suffix in ("results", "report.pdf", "report.xlsx"):
        response = customer.goto(f"{base}/calibration/{session_id}/{suffix}")
        assert response is not None and response.status == 403, suffix
        assert SECRET not in customer.content()
    assert "после отправки ваших ответов" in customer.content()
    # So is the QA specialist's view of the machine while *they* are still blind in another session.
    with transaction(settings.sqlalchemy_url) as session:
        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        create_session(session, admin, title="Вторая", due_at=None, interaction_ids=[world.call_id],
                       participant_ids=[world.users["qa"], world.users["customer"]])
        score = session.get_one(Interaction, world.call_id).score
    qa = _sign_in(browser, base, world.emails["qa"])
    qa.goto(f"{base}/interactions/{world.call_id}")
    assert not any(text in qa.content() for text in MACHINE_TEXT)
    # Nor in the list's row of that interaction (score and flags), nor under a score sort.
    qa.goto(f"{base}/interactions")
    row = qa.locator("#interactions tr", has_text="CALL-0001").inner_html()
    assert f"{score:g}" not in row and "blind" in row
    qa.goto(f"{base}/interactions?sort=score_asc")
    assert "CALL-0001" not in qa.content()


def _extra_people_and_items(settings: Settings, world: World) -> tuple[list[int], list[int]]:
    """Two more QA specialists, a second customer reviewer, and a fifth interaction."""
    password = hash_password(PASSWORD)
    with transaction(settings.sqlalchemy_url) as session:
        extra = [User(tenant_id=world.tenant_id, email=email, name=name, role=role, password_hash=password)
                 for email, name, role in (("qa2@severny.test", "Павел Контролёр", Role.QA),
                                           ("qa3@severny.test", "Светлана Контролёр", Role.QA),
                                           ("customer2@severny.test", "Ирина Заказчик", Role.CUSTOMER))]
        session.add_all(extra)
        chat = Interaction(tenant_id=world.tenant_id, source="test", external_id="CHAT-0002", channel=Channel.CHAT,
                           agent_id=world.agents["anna"], queue="web-chat", topic="refund",
                           started_at=datetime.now(UTC) - timedelta(days=2), state=ProcessingState.SCORED)
        session.add(chat)
        session.flush()
        session.add_all([Turn(interaction_id=chat.id, position=0, speaker="customer", text="Как вернуть билет?",
                              at=chat.started_at),
                         Turn(interaction_id=chat.id, position=1, speaker="agent",
                              text="Здравствуйте! Меня зовут Анна. Возврат оформляется в личном кабинете.",
                              at=chat.started_at + timedelta(seconds=30))])
        session.flush()
        return [u.id for u in extra], [world.call_id, world.chat_id, world.email_id, world.other_agent_call_id,
                                       chat.id]


def test_full_session_in_the_browser(browser: Any, live: tuple[str, World, Settings]) -> None:
    base, world, settings = live
    (qa2, qa3, customer2), interactions = _extra_people_and_items(settings, world)

    # The QA lead creates the session: 5 interactions, 3 QA specialists, 2 customer reviewers.
    lead = _sign_in(browser, base, world.emails["admin"])
    lead.goto(f"{base}/calibration")
    lead.click("#new-session")
    lead.fill("input[name=title]", "Калибровка 48-й недели")
    lead.fill("input[name=deadline]", (datetime.now(UTC) + timedelta(days=5)).date().isoformat())
    lead.fill("input[name=ids]", ", ".join(map(str, interactions)))
    for user_id in (world.users["qa"], qa2, qa3, world.users["customer"], customer2):
        lead.check(f"#p-{user_id}")
    lead.check(f"input[name=benchmark][value='{world.users['customer']}']")  # the customer's lead reviewer
    lead.click("#new-session-form button[type=submit]")
    lead.wait_for_selector(".flash-ok")
    session_id = int(lead.url.rstrip("/").rsplit("/", 1)[1])
    assert lead.locator("#items tbody tr").count() == 5
    assert lead.locator("#participants li").count() == 5

    # Invited: the QA specialist sees it pending in the nav and scores it in the browser.
    qa = _sign_in(browser, base, world.emails["qa"])
    assert qa.inner_text("#calibration-pending") == "1"
    _score_in_browser(qa, base, session_id)
    qa.click("#submit-answers")
    qa.wait_for_url(f"{base}/calibration/{session_id}/results")

    # Three more score through the service: one strict QA specialist, one lenient, the second customer.
    _score_service(settings, qa2, session_id, lambda _i, c: "no" if c.id in ("greeting", "politeness") else "yes")
    _score_service(settings, qa3, session_id, lambda _i, _c: "yes")
    _score_service(settings, customer2, session_id, lambda _i, c: "na" if c.subjective else "yes")

    # The customer (the benchmark) scores blind, then submits and sees the results.
    customer = _sign_in(browser, base, world.emails["customer"])
    assert customer.goto(f"{base}/calibration/{session_id}/results").status == 403
    _score_in_browser(customer, base, session_id, no_every=5)
    customer.click("#submit-answers")
    customer.wait_for_url(f"{base}/calibration/{session_id}/results")
    assert customer.locator("#criteria-table tr.ambiguous").count() >= 1
    assert customer.locator("#people tbody tr").count() == 5
    agreement = customer.inner_text("#agreement")
    assert "—" not in agreement.split("\n")[1].split("\t")[1]  # alpha of all criteria is defined

    # The lead records the consensus on the first item after the discussion.
    lead.goto(f"{base}/calibration/{session_id}/results")
    first = lead.locator(".consensus-form").first
    first.locator("select").first.select_option("yes")
    first.locator("input[name^=note-]").first.fill("обсудили: компания названа")
    first.locator(".save-consensus").click()
    lead.wait_for_selector(".flash-ok")

    # The customer signs the report off and downloads the signed PDF.
    customer.goto(f"{base}/calibration/{session_id}/results")
    customer.click("#sign-button")
    customer.wait_for_selector(".flash-ok")
    assert "Представитель авиакомпании" in customer.inner_text("#sign-off")
    OUTPUT.mkdir(exist_ok=True)
    customer.screenshot(path=str(OUTPUT / "calibration-results.png"), full_page=True)
    with customer.expect_download() as download_info:
        customer.click("#report-pdf")
    target = OUTPUT / "calibration-report.pdf"
    download_info.value.save_as(str(target))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(target.read_bytes())).pages)
    assert "Калибровка 48-й недели" in text and "Представитель авиакомпании" in text
    assert "обсудили: компания названа" in " ".join(text.split())  # table cells wrap lines
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(User.name).where(User.id == customer2)) == "Ирина Заказчик"
