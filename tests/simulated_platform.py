"""Shared set-up for tests against the platform simulator: a running simulator, and a tenant
with an HTTP connector pointed at it."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qa_service.config import Settings
from qa_service.db.models import Tenant
from qa_service.db.session import transaction
from qa_service.services.connectors.configuration import save_connector
from qa_service.simulator.data import generate
from qa_service.simulator.server import PlatformServer

TOKEN = "sim-token"


# Rendered calls are keyed by their content, so one folder serves every test of the run: each
# distinct call is spoken by Festival once, not once per test.
_SHARED_AUDIO = Path(tempfile.mkdtemp(prefix="qa-test-simulator-audio-"))
atexit.register(shutil.rmtree, _SHARED_AUDIO, ignore_errors=True)


@contextmanager
def running_simulator(audio_dir: Path, seed: int, **counts: int) -> Iterator[PlatformServer]:
    """A simulator on a loopback port with its recordings rendered before it answers (`audio_dir` is unused:
    recordings live in one content-addressed folder for the whole run)."""
    server = PlatformServer(generate(seed=seed, **counts), "127.0.0.1", 0, _SHARED_AUDIO, TOKEN)
    server.prepare_recordings()
    server.start_in_thread()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def tenant_with_connector(settings: Settings, simulator: PlatformServer, **config: Any) -> tuple[int, int]:
    """A fresh tenant (unique slug: the PostgreSQL database is shared by the run) and its connector."""
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug=f"sv-{uuid.uuid4().hex[:8]}", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        connector = save_connector(
            session,
            tenant.id,
            sandbox=None,
            name="platform",
            kind="http",
            config={"base_url": simulator.url, **config},
            secrets={"token": TOKEN},
        )
        return tenant.id, connector.id
