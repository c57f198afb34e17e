"""A tenant admin's connector reaches only what the platform operator allows that tenant.

Two airlines with their own drop-folder roots (QA_CONNECTOR_ROOTS) and, for one of them, one
loopback address allowed (QA_CONNECTOR_ALLOW).  Through the admin pages and real runs: another
airline's folder, `..`, symlinks and the instance directory are refused; Redis, PostgreSQL or any
loopback port are refused without a connection being made; a redirect to an address not allowed is
refused; a silent port answers quickly and in the same words as a closed one.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from factories import World, build_world, sign_in
from flask import Flask
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.connectors.base import ConnectorConfigError
from qa_service.connectors.sandbox import sandbox_for
from qa_service.db.models import ConnectorConfig, Interaction, Rubric, RubricVersion
from qa_service.db.session import session_factory, transaction
from qa_service.services.connectors.checks import UNREACHABLE, check_connection
from qa_service.services.connectors.configuration import save_connector
from qa_service.services.connectors.runs import run_connector
from qa_service.web import create_app

OWN, OTHER = "severny-veter", "yuzhny-bereg"
RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"


def _chat(external_id: str) -> str:
    return json.dumps({"external_id": external_id, "channel": "chat", "agent_id": "A-101",
                       "started_at": "2026-11-20T10:00:00+03:00",
                       "turns": [{"speaker": "agent", "text": "Здравствуйте"}]}, ensure_ascii=False)


@pytest.fixture
def other_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("yuzhny-drops")
    (root / "manifest.jsonl").write_text(_chat("yuzhny-secret-chat") + "\n", "utf-8")
    return root


@pytest.fixture
def fenced(settings: Settings, tmp_path: Path, other_root: Path) -> Settings:
    # Our root holds the instance directory on purpose: the fence must still keep it out.
    return settings.with_overrides(connector_roots=((OWN, tmp_path), (OTHER, other_root)), connector_allow=())


@pytest.fixture
def world(fenced: Settings) -> World:
    world = build_world(fenced, with_audio=False)
    with transaction(fenced.sqlalchemy_url) as session:
        # The factory's rubric versions are stubs; a run scores what it stores, so make them real.
        for rubric, version in session.execute(
            select(Rubric, RubricVersion).join(RubricVersion, RubricVersion.rubric_id == Rubric.id)
        ).all():
            version.content = (RUBRICS / f"{rubric.slug}.yaml").read_text("utf-8")
            version.content_hash += "-shipped"
    return world


@pytest.fixture
def app(fenced: Settings, world: World) -> Flask:
    return create_app(fenced)


def _save(app: Flask, world: World, kind: str, config: dict[str, Any]) -> str:
    client: Any = app.test_client()
    token = sign_in(client, world.emails["admin"])
    form = {"name": f"c-{kind}", "kind": kind, "config": json.dumps(config), "poll_interval_seconds": "60",
            "enabled": "1", "csrf_token": token}
    return str(client.post("/admin/connectors", data=form, follow_redirects=True).get_data(as_text=True))


def _connectors(settings: Settings, tenant_id: int) -> list[ConnectorConfig]:
    with session_factory(settings.sqlalchemy_url)() as session:
        return list(session.scalars(select(ConnectorConfig).where(ConnectorConfig.tenant_id == tenant_id)))


def test_a_drop_folder_outside_the_tenant_root_is_refused_on_save(
    app: Flask, world: World, fenced: Settings, tmp_path: Path, other_root: Path
) -> None:
    (tmp_path / "drop").mkdir()
    (tmp_path / "link").symlink_to(other_root)
    refused = {
        "another airline's folder": str(other_root),
        "climbing out with ..": f"{tmp_path}/drop/../../{other_root.name}",
        "a symlink to it": str(tmp_path / "link"),
        "the instance directory": str(fenced.instance_dir),
        "a folder holding the instance directory": str(tmp_path),
        "the blobs": str(fenced.instance_dir / "blobs"),
        "anything else": "/etc",
    }
    for case, path in refused.items():
        page = _save(app, world, "dropfolder", {"path": path})
        assert "настройка коннектора «path»" in page, case
        assert _connectors(fenced, world.tenant_id) == [], case
    assert "Коннектор сохранён" in _save(app, world, "dropfolder", {"path": str(tmp_path / "drop")})


def test_a_file_symlinked_into_the_folder_is_not_ingested_and_every_run_checks_again(
    fenced: Settings, world: World, tmp_path: Path, other_root: Path
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "manifest.jsonl").write_text(_chat("own-chat") + "\n", "utf-8")
    (drop / "stolen.jsonl").symlink_to(other_root / "manifest.jsonl")
    with transaction(fenced.sqlalchemy_url) as session:
        connector_id = save_connector(session, world.tenant_id, sandbox=sandbox_for(fenced, OWN), name="drop",
                                      kind="dropfolder", config={"path": str(drop)}).id
    run_connector(fenced, connector_id)
    with session_factory(fenced.sqlalchemy_url)() as session:
        stored = set(session.scalars(select(Interaction.external_id)))
    assert "own-chat" in stored and "yuzhny-secret-chat" not in stored

    # The operator withdraws the folder: the next run refuses before reading anything.
    withdrawn = fenced.with_overrides(connector_roots=((OTHER, other_root),))
    with pytest.raises(ConnectorConfigError):
        run_connector(withdrawn, connector_id)
    (row,) = _connectors(fenced, world.tenant_id)
    assert row.last_error and "QA_CONNECTOR_ROOTS" in row.last_error


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that accepts and never speaks (PostgreSQL, Redis, anything): did anyone connect?"""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        yield server


def _connected(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
    except BlockingIOError:
        return False
    return True


def test_loopback_targets_are_refused_without_connecting(
    app: Flask, world: World, fenced: Settings, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    targets = [("http", {"base_url": f"http://127.0.0.1:{port}"}), ("http", {"base_url": f"http://localhost:{port}"}),
               ("http", {"base_url": f"http://[::ffff:127.0.0.1]:{port}/"}),
               ("http", {"base_url": "http://169.254.169.254/latest/meta-data"}),
               ("imap", {"host": "127.0.0.1", "port": port, "ssl": False, "username": "u",
                         "agent_addresses": ["cc@severny.test"]}),
               ("imap", {"host": "10.1.2.3", "port": 143, "ssl": False, "username": "u",
                         "agent_addresses": ["cc@severny.test"]})]
    for kind, config in targets:
        page = _save(app, world, kind, config)
        assert "не разрешён этому клиенту оператором платформы" in page, config
    assert _connectors(fenced, world.tenant_id) == []
    assert not _connected(listener)


class _Redirector(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.target)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_a_redirect_to_an_address_not_allowed_is_refused(
    fenced: Settings, world: World, listener: socket.socket
) -> None:
    allowed = fenced.with_overrides(connector_allow=((OWN, "127.0.0.1/32"),))
    # 127.0.0.2 is loopback too, but only 127.0.0.1 is allowed; the redirect must not reach it.
    with socket.socket() as hidden:
        hidden.bind(("127.0.0.2", 0))
        hidden.listen(1)
        hidden.setblocking(False)
        handler = type("Handler", (_Redirector,), {"target": f"http://127.0.0.2:{hidden.getsockname()[1]}/x"})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with transaction(allowed.sqlalchemy_url) as session:
                connector_id = save_connector(
                    session, world.tenant_id, sandbox=sandbox_for(allowed, OWN), name="platform", kind="http",
                    config={"base_url": f"http://127.0.0.1:{server.server_address[1]}"},
                ).id
                result = check_connection(session, allowed, world.tenant_id, connector_id)
        finally:
            server.shutdown()
            server.server_close()
        assert not result.ok and "127.0.0.2" in result.message and "не разрешён" in result.message
        assert not _connected(hidden)


def test_a_silent_port_answers_fast_and_like_a_closed_one(
    fenced: Settings, world: World, listener: socket.socket
) -> None:
    allowed = fenced.with_overrides(connector_allow=((OWN, "127.0.0.1/32"),))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]  # released at the end of the block: nobody listens there
    answers = []
    for name, port in (("silent", listener.getsockname()[1]), ("closed", closed_port)):
        with transaction(allowed.sqlalchemy_url) as session:
            connector_id = save_connector(
                session, world.tenant_id, sandbox=sandbox_for(allowed, OWN), name=name, kind="imap",
                config={"host": "127.0.0.1", "port": port, "ssl": False, "username": "u", "timeout": 30,
                        "agent_addresses": ["cc@severny.test"]},
            ).id
            began = time.monotonic()
            result = check_connection(session, allowed, world.tenant_id, connector_id)
            answers.append((result.ok, result.message, time.monotonic() - began))
    (silent_ok, silent_says, silent_took), (closed_ok, closed_says, _) = answers
    assert not silent_ok and not closed_ok
    assert silent_says == closed_says == str(UNREACHABLE)
    assert silent_took < 15  # the connect-and-greeting budget (5 s), not the 30 s mailbox timeout
