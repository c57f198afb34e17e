"""`qa-service rubric check PATH` and `qa-service rubric preview NEW.yaml --since DATE [--channel]`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from qa_service.core.errors import UserFacingError


def _check(args: argparse.Namespace) -> int:
    from qa_service.core.rubric import check_rubric_file  # spaCy loads with it: only when used

    problems = check_rubric_file(args.path)
    if not problems:
        print(f"{args.path}: рубрика корректна / rubric is valid")
        return 0
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    print(f"{args.path}: ошибок {len(problems)} / {len(problems)} problem(s)", file=sys.stderr)
    return 1


def _since(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UserFacingError(f"неверная дата --since: {value!r}", f"bad --since date: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _preview(args: argparse.Namespace) -> int:
    from qa_service.core.rubric import default_rubric_id, load_rubric, rubrics_dir
    from qa_service.core.scoring import preview_impact

    since = _since(args.since)
    draft = load_rubric(args.path)
    shipped = rubrics_dir() / f"{draft.id}.yaml"
    current = load_rubric(shipped if shipped.exists() else default_rubric_id(draft.channel))
    from qa_service.services.interactions.history import iter_stored_interactions  # the database is only needed here

    channel = args.channel or draft.channel
    report = preview_impact(iter_stored_interactions(since, channel, settings=args.settings), current, draft)
    print(report.format())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rubric", help="проверка и предпросмотр рубрик / rubric check and preview")
    commands = parser.add_subparsers(dest="rubric_command", metavar="ACTION", required=True)
    check = commands.add_parser("check", help="проверить файл рубрики / validate a rubric file")
    check.add_argument("path", metavar="PATH")
    check.set_defaults(handler=_check)
    preview = commands.add_parser("preview", help="как черновик изменит оценки / impact of a draft rubric")
    preview.add_argument("path", metavar="NEW.yaml")
    preview.add_argument("--since", required=True, metavar="DATE", help="ISO-дата, например 2026-11-01")
    preview.add_argument("--channel", choices=("call", "chat", "email"))
    preview.set_defaults(handler=_preview)
