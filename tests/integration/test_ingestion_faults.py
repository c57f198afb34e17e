"""Ingestion from the platform simulator over HTTP, with the platform misbehaving.

Real parts: the simulator is a real HTTP server on loopback, the database is the real
PostgreSQL, jobs go to the real Redis (queued, not run: this is about what ingestion stores).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from simulated_platform import running_simulator, tenant_with_connector
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.connectors.base import TransientFetchError
from qa_service.db.models import ConnectorConfig, ConnectorCursor, Interaction
from qa_service.db.session import session_factory
from qa_service.jobs import ASR_QUEUE, TEXT_QUEUE, queue_depths
from qa_service.services.connectors.runs import run_connector
from qa_service.simulator.server import PlatformServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
TOKEN = "sim-token"


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[PlatformServer]:
    with running_simulator(tmp_path / "audio", seed=3, calls=2, chats=4, emails=3) as server:
        yield server


@pytest.fixture
def setup(pg_settings: Settings, redis_url: str, simulator: PlatformServer) -> tuple[Settings, int]:
    settings = pg_settings.with_overrides(redis_url=redis_url)
    _, connector_id = tenant_with_connector(settings, simulator, timeout=2, page_size=2)
    return settings, connector_id


def _counts(settings: Settings, connector_id: int) -> tuple[int, list[str], str | None]:
    """Interactions stored for the connector's tenant, their external ids, and the cursor."""
    with session_factory(settings.sqlalchemy_url)() as session:
        tenant_id = session.get_one(ConnectorConfig, connector_id).tenant_id
        mine = select(Interaction).where(Interaction.tenant_id == tenant_id)
        ids = list(session.scalars(mine.with_only_columns(Interaction.external_id)))
        empty = session.scalar(
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.tenant_id == tenant_id, Interaction.channel != "call", ~Interaction.turns.any())
        )
        cursor = session.scalar(select(ConnectorCursor.value).where(ConnectorCursor.connector_id == connector_id))
        assert empty == 0, "a chat or e-mail was stored without its messages (half-stored)"
        return len(ids), ids, cursor


def _run(settings: Settings, connector_id: int) -> None:
    run_connector(settings, connector_id)  # each batch's jobs are sent when it commits


def test_everything_is_fetched_once_and_queued_by_kind(setup: tuple[Settings, int], simulator: PlatformServer) -> None:
    settings, connector_id = setup
    _run(settings, connector_id)
    total = len(simulator.data.calls) + len(simulator.data.chats) + len(simulator.data.emails)
    stored, _, cursor = _counts(settings, connector_id)
    assert stored == total and cursor
    depths = queue_depths(settings)
    recorded_calls = [c for c in simulator.data.calls if c["recording"]]
    assert 0 < len(recorded_calls) < len(simulator.data.calls)  # the seed has a lost call too
    assert depths[ASR_QUEUE] == len(recorded_calls)
    assert depths[TEXT_QUEUE] == len(simulator.data.chats) + len(simulator.data.emails)
    _run(settings, connector_id)  # nothing new: nothing stored, nothing queued
    assert _counts(settings, connector_id)[0] == total
    assert queue_depths(settings) == depths


@pytest.mark.parametrize("fault", ["status_500", "malformed_json", "hang", "truncate_recording"])
def test_platform_fault_stops_the_run_without_losing_or_half_storing(
    setup: tuple[Settings, int], simulator: PlatformServer, fault: str
) -> None:
    settings, connector_id = setup
    total = len(simulator.data.calls) + len(simulator.data.chats) + len(simulator.data.emails)
    simulator.faults.update({fault: 100, "hang_seconds": 3})
    with pytest.raises(TransientFetchError):
        _run(settings, connector_id)
    stored_during_fault, _, cursor_during_fault = _counts(settings, connector_id)
    assert stored_during_fault < total
    if fault == "truncate_recording":
        # Listing worked and items before the call were stored; the cursor stopped at the call.
        assert stored_during_fault > 0 and cursor_during_fault
    simulator.faults.update({fault: 0})
    _run(settings, connector_id)  # the retry picks up where the cursor stopped
    stored, ids, cursor = _counts(settings, connector_id)
    assert stored == total and cursor != cursor_during_fault
    assert len(ids) == len(set(ids))
