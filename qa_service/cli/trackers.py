"""`qa-service trackers --tenant SLUG [--install-starter] [--backfill TRACKER] [--json]`.

Lists the tenant's trackers (saved searches that tag each scored interaction) with their
matches per day over the last week; `--install-starter` adds the airline's starter set,
`--backfill` starts the RQ job that tags the tenant's history with one tracker.
"""

from __future__ import annotations

import argparse
import json
import sys

from qa_service.services.search.trackers import tenant_trackers


def _trackers(args: argparse.Namespace) -> int:
    items = tenant_trackers(args.settings, args.tenant, install=args.install_starter, backfill=args.backfill)
    if args.json:
        sys.stdout.write(json.dumps({"trackers": items}, ensure_ascii=False) + "\n")
        return 0
    for item in items:
        week = sum(item["per_day"].values())
        review = " → на проверку (to review)" if item["send_to_review"] else ""
        sys.stdout.write(f"{item['slug']:<12} {item['name']}: {week} за 7 дней (in 7 days){review}\n"
                         f"             {item['query']}\n")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("trackers", help="трекеры: сохранённые поиски / trackers: saved searches")
    parser.add_argument("--tenant", required=True, metavar="SLUG", help="авиакомпания (slug)")
    parser.add_argument("--install-starter", action="store_true", help="добавить стартовый набор трекеров")
    parser.add_argument("--backfill", metavar="TRACKER", help="разметить историю этим трекером (задача RQ)")
    parser.add_argument("--json", action="store_true", help="вывод в JSON")
    parser.set_defaults(handler=_trackers)
