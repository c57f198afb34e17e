"""Connector throughput: drop-folder CDR listing, HTTP API listing/fetching, simulator audio synthesis.

Run: `.venv/bin/python benchmarks/connectors.py [--cdr-rows 20000] [--calls 60]`.
Prints one line per figure; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from qa_service.connectors.base import FetchedInteraction
from qa_service.connectors.factory import build_connector
from qa_service.simulator.data import generate
from qa_service.simulator.server import PlatformServer

MSK = timezone(timedelta(hours=3))


def _cdr_folder(root: Path, rows: int) -> None:
    start = datetime(2026, 11, 1, tzinfo=MSK)
    lines = []
    for i in range(rows):
        begin = start + timedelta(seconds=37 * i)
        end = begin + timedelta(seconds=95)
        stamp = "%Y-%m-%d %H:%M:%S"
        lines.append(
            f'"","7916{i:07d}","5000","from-trunk","7916{i:07d}","SIP/trunk-1","SIP/10{i % 40:02d}-2","Queue",'
            f'"sales,t","{begin:{stamp}}","","{end:{stamp}}","95","0","NO ANSWER","DOCUMENTATION",'
            f'"{1764000000 + i}.{i}",""\n'
        )
    (root / "Master.csv").write_text("".join(lines), "utf-8")


def bench_dropfolder(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _cdr_folder(root, rows)
        conn = build_connector("dropfolder", "bench", {"path": str(root)}, {})
        started = time.perf_counter()
        cursor, listed, fetched = None, 0, 0
        while refs := conn.list_new(cursor, limit=500):
            listed += len(refs)
            cursor = refs[-1].cursor_after
        list_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for ref in conn.list_new(None, limit=1000):
            assert isinstance(conn.fetch(ref), FetchedInteraction)
            fetched += 1
        fetch_seconds = time.perf_counter() - started
    print(f"dropfolder: listed {listed} CDR rows in batches of 500 in {list_seconds:.2f} s "
          f"({listed / list_seconds:.0f} rows/s, files re-parsed only when they change)")
    print(f"dropfolder: fetched {fetched} calls in {fetch_seconds:.2f} s ({fetched / fetch_seconds:.0f} calls/s)")


def bench_http(calls: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = generate(seed=3, calls=calls, chats=calls, emails=calls // 2)
        server = PlatformServer(data, "127.0.0.1", 0, Path(tmp), token="bench")
        server.prepare_recordings()
        server.start_in_thread()
        try:
            conn = build_connector("http", "bench", {"base_url": server.url, "page_size": 100}, {"token": "bench"})
            started = time.perf_counter()
            refs = conn.list_new(None, limit=10_000)
            list_seconds = time.perf_counter() - started
            text_refs = [r for r in refs if r.kind in ("chat", "email")]
            started = time.perf_counter()
            for ref in text_refs:
                conn.fetch(ref)
            fetch_seconds = time.perf_counter() - started
            call_refs = [r for r in refs if r.kind == "call" and r.key in data.call_lines][:10]
            started = time.perf_counter()
            audio_seconds = 0.0
            for ref in call_refs:
                result = conn.fetch(ref)
                assert isinstance(result, FetchedInteraction) and result.recording
                audio_seconds += (len(result.recording) - 44) / (8000 * 4)
            cold = time.perf_counter() - started
            started = time.perf_counter()
            for ref in call_refs:
                conn.fetch(ref)
            warm = time.perf_counter() - started
        finally:
            server.shutdown()
            server.server_close()
    print(f"http: listed {len(refs)} refs ({len(data.statuses)} status events, pages of 100) in {list_seconds:.2f} s")
    print(f"http: fetched {len(text_refs)} chats/e-mails in {fetch_seconds:.2f} s "
          f"({len(text_refs) / fetch_seconds:.0f} items/s)")
    print(f"http: {len(call_refs)} calls with recordings ({audio_seconds:.0f} s of audio): first fetch incl. "
          f"synthesis {cold:.2f} s ({cold / len(call_refs):.2f} s/call), cached {warm:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cdr-rows", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=60)
    args = parser.parse_args()
    bench_dropfolder(args.cdr_rows)
    bench_http(args.calls)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
