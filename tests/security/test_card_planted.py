"""The planted set: a card number in every form an attacker or a careless admin can give it, through every
entry point, then `qa-service security scan-cards` over the database, Redis, the blob store and the spool.

Each planted number is written the way that once got past the redaction: URL-encoded, in English
words, split by an e-mail's HTML tags, in Russian words, inside a connector's settings, a rubric, a
tenant's public phones, a user's e-mail, a .txt and a .docx (its digits split across `<w:t>` runs),
and a failed sign-in's e-mail (the rate limiter's Redis key).  The control run plants the same
writings past the application (raw SQL, files, Redis keys): the scan must find every number there.
The real run sends them through the API, a drop-folder connector and the forms: the scan must find
none, and each form must have said why it refused what it refused.

On the real PostgreSQL (a database of this test's own) and the real Redis (this run's own index).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from factories import World, build_world, csrf_from, sign_in
from flask import Flask
from redis import Redis
from sqlalchemy import select, text

from qa_service.cli import main as cli_main
from qa_service.cli.security import redis_entries
from qa_service.config import Settings
from qa_service.core.redaction import luhn_valid
from qa_service.db.blobs import BlobStore
from qa_service.db.models import CoachingTask, Interaction, Turn
from qa_service.db.session import engine_for, session_factory, transaction
from qa_service.services.accounts.tokens import issue_token
from qa_service.services.card_scan import CardScanReport, scan_for_cards
from qa_service.services.connectors.configuration import save_connector
from qa_service.services.connectors.runs import run_connector
from qa_service.web import create_app

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# One test card number (Luhn-valid) per entry point, so a finding names the entry point it came from.
PLANTED = {
    "push: URL-encoded": "4111111111111111",
    "push: English words": "5555555555554444",
    "push: e-mail HTML": "4012888888881881",
    "coaching notes: Russian words": "4242424242424242",
    "connector settings": "5105105105105100",
    "rubric content": "378282246310005",
    "tenant public phones": "6011111111111117",
    "user e-mail": "30569309025904",
    "upload .txt": "3530111333300000",
    "upload .docx": "5200828282828210",
    "failed sign-in e-mail": "4000056655665556",
}
_EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_RU = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]


def _groups(digits: str) -> list[str]:
    return [digits[i : i + 4] for i in range(0, len(digits), 4)]


def url_encoded(digits: str) -> str:
    return "%20".join(_groups(digits))


def english(digits: str) -> str:
    return " ".join(_EN[int(d)] for d in digits)


def russian(digits: str) -> str:
    return " ".join(_RU[int(d)] for d in digits)


def html_split(digits: str) -> str:
    a, b, c, d = _groups(digits)
    return f"<p>Добрый день! Карта <b>{a}</b> {b} <span style=\"color:red\">{c}</span>&nbsp;{d}</p><p>Спасибо</p>"


def docx(digits: str) -> bytes:
    """A minimal Word document whose paragraph holds the number in four runs, as Word splits edited text."""
    runs = "".join(f"<w:r><w:t xml:space=\"preserve\">{group}{' ' if i < 3 else ''}</w:t></w:r>"
                   for i, group in enumerate(_groups(digits)))
    body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
            f"wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Памятка: </w:t></w:r>{runs}</w:p></w:body>"
            "</w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>")
        archive.writestr("word/document.xml", body)
    return out.getvalue()


def spaced(digits: str) -> str:
    return " ".join(_groups(digits))


def rubric_with(digits: str) -> str:
    shipped = (Path(__file__).resolve().parents[2] / "rubrics" / "airline-chat.yaml").read_text("utf-8")
    return shipped.replace("holding: [уточняю информацию,", f"holding: [карта {spaced(digits)}, уточняю информацию,")


def sign_in_email(digits: str) -> str:
    return f"{digits}@severny.test"


@pytest.fixture
def planted_settings(own_pg_settings: Settings, redis_url: str) -> Settings:
    """A database of this test's own (the scan reads every row) and this run's Redis (emptied around it)."""
    return own_pg_settings.with_overrides(redis_url=redis_url)


def _found_digits(report: CardScanReport) -> dict[str, set[str]]:
    """Which planted entry points the scan's findings name (a finding shows the last four digits)."""
    hits: dict[str, set[str]] = {}
    for name, digits in PLANTED.items():
        # By the last four (distinct across the set): a reading may start or end a group off the number.
        places = {f.where for f in report.findings if f.masked.endswith(digits[-4:])}
        if places:
            hits[name] = places
    return hits


def _scan(settings: Settings) -> CardScanReport:
    return scan_for_cards(settings, redis_entries=redis_entries(settings))


# --- the control run: the writings planted past the application ------------------------------------------------


def _plant_past_the_application(settings: Settings, world: World) -> None:
    p = PLANTED
    trainer = create_app(settings).test_client()
    token = sign_in(trainer, world.emails["trainer"])
    assert trainer.post("/coaching/tasks", data={"csrf_token": token, "module": "T-PAY", "notes": "Разбор",
                                                 "agent_id": str(world.agents["anna"]), "format": "one_to_one"}
                        ).status_code == 303
    with engine_for(settings.sqlalchemy_url).begin() as connection:
        def sql(statement: str, **values: Any) -> None:
            connection.execute(text(statement), values)

        sql("UPDATE turns SET text = :t WHERE interaction_id = :i AND position = 0",
            t=f"карта {url_encoded(p['push: URL-encoded'])}", i=world.chat_id)
        sql("UPDATE turns SET text = :t WHERE interaction_id = :i AND position = 1",
            t=f"my card is {english(p['push: English words'])}", i=world.chat_id)
        sql("UPDATE turns SET text = :t WHERE interaction_id = :i AND position = 0",
            t=html_split(p["push: e-mail HTML"]), i=world.email_id)
        sql("UPDATE users SET email = :e WHERE id = :u", e=f"{p['user e-mail']}@severny.test", u=world.users["qa"])
        sql("UPDATE coaching_tasks SET session_notes = :n WHERE tenant_id = :t", t=world.tenant_id,
            n=f"Клиент продиктовал {russian(p['coaching notes: Russian words'])}")
        sql("UPDATE tenants SET settings = CAST(:s AS jsonb) WHERE id = :t", t=world.tenant_id,
            s=json.dumps({"public_phones": [spaced(p["tenant public phones"])]}))
        sql("UPDATE rubric_versions SET content = :c WHERE id = (SELECT min(id) FROM rubric_versions)",
            c=rubric_with(p["rubric content"]))
        sql("INSERT INTO connector_configs (tenant_id, name, kind, config, secrets, poll_interval_seconds, enabled, "
            "consecutive_failures, created_at) VALUES (:t, 'drop', 'dropfolder', CAST(:c AS jsonb), "
            "'{}', 300, true, 0, now())", t=world.tenant_id,
            c=json.dumps({"path": "/srv/drop", "agent_map": {spaced(p["connector settings"]): "A1"}}))
    store = BlobStore.from_url(settings.blob_url)
    store.put_bytes(f"tenant-{world.tenant_id}/coaching/a.txt", f"Тест {spaced(p['upload .txt'])}".encode())
    store.put_bytes(f"tenant-{world.tenant_id}/coaching/b.docx", docx(p["upload .docx"]))
    assert settings.redis_url
    # What flask-limiter keeps for a refused sign-in when the key is the raw e-mail.
    Redis.from_url(settings.redis_url).set(
        f"LIMITS:LIMITER/account:{sign_in_email(p['failed sign-in e-mail'])}/5/1/minute", 1, ex=600)


def test_the_planted_numbers_are_valid_cards_and_each_writing_hides_its_digits() -> None:
    assert all(luhn_valid(d) and 14 <= len(d) <= 16 for d in PLANTED.values())
    assert len(set(PLANTED.values())) == len(PLANTED)
    for digits in PLANTED.values():
        for writing in (url_encoded(digits), english(digits), russian(digits), html_split(digits)):
            assert digits not in re.sub(r"\s", "", writing)  # none is the plain number


def test_control_the_scan_finds_every_planted_writing(planted_settings: Settings) -> None:
    settings = planted_settings
    world = build_world(settings, with_audio=False)
    _plant_past_the_application(settings, world)
    report = _scan(settings)
    hits = _found_digits(report)
    print(f"planted-set control: {len(hits)} of {len(PLANTED)} numbers found; "
          f"{len(report.findings)} findings, {report.redis_keys} Redis keys, {len(report.files)} files")
    assert sorted(set(PLANTED) - set(hits)) == [], [f.line() for f in report.findings]
    assert hits["failed sign-in e-mail"] == {"redis"}
    assert hits["coaching notes: Russian words"] == {"coaching_tasks.session_notes"}
    assert any(w.endswith("b.docx") for w in hits["upload .docx"])
    assert hits["push: e-mail HTML"] == {"turns.text"}


# --- the real run: every entry point of the application ------------------------------------------------------


def _push(app: Flask, settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        from qa_service.db.models import Tenant

        token = issue_token(session, session.get_one(Tenant, world.tenant_id))
    at = (datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)).isoformat()
    p = PLANTED
    documents = [
        {"external_id": "planted-chat", "channel": "chat", "agent_id": "op-1", "started_at": at, "turns": [
            {"speaker": "customer", "text": f"карта {url_encoded(p['push: URL-encoded'])}", "at": at},
            {"speaker": "customer", "text": f"my card is {english(p['push: English words'])}", "at": at}],
         "meta": {"link": f"https://site.example/pay?card={url_encoded(p['push: URL-encoded'])}"}},
        {"external_id": "planted-mail", "channel": "email", "agent_id": "op-1", "started_at": at, "turns": [
            {"speaker": "customer", "subject": "Возврат", "text": html_split(p["push: e-mail HTML"]), "at": at}]},
    ]
    client = app.test_client()
    for document in documents:
        response = client.post("/api/v1/interactions", json=document, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201, response.get_data(as_text=True)


def _connector_ingests(settings: Settings, world: World, folder: Path) -> None:
    """A drop folder delivers the same writings: the connector path stores them redacted too."""
    folder.mkdir()
    at = "2026-11-24T10:00:00+03:00"
    p = PLANTED
    lines = [
        {"external_id": "drop-chat", "channel": "chat", "agent_id": "A1", "started_at": at, "turns": [
            {"speaker": "customer", "text": f"номер {url_encoded(p['push: URL-encoded'])}", "at": at},
            {"speaker": "customer", "text": english(p["push: English words"]), "at": at}]},
        {"external_id": "drop-mail", "channel": "email", "agent_id": "A1", "started_at": at, "turns": [
            {"speaker": "customer", "text": html_split(p["push: e-mail HTML"]), "at": at}]},
    ]
    (folder / "manifest.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    with transaction(settings.sqlalchemy_url) as session:
        connector_id = save_connector(session, world.tenant_id, sandbox=None, name="drop", kind="dropfolder",
                                      config={"path": str(folder)}).id
    report = run_connector(settings, connector_id)
    assert report.stored == 2 and not report.quarantined


def _flashed(client: Any, response: Any) -> str:
    """The page a refused form redirects to: its flash names what was wrong."""
    return str(client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True))


def _staff_and_admin_forms(app: Flask, settings: Settings, world: World, folder: Path) -> None:
    p = PLANTED
    admin = app.test_client()
    token = sign_in(admin, world.emails["admin"])
    # Connector settings: a card has no place in a path or an agent map; refused, nothing saved.
    response = admin.post("/admin/connectors", data={
        "csrf_token": token, "name": "drop-2", "kind": "dropfolder", "poll_interval_seconds": "300", "enabled": "1",
        "config": json.dumps({"path": str(folder), "agent_map": {spaced(p["connector settings"]): "A1"}})})
    assert response.status_code == 303
    assert "номер банковской карты" in admin.get("/admin/connectors").get_data(as_text=True)
    # Rubric content: the page lists the problem with its line; nothing stored.
    response = admin.post("/admin/rubrics", data={"csrf_token": token, "content": rubric_with(p["rubric content"])})
    assert response.status_code == 422 and "номер банковской карты в рубрике" in response.get_data(as_text=True)
    # Tenant settings: a public phone that is a card number.
    response = admin.post("/admin/settings", data={
        "csrf_token": token, "timezone": "Europe/Moscow", "public_phones": spaced(p["tenant public phones"]),
        "dispute_window_days": "7", "per_agent": "5", "random_percent": "20", "channels": ["call", "chat"],
        "due_days": "7"})
    assert response.status_code == 303
    assert "публичный номер: похоже на номер банковской карты" in admin.get("/admin/settings").get_data(as_text=True)
    # A user's e-mail.
    response = admin.post("/admin/users", data={
        "csrf_token": token, "email": f"{p['user e-mail']}@severny.test", "name": "Новый сотрудник", "role": "qa",
        "password": "long-enough-1"})
    assert response.status_code in (302, 303)
    assert "e-mail: похоже на номер банковской карты" in _flashed(admin, response)

    trainer = app.test_client()
    token = sign_in(trainer, world.emails["trainer"])
    base = {"csrf_token": token, "module": "T-PAY", "agent_id": str(world.agents["anna"]), "format": "one_to_one"}
    # Uploaded documents: the text inside is read before anything is stored.
    for name, content in (("памятка.txt", f"Тестовая карта {spaced(p['upload .txt'])}".encode()),
                          ("памятка.docx", docx(p["upload .docx"]))):
        response = trainer.post("/coaching/tasks", data={**base, "notes": "Материалы",
                                                         "material": (io.BytesIO(content), name)},
                                content_type="multipart/form-data")
        # A refused upload brings the form back (422) with everything else typed kept.
        assert response.status_code == 422
        assert "в документе номер банковской карты" in response.get_data(as_text=True)
    # Session notes in Russian words: stored, the number redacted.
    response = trainer.post("/coaching/tasks", data={**base, "notes": "Разбор оплаты"})
    assert response.status_code == 303
    with session_factory(settings.sqlalchemy_url)() as session:
        task_id = session.scalar(select(CoachingTask.id).where(CoachingTask.tenant_id == world.tenant_id))
    assert task_id is not None
    response = trainer.post(f"/coaching/tasks/{task_id}/session", data={
        "csrf_token": token, "attended": "yes",
        "session_notes": f"Клиент продиктовал {russian(p['coaching notes: Russian words'])}, разобрали"})
    assert response.status_code in (302, 303)
    with session_factory(settings.sqlalchemy_url)() as session:
        notes = session.scalar(select(CoachingTask.session_notes).where(CoachingTask.id == task_id))
    assert notes is not None and "[карта]" in notes and "разобрали" in notes

    # A failed sign-in naming a card as its e-mail: the limiter's Redis key holds only a hash of it.
    anonymous = app.test_client()
    login_token = csrf_from(anonymous.get("/login").get_data(as_text=True))
    response = anonymous.post("/login", data={"csrf_token": login_token, "password": "wrong-password",
                                              "email": sign_in_email(p["failed sign-in e-mail"])})
    assert response.status_code == 401


def test_no_planted_number_survives_any_entry_point(
    planted_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = planted_settings
    world = build_world(settings, with_audio=False)
    app = create_app(settings)
    _push(app, settings, world)
    _connector_ingests(settings, world, tmp_path / "drop")
    _staff_and_admin_forms(app, settings, world, tmp_path / "drop")

    # What was stored is what should be (else a clean scan proves nothing): the turns, redacted.
    with session_factory(settings.sqlalchemy_url)() as session:
        texts = list(session.scalars(select(Turn.text).join(Interaction).where(
            Interaction.external_id.in_(["planted-chat", "planted-mail", "drop-chat", "drop-mail"]))))
    assert len(texts) == 6 and all("[карта]" in t for t in texts), texts
    assert settings.redis_url
    keys = [k.decode() for k in Redis.from_url(settings.redis_url).scan_iter("LIMITS:LIMITER/account:*")]
    assert keys and all("severny" not in k for k in keys)

    report = _scan(settings)
    hits = _found_digits(report)
    with capsys.disabled():
        print(f"planted-set after redaction: {len(hits)} of {len(PLANTED)} numbers found; {len(report.findings)} "
              f"findings over {len(report.tables)} tables, {report.rows} rows, {report.redis_keys} Redis keys, "
              f"{len(report.files)} files")
    assert hits == {}
    assert [f.line() for f in report.findings] == []
    assert report.redis_keys >= 1 and report.rows > 50

    monkeypatch.setenv("QA_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("QA_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    capsys.readouterr()
    assert cli_main(["security", "scan-cards"]) == 0
    assert "no card numbers found" in capsys.readouterr().out


def test_the_cli_reports_the_control_run_masked(
    planted_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = planted_settings
    world = build_world(settings, with_audio=False)
    _plant_past_the_application(settings, world)
    assert settings.redis_url
    for name, value in {"QA_ENV": "test", "DATABASE_URL": settings.database_url, "SECRET_KEY": settings.secret_key,
                        "QA_INSTANCE_DIR": str(settings.instance_dir), "REDIS_URL": settings.redis_url}.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert cli_main(["security", "scan-cards"]) == 1
    out = capsys.readouterr().out
    assert "redis [key #" in out and "turns.text" in out and "coaching_tasks.session_notes" in out
    assert all(("*" * (len(d) - 4) + d[-4:]) in out for d in PLANTED.values())
    assert not any(d in out or spaced(d) in out for d in PLANTED.values())  # findings are masked
