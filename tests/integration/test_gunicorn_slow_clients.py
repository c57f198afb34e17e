"""Slow clients do not stop gunicorn answering: /healthz stays up while 16 sockets hold half a request.

gunicorn runs with the README's production settings (`qa_service.gunicorn_conf`: gthread with a
deadline on every socket read, 16 threads), but with one worker instead of three, and 24 stalled
clients: more than all its threads.  A stalled client
here sends the start of a request head and then nothing more: the slowest possible client, with no
waiting on the test's side.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qa_service.config import Settings
from qa_service.db.migrate import upgrade

SLOW_CLIENTS = 24


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[str]:
    settings = Settings(environment="test", instance_dir=tmp_path / "instance", secret_key="test-secret")
    upgrade(settings.sqlalchemy_url)
    port = _free_port()
    env = dict(os.environ, QA_ENV="test", QA_INSTANCE_DIR=str(settings.instance_dir), SECRET_KEY="test-secret",
               DATABASE_URL=settings.database_url, REDIS_URL="")
    args = [sys.executable, "-m", "gunicorn", "-c", "python:qa_service.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--timeout", "30",
            "--graceful-timeout", "30", "--keep-alive", "5", "--limit-request-line", "8190",
            "--limit-request-fields", "100", "qa_service.web:create_app()"]
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(args, env=env, stdout=log, stderr=log, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start in 60 s"
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(0.2)  # waiting on the child, not sleeping: returns at once if it dies
        yield url
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_healthz_answers_while_more_clients_than_threads_stall_mid_request(gunicorn: str) -> None:
    host, port = gunicorn.removeprefix("http://").split(":")
    stalled = []
    try:
        for _ in range(SLOW_CLIENTS):
            client = socket.create_connection((host, int(port)), timeout=5)
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: ")  # and never the rest
            stalled.append(client)
        # Before the deadline worker this waited forever (every thread held by a stalled head).
        began = time.monotonic()
        response = httpx.get(f"{gunicorn}/healthz", timeout=20)
        assert response.status_code == 200 and response.json()["status"] == "ok"
        assert time.monotonic() - began < 20  # the stalled ones lose their threads after 5 s (measured 4-5 s)
    finally:
        for client in stalled:
            client.close()
