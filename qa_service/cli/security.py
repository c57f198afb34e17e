"""`qa-service security scan-cards [--log FILE …] [--json]`: look for card numbers in everything stored.

Scans every column of every table (the schema as the database has it), every Redis key and value,
the blob store (documents inside it read as text), the spool and the log files named, for a
Luhn-valid 13–19-digit run in any separator style, URL-encoded, split by markup or in words;
with `--audio` the stored recordings are transcribed again and listened to as well.
Prints each finding (table.column and row, or file and place; last four digits only) and
exits 1 if there is any, so CI and an operator's cron can fail on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qa_service.config import Settings
from qa_service.services.card_scan import scan_for_cards


def redis_entries(settings: Settings) -> Iterator[tuple[bytes, list[bytes]]]:
    """Every key of the service's Redis with its values (none without Redis): what the scan reads there."""
    if not settings.redis_url:
        return
    from qa_service.jobs import redis_connection

    client = redis_connection(settings.redis_url)
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        raw: list[Any] = []
        if kind == b"string":
            raw = [client.get(key) or b""]
        elif kind == b"hash":
            raw = [item for pair in client.hgetall(key).items() for item in pair]
        elif kind == b"list":
            raw = list(client.lrange(key, 0, -1))
        elif kind == b"set":
            raw = list(client.smembers(key))
        elif kind == b"zset":
            raw = list(client.zrange(key, 0, -1))
        yield bytes(key), [v if isinstance(v, bytes) else str(v).encode() for v in raw]


def _scan_cards(args: argparse.Namespace) -> int:
    report = scan_for_cards(args.settings, [Path(p) for p in args.log], redis_entries=redis_entries(args.settings),
                            audio=args.audio)
    if args.json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
    else:
        for finding in report.findings:
            sys.stdout.write(finding.line() + "\n")
        verdict = "номеров карт не найдено / no card numbers found" if report.clean else (
            f"найдено номеров карт: {len(report.findings)} / card numbers found: {len(report.findings)}")
        sys.stdout.write(
            f"таблиц {len(report.tables)}, столбцов {report.columns}, строк {report.rows}, файлов "
            f"{len(report.files)} / tables {len(report.tables)}, columns {report.columns}, rows {report.rows}, "
            f"files {len(report.files)}, Redis keys {report.redis_keys}, recordings heard {report.recordings}: "
            f"{verdict}\n"
        )
    return 0 if report.clean else 1


def _scan_identifiers(args: argparse.Namespace) -> int:
    from qa_service.services.cases.identifier_scan import scan_for_identifiers

    report = scan_for_identifiers(args.settings.sqlalchemy_url)
    if args.json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
    else:
        for finding in report.findings:
            sys.stdout.write(finding.line() + "\n")
        sys.stdout.write(f"таблиц {len(report.tables)}, строк {report.rows} / tables {len(report.tables)}, rows "
                         f"{report.rows}: найдено {len(report.findings)} / found {len(report.findings)}\n")
    return 0 if report.clean else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("security", help="проверки безопасности / security checks")
    commands = parser.add_subparsers(dest="security_command", metavar="CHECK", required=True)
    scan = commands.add_parser(
        "scan-cards",
        help="найти номера карт в базе, хранилище, спуле и логах / find card numbers in the database, "
        "blob store, spool and logs",
    )
    scan.add_argument("--log", action="append", default=[], metavar="FILE",
                      help="файл журнала или папка (можно несколько) / a log file or folder (repeatable)")
    scan.add_argument("--json", action="store_true", help="вывод в JSON")
    scan.add_argument("--audio", action="store_true",
                      help="прослушать сохранённые записи (распознать заново; медленно) / listen to the stored "
                      "recordings (transcribe them again; slow)")
    scan.set_defaults(handler=_scan_cards)
    identifiers = commands.add_parser(
        "scan-identifiers",
        help="найти коды брони, номера билетов, телефоны и e-mail клиентов в базе / find customers' identifiers "
        "in clear in the database",
    )
    identifiers.add_argument("--json", action="store_true", help="вывод в JSON")
    identifiers.set_defaults(handler=_scan_identifiers)
