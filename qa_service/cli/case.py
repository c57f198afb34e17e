"""`qa-service case --tenant SLUG --interaction ID [--json]`: the case of one contact — its contacts across
channels with reason and outcome, and the booking/payment events (shape in contracts/README.md)."""

from __future__ import annotations

import argparse
import json
import sys

from qa_service.services.cases.timeline import case_for_tenant


def _case(args: argparse.Namespace) -> int:
    data = case_for_tenant(args.settings, args.tenant, args.interaction)
    if args.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return 0
    lines = [f"дело (case) {data['case_id']}"]
    lines += [f"  {c['started_at']}  {c['channel']:<6} #{c['interaction_id']}  {c['reason']} → {c['outcome']}"
              for c in data["contacts"]]
    lines += [f"  {e['at']}  {e['kind']}  {'' if e['amount'] is None else e['amount']}" for e in data["events"]]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("case", help="дело обращения: все контакты и события / a contact's case")
    parser.add_argument("--tenant", required=True, metavar="SLUG", help="авиакомпания (slug)")
    parser.add_argument("--interaction", required=True, metavar="ID", help="id обращения (или его id на платформе)")
    parser.add_argument("--json", action="store_true", help="вывод в JSON")
    parser.set_defaults(handler=_case)
