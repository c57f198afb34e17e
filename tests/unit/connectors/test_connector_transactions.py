"""The HTTP API connector fetches the simulator's booking and payment events, faults and all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_service.connectors.base import TransactionRecord
from qa_service.connectors.http_api import HttpApiConnector
from qa_service.simulator.data import generate
from qa_service.simulator.server import PlatformServer

ONLY_TRANSACTIONS = {"call": None, "chat": None, "email": None, "status": None, "staffing": None,
                     "transaction": "/api/v1/transactions"}


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[PlatformServer]:
    server = PlatformServer(generate(seed=7), "127.0.0.1", 0, tmp_path, "tok")
    server.start_in_thread()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _all(connector: HttpApiConnector) -> list[TransactionRecord]:
    records: list[TransactionRecord] = []
    cursor = None
    while refs := connector.list_new(cursor, limit=5):
        for ref in refs:
            assert ref.kind == "transaction"
            fetched = connector.fetch(ref)
            assert isinstance(fetched, list)
            records += [r for r in fetched if isinstance(r, TransactionRecord)]
            cursor = ref.cursor_after
    return records


def test_events_are_fetched_with_their_duplicates_and_late_ones(simulator: PlatformServer) -> None:
    connector = HttpApiConnector("asb", {"base_url": simulator.url, "endpoints": ONLY_TRANSACTIONS,
                                         "batch_size": 7}, {"token": "tok"})
    records = _all(connector)
    served = simulator.data.transactions
    assert len(records) == len(served)
    keys = [r.source_key for r in records]
    assert len(set(keys)) < len(keys)  # the planted duplicates arrive twice; the store keeps one
    late = [r for r in served if r["updated_at"] != r["at"] and r["type"] == "payment_captured"]
    assert late, "the simulator plants late events"
    kinds = {r.kind for r in records}
    assert {"ticket_issued", "payment_link_sent", "payment_captured", "ticket_refunded"} <= kinds
    refunded = next(r for r in records if r.kind == "ticket_refunded")
    assert refunded.amount == 1800.0 and refunded.booking_code and refunded.at.tzinfo is not None


def test_a_connector_without_the_endpoint_does_not_ask_for_events(simulator: PlatformServer) -> None:
    connector = HttpApiConnector("plain", {"base_url": simulator.url}, {"token": "tok"})
    assert "transaction" not in connector.endpoints


def test_the_drop_folder_reads_transaction_files(tmp_path: Path) -> None:
    import json

    from qa_service.connectors.dropfolder import DropFolderConnector

    rows = [
        {"id": "T1", "type": "ticket_issued", "at": "2026-11-20T10:03:00", "amount": 9800, "booking": "ZZ9A1B"},
        {"id": "T2", "kind": "payment_captured", "at": "2026-11-20T10:05:00+03:00", "amount": "9800.00",
         "booking_code": "ZZ9A1B"},
        {"id": "T2", "kind": "payment_captured", "at": "2026-11-20T10:05:00+03:00", "amount": "9800.00",
         "booking_code": "ZZ9A1B"},  # exported twice
        {"id": "T3", "kind": "payment_refunded", "at": "not a time"},
    ]
    (tmp_path / "transactions-2026-11-20.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    connector = DropFolderConnector("asb-files", {"path": str(tmp_path), "timezone": "+03:00"})
    refs = connector.list_new(None)
    assert [r.kind for r in refs] == ["transaction"]
    records = connector.fetch(refs[0])
    assert [(r.source_key, r.kind, r.amount) for r in records] == [  # type: ignore[union-attr]
        ("asb-files:T1", "ticket_issued", 9800.0), ("asb-files:T2", "payment_captured", 9800.0),
        ("asb-files:T2", "payment_captured", 9800.0)]
    first = records[0]
    assert isinstance(first, TransactionRecord) and first.booking_code == "ZZ9A1B"
    assert first.at.utcoffset() is not None and first.at.hour == 10
    assert connector.list_new(refs[-1].cursor_after) == []
