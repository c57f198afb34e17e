"""`qa-service report daily-operations|daily-quality --tenant SLUG --date YYYY-MM-DD [--format …] [--out FILE]`.

The same code path as the report pages (`services.reports.render`); JSON shapes in contracts/README.md.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from qa_service.core.errors import UserFacingError
from qa_service.core.reports.periods import parse_day


def _report(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from qa_service.config import Settings
    from qa_service.db.session import session_factory
    from qa_service.services.reports import render
    from qa_service.services.reports_scope import ReportScope, tenant_by_slug

    day = parse_day(args.date)
    settings = Settings.from_env()
    with session_factory(settings.sqlalchemy_url)() as session:
        try:
            tenant = tenant_by_slug(session, args.tenant)
        except SQLAlchemyError as error:
            raise UserFacingError(f"база данных недоступна: {type(error).__name__}",
                                  f"database unavailable: {type(error).__name__}") from None
        data = render(session, args.kind, ReportScope(tenant.id), day, day, datetime.now(UTC), args.format)
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
