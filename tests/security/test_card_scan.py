"""No full card number anywhere: card numbers pushed through every free-text entry point, then the
card scan (`qa-service security scan-cards`) over every table, the blob store, the spool and the logs.

On the real PostgreSQL (a database of its own, so other tests' rows are not scanned) and a real
gunicorn with the service's gunicorn config for the access and error logs.  The control test plants
numbers past the application (raw SQL, files) and shows the scan finds them: it can fail.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from factories import PASSWORD, World, build_world, csrf_from, sign_in
from flask import Flask
from sqlalchemy import func, select, text

from qa_service.cli import main as cli_main
from qa_service.config import Settings
from qa_service.core.redaction import luhn_valid
from qa_service.db.blobs import BlobStore
from qa_service.db.models import CoachingTask, Dispute, Evaluation, EvaluationKind, Interaction, Team, Tenant
from qa_service.db.session import engine_for, transaction
from qa_service.services.accounts.tokens import issue_token
from qa_service.services.card_scan import CardScanReport, scan_for_cards
from qa_service.web import create_app

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
POSTGRES_ADMIN_URL = os.environ.get("QA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")

# Test card numbers of the schemes (Luhn-valid), one per separator style.
CARDS = {
    "spaces": "4111 1111 1111 1111",
    "dashes": "5500-0000-0000-0004",
    "dots": "3782.822463.10005",
    "underscores": "4012_8888_8888_1881",
    "none": "6011000990139424",
}
DIGITS = {style: re.sub(r"\D", "", card) for style, card in CARDS.items()}


def _halves(card: str) -> tuple[str, str]:
    middle = len(card) // 2
    return card[:middle], card[middle:]


@pytest.fixture
def scan_settings(own_pg_settings: Settings, redis_url: str) -> Settings:
    """A PostgreSQL database for this test alone (the scan reads every row in it).

    Jobs go to the real Redis and are not run: the world's rubrics are stand-ins that cannot score,
    and what is stored at each entry point is what this test is about.
    """
    return own_pg_settings.with_overrides(redis_url=redis_url)


# --- the entry points --------------------------------------------------------------------------------


def _push_documents(world: World) -> list[dict[str, Any]]:
    """A chat, an e-mail thread and a call per separator style, card numbers in every platform field."""
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    documents: list[dict[str, Any]] = []
    for n, card in enumerate(CARDS.values()):
        first, second = _halves(card)
        at = (started + timedelta(minutes=n)).isoformat()
        common = {
            "source": f"site {card}", "agent_id": f"op-{card}", "queue": f"q {card}", "topic": f"t{card}",
            "started_at": at,
            "meta": {f"key {card}": f"value {card}", "agent_name": f"Оператор {card}",
                     "nested": {f"id_{card}": [card, {card: card}]}},
        }
        documents.append(dict(common, external_id=f"chat-{card}", channel="chat", turns=[
            {"speaker": "customer", "text": f"Оплачу картой {first}", "at": at},
            {"speaker": "agent", "text": "Пожалуйста, не пишите данные карты в чат", "at": at},
            {"speaker": "customer", "text": second, "at": at},
            {"speaker": "customer", "text": f"или вот вся: {card}", "at": at},
        ]))
        documents.append(dict(common, external_id=f"mail_{card}", channel="email", turns=[
            {"speaker": "customer", "subject": f"Возврат {card}", "text": f"Карта {first}", "at": at},
            {"speaker": "customer", "subject": "Re: возврат", "text": f"{second}, спасибо", "at": at},
        ]))
        documents.append(dict(
            common, external_id=f"call.{card}", channel="call",
            recording={"uri": f"https://pbx.example/rec/{card}.wav?{card.replace(' ', '%20')}",
                       "channels": {"0": "agent", f"1{card}": "customer"}},
            metrics={"silences": [], "overtalk": [], "holds": [], "talk_ratio": {"agent": 0.5, f"x{card}": 0.5}},
            quality={"score": 0.9, "flags": [f"flag {card}"]},
            turns=[{"speaker": "agent", "text": "Здравствуйте, Северный Ветер, меня зовут Анна", "start": 0.0,
                    "end": 2.0},
                   {"speaker": "customer", "text": f"номер карты {card}", "start": 2.5, "end": 6.0}],
        ))
    return documents


def _push_through_the_api(app: Flask, settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        token = issue_token(session, session.get_one(Tenant, world.tenant_id))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    documents = _push_documents(world)
    for document in documents:
        response = client.post("/api/v1/interactions", json=document, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)
    # Identifiers with a card in them stay joinable: a repeat delivery finds its row.
    for document in documents[:3]:
        assert client.post("/api/v1/interactions", json=document, headers=headers).status_code == 200
    with transaction(settings.sqlalchemy_url) as session:
        stored = session.scalar(select(func.count()).select_from(Interaction).where(
            Interaction.tenant_id == world.tenant_id, Interaction.source.like("site %")))
    assert stored == len(documents)


def _review_dispute_and_resolve(app: Flask, settings: Settings, world: World) -> None:
    qa = app.test_client()
    token = sign_in(qa, world.emails["qa"])
    for style, card in CARDS.items():
        response = qa.post(f"/interactions/{world.call_id}/comments", data={
            "text": f"Клиент продиктовал {card} ({style})", "offset": "3", "csrf_token": token})
        assert response.status_code in (302, 303)
    response = qa.post(f"/interactions/{world.email_id}/review", data={
        "answer-signature": "yes", "reason-signature": f"подпись есть, карта {CARDS['underscores']}",
        "answer-greeting": "no", "reason-greeting": f"{CARDS['dots']} вместо приветствия",
        "csrf_token": token, "action": "release"})
    assert response.status_code in (302, 303)
    with transaction(settings.sqlalchemy_url) as session:
        review_id = session.scalar(select(Evaluation.id).where(
            Evaluation.interaction_id == world.email_id, Evaluation.kind == EvaluationKind.REVIEW))
    assert review_id is not None
    agent = app.test_client()
    agent_token = sign_in(agent, world.emails["agent"])
    response = agent.post(f"/evaluations/{review_id}/disputes", data={
        "criterion": "greeting", "comment": f"Я поздоровалась, карта {CARDS['none']} не моя",
        "csrf_token": agent_token})
    assert response.status_code == 303
    with transaction(settings.sqlalchemy_url) as session:
        dispute_id = session.scalar(select(Dispute.id).where(Dispute.evaluation_id == review_id))
    assert dispute_id is not None
    response = qa.post(f"/disputes/{dispute_id}/resolve", data={
        "decision": "reject", "resolution": f"Отклонено: {CARDS['dashes']}", "csrf_token": token})
    assert response.status_code in (302, 303)


def _calibrate(app: Flask, world: World) -> None:
    admin = app.test_client()
    admin_token = sign_in(admin, world.emails["admin"])
    response = admin.post("/calibration", data={
        "csrf_token": admin_token, "title": f"Калибровка {CARDS['spaces']}", "rule": "manual",
        "deadline": "2030-01-10", "ids": f"{world.chat_id}",
        "participants": [str(world.users["qa"]), str(world.users["customer"])]})
    assert response.status_code == 303
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    qa = app.test_client()
    qa_token = sign_in(qa, world.emails["qa"])
    html = qa.get(f"/calibration/{session_id}").get_data(as_text=True)
    item = re.findall(rf"/calibration/{session_id}/items/(\d+)", html)[0]
    page = qa.get(f"/calibration/{session_id}/items/{item}").get_data(as_text=True)
    criteria = list(dict.fromkeys(re.findall(r'name="answer-([a-z_]+)"', page)))
    form = {"csrf_token": qa_token}
    for criterion in criteria:
        form[f"answer-{criterion}"] = "yes"
        form[f"comment-{criterion}"] = f"сомневаюсь: {CARDS['underscores']}"
    assert qa.post(f"/calibration/{session_id}/items/{item}", data=form).status_code == 303
    assert qa.post(f"/calibration/{session_id}/submit", data={"csrf_token": qa_token}).status_code == 303
    results = admin.get(f"/calibration/{session_id}/results").get_data(as_text=True)
    result_item = re.findall(r'id="item-(\d+)"', results)[0]
    assert admin.post(f"/calibration/{session_id}/items/{result_item}/consensus", data={
        "csrf_token": admin_token, f"consensus-{criteria[0]}": "yes",
        f"note-{criteria[0]}": f"согласовано, {CARDS['dots']}"}).status_code == 303


def _coach(app: Flask, settings: Settings, world: World) -> None:
    trainer = app.test_client()
    token = sign_in(trainer, world.emails["trainer"])
    response = trainer.post("/coaching/tasks", data={
        "csrf_token": token, "module": "T-PAY", "agent_id": str(world.agents["anna"]), "format": "one_to_one",
        "notes": f"Не просить номер карты ({CARDS['dashes']})"})
    assert response.status_code == 303
    with transaction(settings.sqlalchemy_url) as session:
        task_id = session.scalar(select(CoachingTask.id).where(CoachingTask.tenant_id == world.tenant_id))
    assert task_id is not None
    trainer.post(f"/coaching/tasks/{task_id}/session", data={
        "csrf_token": token, "attended": "yes", "session_notes": f"Разобрали звонок с {CARDS['none']}"})


def _admin_forms(app: Flask, settings: Settings, world: World) -> None:
    admin = app.test_client()
    token = sign_in(admin, world.emails["admin"])
    admin.post("/admin/users", data={"email": "card.user@severny.test", "name": f"Новый {CARDS['spaces']}",
                                     "role": "qa", "password": "long-enough-1", "csrf_token": token})
    admin.post("/admin/teams", data={"name": f"Команда {CARDS['underscores']}", "csrf_token": token})
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(Team).where(Team.name == "Команда [карта]")) is not None


# --- the logs: a real gunicorn with the service's config -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(client: httpx.Client, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Until gunicorn answers (its workers import the app first), or fail if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            client.get("/login")
            return
        except httpx.TransportError:
            time.sleep(0.2)  # not racing work: polling for a condition, bounded by the deadline
    pytest.fail("gunicorn did not answer within the timeout")


def _gunicorn_traffic(settings: Settings, world: World, logs: Path) -> tuple[Path, Path]:
    """Transcript searches for card numbers (the access log) and a failed insert (the error log)."""
    access, error = logs / "access.log", logs / "error.log"
    port = _free_port()
    env = dict(os.environ, QA_ENV="test", DATABASE_URL=settings.database_url, SECRET_KEY=settings.secret_key,
               QA_INSTANCE_DIR=str(settings.instance_dir))
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:qa_service.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--access-logfile", str(access), "--error-logfile", str(error),
         "qa_service.web:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as client:
            _wait_until_listening(client, server)
            token = csrf_from(client.get("/login").text)
            assert client.post("/login", data={"email": world.emails["qa"], "password": PASSWORD,
                                               "csrf_token": token}).status_code in (302, 303)
            for card in CARDS.values():
                assert client.get("/interactions", params={"q": card}).status_code in (200, 400)
                client.get(f"/interactions?q={card.replace(' ', '+')}")
    finally:
        server.terminate()
        server.wait(timeout=60)
    _failed_insert_logged(settings, error)
    return access, error


def _failed_insert_logged(settings: Settings, error_log: Path) -> None:
    """A failed INSERT whose values hold a card, logged with its traceback through gunicorn's error logger
    as set up by the service's gunicorn config (in this process: the statement fails on purpose)."""
    from gunicorn.config import Config

    from qa_service.gunicorn_conf import RedactingLogger

    config = Config()
    config.set("errorlog", str(error_log))
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    gunicorn_logger = RedactingLogger(config)
    try:
        slug = f"t-{DIGITS['spaces']}"
        with engine_for(settings.sqlalchemy_url).connect() as connection:
            connection.execute(text("INSERT INTO tenants (slug, name, timezone, settings, created_at) "
                                    "VALUES (:slug, :name, 'UTC', '{}', now())"),
                               {"slug": slug, "name": CARDS["dashes"]})
            try:
                connection.execute(text("INSERT INTO tenants (slug, name, timezone, settings, "
                                        "created_at) VALUES (:slug, :name, 'UTC', '{}', now())"),
                                   {"slug": slug, "name": CARDS["dashes"]})
            except Exception:
                logging.getLogger("qa_service.web").exception("insert failed for %s", CARDS["none"])
            connection.rollback()
    finally:
        for handler in gunicorn_logger.error_log.handlers:
            handler.close()
        root.handlers[:], _ = saved
        root.setLevel(saved[1])


# --- the tests ----------------------------------------------------------------------------------------------


def _scan_cli(settings: Settings, logs: list[Path], monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setenv("QA_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("QA_INSTANCE_DIR", str(settings.instance_dir))
    capsys.readouterr()
    code = cli_main(["security", "scan-cards", *[a for log in logs for a in ("--log", str(log))]])
    return code, capsys.readouterr().out


def test_the_cards_are_test_numbers_of_every_separator_style() -> None:
    assert all(luhn_valid(d) and 13 <= len(d) <= 19 for d in DIGITS.values())
    assert {"_", "-", ".", " "} <= {c for card in CARDS.values() for c in card}


def test_no_card_survives_any_entry_point(
    scan_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = scan_settings
    world = build_world(settings, with_audio=False)
    app = create_app(settings)
    _push_through_the_api(app, settings, world)
    _review_dispute_and_resolve(app, settings, world)
    _calibrate(app, world)
    _coach(app, settings, world)
    _admin_forms(app, settings, world)
    logs = tmp_path / "logs"
    logs.mkdir()
    access, error = _gunicorn_traffic(settings, world, logs)
    # The logs hold what they should (else a clean scan proves nothing): the searches and the failure.
    access_text, error_text = access.read_text("utf-8"), error.read_text("utf-8")
    assert access_text.count("/interactions?q=") >= 2 * len(CARDS)
    assert "IntegrityError" in error_text and "INSERT INTO tenants" in error_text

    report = scan_for_cards(settings, [access, error])
    print(f"card scan: {len(report.tables)} tables, {report.columns} columns, {report.rows} rows, "
          f"{report.cells} cells, {len(report.files)} files, {len(report.findings)} findings")
    assert [f.line() for f in report.findings] == []
    assert {"interactions", "turns", "review_comments", "disputes", "calibration_answers", "coaching_tasks",
            "users", "teams", "agents", "audit_log"} <= set(report.tables)
    assert report.rows > 50 and str(access) in report.files and str(error) in report.files
    code, out = _scan_cli(settings, [access, error], monkeypatch, capsys)
    assert code == 0 and "no card numbers found" in out


def test_the_scan_finds_a_planted_card_everywhere_it_looks(
    scan_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = scan_settings
    world = build_world(settings, with_audio=False)
    # Past the application (raw SQL, files written directly): what a bug elsewhere would leave.
    with engine_for(settings.sqlalchemy_url).begin() as connection:
        connection.execute(text("UPDATE turns SET text = :t WHERE interaction_id = :i AND position = 0"),
                           {"t": f"карта {CARDS['underscores']}", "i": world.chat_id})
        connection.execute(text("UPDATE interactions SET meta = CAST(:m AS jsonb) WHERE id = :i"),
                           {"m": f'{{"k {DIGITS["none"]}": 1}}', "i": world.email_id})
    BlobStore.from_url(settings.blob_url).put_bytes("tenant-1/notes.txt", f"x {CARDS['dots']} y".encode())
    settings.spool.mkdir(parents=True, exist_ok=True)
    (settings.spool / "raw.bin").write_bytes(b"\x00\x01" + DIGITS["spaces"].encode() + b"\xff")
    (settings.spool / f"{CARDS['underscores']}.wav").write_bytes(b"RIFF")
    log = tmp_path / "access.log"
    log.write_text(f'127.0.0.1 - - "GET /interactions?q={CARDS["dashes"].replace("-", "%2D")} HTTP/1.1" 200\n')

    report: CardScanReport = scan_for_cards(settings, [log])
    where = {f.where for f in report.findings}
    assert {"turns.text", "interactions.meta"} <= where
    assert {str(log), str(settings.spool / "raw.bin")} <= where
    assert any(w.endswith("notes.txt") for w in where)
    assert str(settings.spool / f"{CARDS['underscores']}.wav") in where  # a file's name counts too
    assert len(report.findings) == 6
    code, out = _scan_cli(settings, [log], monkeypatch, capsys)
    assert code == 1 and "turns.text" in out and "************1881" in out
    assert not any(d in out for d in DIGITS.values())  # findings are masked
