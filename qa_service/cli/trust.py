"""`qa-service trust --tenant SLUG [--json]`: recompute the AutoQA trust of every automatic criterion now.

The same code path as the «Пересчитать сейчас» button; for a nightly run or after importing
human answers in bulk.  Prints per criterion its agreement with people, sample size, 95 % Wilson
interval, threshold and state (published / withheld / collecting).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy import select

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.db.models import Tenant
from qa_service.db.session import transaction
from qa_service.services.trust_views import TrustRow, recompute_all


def _as_json(row: TrustRow) -> dict[str, Any]:
    trust = row.trust
    return {
        "rubric": row.rubric.slug, "criterion": row.criterion.id, "title": row.criterion.title,
        "method": row.criterion.method, "state": row.state, "threshold": row.threshold,
        "agreement": trust.agreement if trust else None, "agreed": trust.agreed if trust else 0,
        "n": trust.n if trust else 0, "lower": trust.lower if trust else None, "upper": trust.upper if trust else None,
    }


def _line(item: dict[str, Any]) -> str:
    rate = "—" if item["agreement"] is None else f"{100 * item['agreement']:.1f} %"
    interval = "" if item["lower"] is None else f" [{100 * item['lower']:.1f}–{100 * item['upper']:.1f} %]"
    return (f"{item['rubric']:<14} {item['criterion']:<22} {rate:>8} ({item['agreed']}/{item['n']}){interval}"
            f"  порог (threshold) {100 * item['threshold']:.0f} %  {item['state']}")


def _trust(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    with transaction(settings.sqlalchemy_url) as session:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == args.tenant))
        if tenant is None:
            raise UserFacingError(f"нет авиакомпании {args.tenant!r}", f"no tenant {args.tenant!r}")
        items = [_as_json(row) for row in recompute_all(session, tenant.id)]
    if args.json:
        sys.stdout.write(json.dumps({"tenant": args.tenant, "criteria": items}, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write("\n".join(_line(item) for item in items) + "\n")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "trust", help="пересчитать доверие к автооценке по критериям / recompute AutoQA trust per criterion"
    )
    parser.add_argument("--tenant", required=True, metavar="SLUG", help="авиакомпания (slug)")
    parser.add_argument("--json", action="store_true", help="вывод в JSON")
    parser.set_defaults(handler=_trust)
