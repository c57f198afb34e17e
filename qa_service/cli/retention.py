"""`qa-service retention --tenant SLUG [--dry-run]`: apply (or count) a tenant's retention now."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime


def _retention(args: argparse.Namespace) -> int:
    from qa_service.services.retention.purge import run_for_slug

    run = run_for_slug(args.settings, args.tenant, datetime.now(UTC), dry_run=args.dry_run)
    verb = "would remove / будет удалено" if run.dry_run else "removed / удалено"
    print(f"{args.tenant}: {verb}: {run.due.in_words()}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("retention", help="сроки хранения / retention")
    parser.add_argument("--tenant", required=True, metavar="SLUG")
    parser.add_argument("--dry-run", action="store_true", help="только посчитать / count only")
    parser.set_defaults(handler=_retention)
