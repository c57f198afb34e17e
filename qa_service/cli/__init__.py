"""`qa-service`: the command line of record (see contracts/README.md).

Each command lives in its own module under `qa_service.cli` and exposes
`register(subparsers)`, which adds its parser and sets `handler`.  Exit codes: 0 on
success, 1 on bad input (one line on stderr, Russian then English, no traceback),
2 on usage errors (argparse's own).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from qa_service import jobs, runtime
from qa_service.config import Settings
from qa_service.core.errors import UserFacingError

# One module per command group; the order is the order of `qa-service --help`.
COMMAND_MODULES = (
    "qa_service.cli.db",
    "qa_service.cli.service",
    "qa_service.cli.demo",
    "qa_service.cli.ingest",
    "qa_service.cli.redact",
    "qa_service.cli.transcribe",
    "qa_service.cli.simulate",
    "qa_service.cli.score", "qa_service.cli.rubric", "qa_service.cli.classifiers",
    "qa_service.cli.calibration",
    "qa_service.cli.trust",
    "qa_service.cli.report",
    "qa_service.cli.retention",
    "qa_service.cli.case",
    "qa_service.cli.search",
    "qa_service.cli.trackers",
    "qa_service.cli.security",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa-service",
        description="Контроль качества контактного центра авиакомпании / "
        "quality monitoring for an airline's contact center",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # Built once here from the environment; handlers that need more than the process-wide
        # parts read it from `args.settings`.
        args.settings = Settings.from_env()
        # The CLI is an entry point: the jobs its commands request are sent (or run) with these settings.
        jobs.install(args.settings)
        with runtime.configured(args.settings):
            result: int | None = args.handler(args)
    except UserFacingError as error:
        print(f"ошибка: {error.one_line()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return result or 0
