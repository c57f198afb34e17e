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

from qa_service.services.trust.pages import recompute_tenant_summary


def _line(item: dict[str, Any]) -> str:
    rate = "—" if item["agreement"] is None else f"{100 * item['agreement']:.1f} %"
    interval = "" if item["lower"] is None else f" [{100 * item['lower']:.1f}–{100 * item['upper']:.1f} %]"
    return (f"{item['rubric']:<14} {item['criterion']:<22} {rate:>8} ({item['agreed']}/{item['n']}){interval}"
            f"  порог (threshold) {100 * item['threshold']:.0f} %  {item['state']}")


def _trust(args: argparse.Namespace) -> int:
    items = recompute_tenant_summary(args.settings, args.tenant)
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
