"""`qa-service search --tenant SLUG QUERY [--speaker agent|customer] [--channel C] [--first-seconds N] [--json]`.

QUERY as typed in the search box: words matched on lemmas, "quoted phrases", -excluded words.
The same service as the /search page; JSON shape in contracts (`{"total", "hits"}`).
"""

from __future__ import annotations

import argparse
import json
import sys

from qa_service.core.interaction import CHANNELS
from qa_service.services.interactions.listing import ListFilters
from qa_service.services.search.searching import MAX_PAGE, SPEAKERS, SearchFilters
from qa_service.services.search.tenant_search import search_tenant


def _search(args: argparse.Namespace) -> int:
    filters = SearchFilters(speaker=args.speaker, first_seconds=args.first_seconds,
                            conversations=ListFilters(channel=args.channel))
    result = search_tenant(args.settings, args.tenant, args.query, filters, limit=args.limit)
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return 0
    lines = [f"найдено реплик (turns found): {result['total']}"]
    for hit in result["hits"]:
        at = "" if hit["start"] is None else f" {hit['start']:.1f} с"
        lines.append(f"{hit['external_id']} #{hit['interaction_id']} {hit['channel']} реплика {hit['turn']}"
                     f" {hit['speaker']}{at}: {hit['snippet']}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ожидается число секунд / expected seconds: {value!r}") from None
    if not 0 < number < 10**7:
        raise argparse.ArgumentTypeError(f"ожидается положительное число / expected a positive number: {value!r}")
    return number


def _limit(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise argparse.ArgumentTypeError(f"ожидается 1–{MAX_PAGE} / expected 1–{MAX_PAGE}: {value!r}")
    return int(value)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("search", help="поиск по разговорам / search every conversation")
    parser.add_argument("--tenant", required=True, metavar="SLUG", help="авиакомпания (slug)")
    parser.add_argument("query", metavar="QUERY",
                        help='слова (по леммам), "фразы в кавычках", -исключённые слова')
    parser.add_argument("--speaker", choices=SPEAKERS)
    parser.add_argument("--channel", choices=CHANNELS)
    parser.add_argument("--first-seconds", type=_positive, metavar="N", help="только первые N секунд звонка")
    parser.add_argument("--limit", type=_limit, default=100, metavar="N", help="сколько реплик показать (100)")
    parser.add_argument("--json", action="store_true", help="вывод в JSON")
    parser.set_defaults(handler=_search)
