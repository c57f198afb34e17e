"""`qa-service report daily-operations|daily-quality --tenant SLUG --date YYYY-MM-DD [--format …] [--out FILE]`.

The same code path as the report pages (`services.reports.daily.render`); JSON shapes in contracts/README.md.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from qa_service.core.errors import UserFacingError
from qa_service.core.reports.periods import parse_day


def _report(args: argparse.Namespace) -> int:
    from qa_service.services.reports.daily import render_for_tenant

    day = parse_day(args.date)
    data = render_for_tenant(args.settings, args.kind, args.tenant, day, args.format, datetime.now(UTC))
    if args.out:
        try:
            Path(args.out).write_bytes(data)
        except OSError as error:
            raise UserFacingError(f"не удалось записать {args.out}: {error.strerror}",
                                  f"cannot write {args.out}: {error.strerror}") from None
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="ежедневные отчёты / daily reports")
    parser.add_argument("kind", choices=("daily-operations", "daily-quality"))
    parser.add_argument("--tenant", required=True, metavar="SLUG")
    parser.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="день в часовом поясе арендатора")
    parser.add_argument("--format", choices=("json", "csv", "xlsx", "pdf"), default="json")
    parser.add_argument("--out", metavar="FILE", help="файл (по умолчанию stdout)")
    parser.set_defaults(handler=_report)
