"""A calibration session through the routes: invite (with e-mail), score blind, submit, results,
consensus (gold labels), sign-off, and the PDF/XLSX reports opened with pypdf and openpyxl."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from email.header import decode_header, make_header
from typing import Any

import pytest
from factories import World, build_world, sign_in
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import CalibrationParticipant, CalibrationSession, CriterionTrust
from qa_service.db.session import transaction
from qa_service.services.calibration.results import consensus_answers
from qa_service.web import create_app


def _score_all(client: Any, token: str, session_id: int, disagree: bool = False) -> None:
    """Answer every criterion of every item (yes; every third one `no` when `disagree`)."""
    html = client.get(f"/calibration/{session_id}").get_data(as_text=True)
    for item in re.findall(rf"/calibration/{session_id}/items/(\d+)", html):
        page = client.get(f"/calibration/{session_id}/items/{item}").get_data(as_text=True)
        criteria = list(dict.fromkeys(re.findall(r'name="answer-([a-z_]+)"', page)))
        form = {"csrf_token": token}
        for n, criterion in enumerate(criteria):
            form[f"answer-{criterion}"] = "no" if disagree and n % 3 == 0 else "yes"
            form[f"comment-{criterion}"] = "сомневаюсь" if disagree and n % 3 == 0 else ""
        assert client.post(f"/calibration/{session_id}/items/{item}", data=form).status_code == 303


@pytest.fixture
def setup(settings: Settings, smtp_server: tuple[str, Any]) -> tuple[Any, World, Any, Settings]:
    url, inbox = smtp_server
    settings = replace(settings, smtp_url=url)
    world = build_world(settings, with_audio=False)
    return create_app(settings), world, inbox, settings


def test_full_session_from_invitation_to_signed_reports(setup: tuple[Any, World, Any, Settings]) -> None:
    app, world, inbox, settings = setup
    clients = {}
    for role in ("admin", "qa", "customer"):
        client = app.test_client()
        clients[role] = (client, sign_in(client, world.emails[role]))
    admin, admin_token = clients["admin"]
    response = admin.post("/calibration", data={
        "csrf_token": admin_token, "title": "Калибровка недели 48", "rule": "manual", "deadline": "2030-01-10",
        "ids": f"{world.call_id}, {world.chat_id}",
        "participants": [str(world.users["qa"]), str(world.users["customer"])],
    })
    assert response.status_code == 303
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    # Invitations by e-mail to both participants, once.
    recipients = sorted(m["To"] for _e, m in inbox.messages)
    assert recipients == sorted([world.emails["qa"], world.emails["customer"]])
    message = inbox.messages[0][1]
    assert "Калибровка недели 48" in str(make_header(decode_header(message["Subject"])))
    body = message.get_payload(decode=True).decode("utf-8")
    assert f"/calibration/{session_id}" in body and "вслепую" in body
    with transaction(settings.sqlalchemy_url) as session:
        row = session.get_one(CalibrationSession, session_id)
        assert row.benchmark_user_id == world.users["customer"]  # default: the first invited customer reviewer
        assert row.due_at is not None and row.due_at.year == 2030
        notified = session.scalars(select(CalibrationParticipant.notified_at).where(
            CalibrationParticipant.session_id == session_id)).all()
        assert all(n is not None for n in notified)

    qa, qa_token = clients["qa"]
    # A half-scored submit is refused with what is missing.
    html = qa.get(f"/calibration/{session_id}").get_data(as_text=True)
    first_item = re.findall(rf"/calibration/{session_id}/items/(\d+)", html)[0]
    qa.post(f"/calibration/{session_id}/items/{first_item}", data={"csrf_token": qa_token, "answer-greeting": "yes"})
    refused = qa.post(f"/calibration/{session_id}/submit", data={"csrf_token": qa_token}, follow_redirects=True)
    assert "не отвечено" in refused.get_data(as_text=True)
    # While blind, the interaction page hides the machine's evaluation from the QA participant too.
    page = qa.get(f"/interactions/{world.call_id}").get_data(as_text=True)
    assert 'data-machine="yes"' not in page and "Machine evaluation" not in page and "Оценка машины" not in page

    _score_all(qa, qa_token, session_id)
    assert qa.post(f"/calibration/{session_id}/submit", data={"csrf_token": qa_token}).status_code == 303
    assert qa.get(f"/calibration/{session_id}/results").status_code == 200
    customer, customer_token = clients["customer"]
    assert customer.get(f"/calibration/{session_id}/results").status_code == 403  # still blind
    _score_all(customer, customer_token, session_id, disagree=True)
    assert customer.post(f"/calibration/{session_id}/submit", data={"csrf_token": customer_token}).status_code == 303

    results = customer.get(f"/calibration/{session_id}/results").get_data(as_text=True)
    assert "Приветствие и название компании в первые 15 с" in results  # criterion titles, not ids
    assert 'class="ambiguous"' in results
    assert "сомневаюсь" in results
    # The QA lead (facilitator) records the consensus: a gold label.
    item_ids = re.findall(r'id="item-(\d+)"', results)
    assert admin.post(f"/calibration/{session_id}/items/{item_ids[0]}/consensus", data={
        "csrf_token": admin_token, "consensus-greeting": "no", "note-greeting": "компания не названа",
    }).status_code == 303
    assert customer.post(f"/calibration/{session_id}/items/{item_ids[0]}/consensus", data={
        "csrf_token": customer_token, "consensus-greeting": "yes"}).status_code == 403
    with transaction(settings.sqlalchemy_url) as session:
        gold = consensus_answers(session, world.tenant_id)
        assert [(i, c, a) for i, c, a, _when in gold] == [(world.call_id, "greeting", "no")]
        assert consensus_answers(session, world.other_tenant_id) == []
        # The gold label feeds the AutoQA trust loop at once: the greeting is measured against it.
        trust_row = session.scalar(select(CriterionTrust).where(CriterionTrust.tenant_id == world.tenant_id,
                                                                CriterionTrust.criterion_id == "greeting"))
        assert trust_row is not None and trust_row.n >= 1

    # Only the customer's lead signs off.
    assert qa.post(f"/calibration/{session_id}/sign-off", data={"csrf_token": qa_token}).status_code == 403
    assert customer.post(f"/calibration/{session_id}/sign-off", data={"csrf_token": customer_token}).status_code == 303
    signed = customer.get(f"/calibration/{session_id}/results").get_data(as_text=True)
    assert "Представитель авиакомпании" in signed and "sign-button" not in signed

    pdf = customer.get(f"/calibration/{session_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Калибровка недели 48" in text and "Подписано" in text and "Представитель авиакомпании" in text
    assert "Приветствие и название компании" in text
    fonts = PdfReader(io.BytesIO(pdf.data)).pages[0]["/Resources"]["/Font"]
    assert any("DejaVu" in str(fonts[f].get_object()["/BaseFont"]) for f in fonts)  # embedded Cyrillic font

    xlsx = customer.get(f"/calibration/{session_id}/report.xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Критерии", "Баллы", "Ответы", "Сессия"]
    criteria = book["Критерии"]
    assert criteria.freeze_panes == "A2" and criteria["A1"].value == "Критерий / criterion"
    titles = [c.value for c in criteria["A"][1:]]
    assert "Приветствие и название компании в первые 15 с" in titles
    assert all(isinstance(c.value, int | float) for c in criteria["B"][1:])  # agreement as numbers, not text
    assert criteria["B2"].number_format == "0%"
    scores = book["Баллы"]
    assert scores["A2"].value == "CALL-0001" and isinstance(scores["B2"].value, int | float)
    assert book["Сессия"]["B3"].value == "Представитель авиакомпании"

    alignment = admin.get("/calibration/alignment").get_data(as_text=True)
    assert "Ольга Контролёр" in alignment and "n=" in alignment


def test_session_is_created_when_the_mail_relay_is_down(settings: Settings) -> None:
    """The invitation e-mail failing must not lose the session: it stays in the app (nav badge)."""
    import socket

    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")
    world = build_world(settings, with_audio=False)
    app = create_app(settings)
    admin = app.test_client()
    token = sign_in(admin, world.emails["admin"])
    response = admin.post("/calibration", follow_redirects=True, data={
        "csrf_token": token, "title": "Без почты", "rule": "manual", "ids": str(world.chat_id),
        "participants": [str(world.users["qa"]), str(world.users["customer"])],
    })
    assert response.status_code == 200 and "Без почты" in response.get_data(as_text=True)
    assert "почтовый сервер не принял приглашения" in response.get_data(as_text=True)
    with transaction(settings.sqlalchemy_url) as session:
        notified = session.scalars(select(CalibrationParticipant.notified_at)).all()
        assert notified and all(n is None for n in notified)
    qa = app.test_client()
    sign_in(qa, world.emails["qa"])
    assert 'id="calibration-pending">1<' in qa.get("/calibration").get_data(as_text=True)
