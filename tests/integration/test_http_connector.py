"""The HTTP connector against the real platform simulator on a free loopback port."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from qa_service.connectors.base import (
    ConnectorConfigError,
    FetchedInteraction,
    ItemRef,
    StaffingSlot,
    StatusEvent,
    TransientFetchError,
)
from qa_service.connectors.factory import build_connector
from qa_service.connectors.http_api import HttpApiConnector
from qa_service.core.interaction import validate_interaction
from qa_service.simulator.data import PlatformData, generate
from qa_service.simulator.server import PlatformServer

TOKEN = "sim-token-123"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformServer]:
    data = generate(seed=7, calls=10, chats=5, emails=4)
    server = PlatformServer(data, "127.0.0.1", 0, tmp_path_factory.mktemp("audio-cache"), token=TOKEN)
    server.prepare_recordings()  # speech is synthesised now, not while a fetch with a timeout waits
    server.start_in_thread()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def no_faults_left(platform: PlatformServer) -> Iterator[None]:
    yield
    platform.faults.update({"status_500": 0, "hang": 0, "malformed_json": 0, "truncate_recording": 0})


def connector(platform: PlatformServer, token: str | None = TOKEN, **config: object) -> HttpApiConnector:
    built = build_connector("http", "sim", {"base_url": platform.url, "page_size": 3, **config}, {"token": token})
    assert isinstance(built, HttpApiConnector)
    return built


def interaction_count(data: PlatformData) -> int:
    return len(data.calls) + len(data.chats) + len(data.emails)


def test_lists_everything_across_pages_in_time_order(platform: PlatformServer) -> None:
    conn = connector(platform)
    refs = conn.list_new(None)
    data = platform.data
    assert len([r for r in refs if r.kind in ("call", "chat", "email")]) == interaction_count(data)
    moments = [r.cursor_after for r in refs]
    assert len(set(moments)) == len(moments)  # every ref moves the cursor
    calls = [r.key for r in refs if r.kind == "call"]
    # page_size 3 against 10 calls: the connector had to follow `next` links to see them all.
    assert calls == [c["id"] for c in data.calls]
    assert {r.kind for r in refs} == {"call", "chat", "email", "status", "staffing"}
    assert conn.list_new(refs[-1].cursor_after) == []


def test_cursor_resumes_without_gaps_or_repeats(platform: PlatformServer) -> None:
    conn = connector(platform)
    seen: list[tuple[str, str]] = []
    cursor = None
    for _ in range(50):
        refs = conn.list_new(cursor, limit=4)
        if not refs:
            break
        assert len(refs) <= 4
        seen += [(r.kind, r.key) for r in refs]
        cursor = refs[-1].cursor_after
    interactions = [s for s in seen if s[0] in ("call", "chat", "email")]
    assert len(interactions) == len(set(interactions)) == interaction_count(platform.data)
    events = [e for kind, key in seen if kind == "status" for e in conn.fetch(_ref(conn, kind, key))]
    assert len(events) == len(platform.data.statuses)


def _ref(conn: HttpApiConnector, kind: str, key: str) -> ItemRef:
    return ItemRef(kind, key, "")


def test_token_is_required(platform: PlatformServer) -> None:
    with pytest.raises(ConnectorConfigError, match="токен"):
        connector(platform, token=None).list_new(None)
    with pytest.raises(ConnectorConfigError):
        connector(platform, token="wrong").list_new(None)
    assert connector(platform).SECRET_KEYS == ("token",)


def test_call_with_stereo_recording(platform: PlatformServer) -> None:
    conn = connector(platform)
    ref = next(r for r in conn.list_new(None) if r.kind == "call" and r.key in platform.data.call_lines)
    result = conn.fetch(ref)
    assert isinstance(result, FetchedInteraction) and result.recording is not None
    validate_interaction(result.document)
    assert result.document["recording"]["channels"] == {"0": "agent", "1": "customer"}
    assert result.document["recording"]["uri"].startswith(platform.url)
    record = next(c for c in platform.data.calls if c["id"] == ref.key)
    assert result.document["agent_id"] == record["operator"]["id"]
    assert result.document["meta"]["agent_name"] == record["operator"]["name"]
    with wave.open(io.BytesIO(result.recording)) as audio:
        assert (audio.getnchannels(), audio.getframerate(), audio.getsampwidth()) == (2, 8000, 2)
        samples = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2").reshape(-1, 2)
    truth = httpx.get(f"{platform.url}/_truth/calls/{ref.key}", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    first = truth["turns"][0]
    assert first["speaker"] == "agent"
    during = samples[int(first["start"] * 8000) : int(first["end"] * 8000)]
    # The agent's opening is on channel 0 only; the customer's channel is silent meanwhile.
    assert np.abs(during[:, 0]).mean() > 100 and np.abs(during[:, 1]).max() == 0
    assert len(samples) / 8000 >= truth["turns"][-1]["end"]


def test_chat_email_status_and_staffing(platform: PlatformServer) -> None:
    conn = connector(platform)
    refs = conn.list_new(None)
    events: list[object] = []
    slots: list[object] = []
    for ref in refs:
        if ref.kind in ("chat", "email"):
            result = conn.fetch(ref)
            assert isinstance(result, FetchedInteraction)
            validate_interaction(result.document)
            assert result.document["channel"] == ref.kind and result.document["turns"]
        elif ref.kind == "status":
            events += conn.fetch(ref)
        elif ref.kind == "staffing":
            slots += conn.fetch(ref)
    assert len(events) == len(platform.data.statuses)
    assert all(isinstance(e, StatusEvent) for e in events)
    assert {e.status for e in events if isinstance(e, StatusEvent)} == {
        "ready", "on_call", "not_ready", "break", "logged_out"
    }
    assert len(slots) == 48 and all(isinstance(s, StaffingSlot) for s in slots)
    assert min(s.planned_agents for s in slots if isinstance(s, StaffingSlot)) == 3  # the under-staffed night hour


def test_batch_listed_elsewhere_is_fetched_again(platform: PlatformServer) -> None:
    refs = [r for r in connector(platform).list_new(None) if r.kind == "status"]
    cached = connector(platform)
    cached.list_new(None)
    for ref in refs:
        fresh = connector(platform).fetch(ref)  # a fresh instance has no cached batch: it asks again
        assert fresh and fresh == cached.fetch(ref)


def _set_faults(platform: PlatformServer, **faults: float) -> None:
    response = httpx.post(f"{platform.url}/_faults", json=faults, timeout=5)
    assert response.status_code == 200


def test_server_error_is_transient_then_recovers(platform: PlatformServer) -> None:
    conn = connector(platform)
    _set_faults(platform, status_500=1)
    with pytest.raises(TransientFetchError, match="500"):
        conn.list_new(None)
    refs = conn.list_new(None)
    assert len([r for r in refs if r.kind in ("call", "chat", "email")]) == interaction_count(platform.data)


def test_hang_longer_than_the_timeout_is_transient(platform: PlatformServer) -> None:
    conn = connector(platform, timeout=0.5)
    _set_faults(platform, hang=1, hang_seconds=2)
    started = time.monotonic()
    with pytest.raises(TransientFetchError, match="timeout"):
        conn.list_new(None)
    assert time.monotonic() - started < 1.9


def test_malformed_json_is_transient(platform: PlatformServer) -> None:
    conn = connector(platform)
    ref = next(r for r in conn.list_new(None) if r.kind == "chat")
    _set_faults(platform, malformed_json=1)
    with pytest.raises(TransientFetchError, match="malformed JSON"):
        conn.fetch(ref)


def test_truncated_recording_is_transient(platform: PlatformServer) -> None:
    conn = connector(platform)
    ref = next(r for r in conn.list_new(None) if r.kind == "call" and r.key in platform.data.call_lines)
    _set_faults(platform, truncate_recording=1)
    with pytest.raises(TransientFetchError, match="truncated"):
        conn.fetch(ref)
    assert isinstance(conn.fetch(ref), FetchedInteraction)


def test_unreachable_platform_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conn = build_connector("http", "down", {"base_url": f"http://127.0.0.1:{port}", "timeout": 2}, {})
    with pytest.raises(TransientFetchError):
        conn.list_new(None)


def test_cli_serves_and_reports_a_busy_port(tmp_path: Path, platform: PlatformServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "qa_service", "simulate-platform", "--calls", "2", "--chats", "1", "--emails", "1"]
    process = subprocess.Popen([*command, "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the simulator did not start")
        assert health.json()["ok"] is True
        calls = httpx.get(f"http://127.0.0.1:{port}/api/v1/calls", timeout=5).json()
        assert calls["total"] == 2
    finally:
        process.terminate()
        _, started_line = process.communicate(timeout=10)
    assert f"127.0.0.1:{port}" in started_line
    busy_port = platform.server_address[1]
    busy = subprocess.run([*command, "--port", str(busy_port)], env=env, capture_output=True, text=True, timeout=60)
    assert busy.returncode == 1
    assert busy.stderr.count("\n") == 1 and "Traceback" not in busy.stderr
