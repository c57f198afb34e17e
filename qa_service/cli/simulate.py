"""`qa-service simulate-platform`: a stand-in for the airline's platform for the demo and the tests."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from qa_service.core.errors import UserFacingError

if TYPE_CHECKING:
    from qa_service.simulator.data import PlatformData


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/qa-service/simulator` (or ~/.cache/…): synthesised calls are kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qa-service" / "simulator"


def _simulate(args: argparse.Namespace) -> int:
    from qa_service.simulator.data import generate
    from qa_service.simulator.server import PlatformServer

    if min(args.calls, args.chats, args.emails) < 0:
        raise UserFacingError("число звонков, чатов и писем не может быть отрицательным",
                              "the numbers of calls, chats and e-mails cannot be negative")
    data = generate(seed=args.seed, calls=args.calls, chats=args.chats, emails=args.emails)
    cache = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    if args.export_dropfolder:
        return _export(data, Path(args.export_dropfolder), cache)
    try:
        server = PlatformServer(data, args.host, args.port, cache, token=args.token)
    except OSError as error:
        raise UserFacingError(
            f"не удалось открыть {args.host}:{args.port}: {error.strerror}",
            f"cannot listen on {args.host}:{args.port}: {error.strerror}",
        ) from None
    server.faults.update({
        "status_500": args.fail_500,
        "hang": args.hang,
        "malformed_json": args.malformed_json,
        "truncate_recording": args.truncate_recording,
        "hang_seconds": args.hang_seconds,
    })
    print(
        f"платформа-симулятор / platform simulator: {server.url} — {len(data.calls)} calls, "
        f"{len(data.chats)} chats, {len(data.emails)} e-mails, seed {args.seed}; audio cache {cache}",
        file=sys.stderr,
    )
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


def _export(data: PlatformData, target: Path, cache: Path) -> int:
    from qa_service.simulator.export import AGENT_EXTENSIONS, export_dropfolder

    try:
        counts = export_dropfolder(data, target, cache)
    except OSError as error:
        raise UserFacingError(
            f"не удалось записать папку {target}: {error.strerror}", f"cannot write folder {target}: {error.strerror}"
        ) from None
    config = {"path": str(target.resolve()), "timezone": "+03:00", "agent_map": AGENT_EXTENSIONS}
    print(json.dumps({"written": counts, "connector_config": config}, ensure_ascii=False))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate-platform",
        help="симулятор платформы авиакомпании (демо, тесты) / the airline platform simulator (demo, tests)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--calls", type=int, default=24)
    parser.add_argument("--chats", type=int, default=12)
    parser.add_argument("--emails", type=int, default=8)
    parser.add_argument("--token", default=None, help="require 'Authorization: Bearer TOKEN' on the API")
    parser.add_argument("--cache-dir", default=None, help="where synthesised recordings are kept")
    parser.add_argument("--export-dropfolder", metavar="DIR", default=None,
                        help="write the data as a drop folder (Asterisk CDR, recordings, CSV, JSON lines) and exit")
    faults = parser.add_argument_group("fault injection (also POST /_faults)")
    faults.add_argument("--fail-500", type=int, default=0, metavar="N", help="answer 500 to the next N API requests")
    faults.add_argument("--hang", type=int, default=0, metavar="N", help="sleep --hang-seconds on the next N requests")
    faults.add_argument("--hang-seconds", type=float, default=30.0)
    faults.add_argument("--malformed-json", type=int, default=0, metavar="N", help="cut the next N JSON bodies")
    faults.add_argument("--truncate-recording", type=int, default=0, metavar="N", help="cut the next N recordings")
    parser.set_defaults(handler=_simulate)
