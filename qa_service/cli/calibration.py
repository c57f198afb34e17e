"""`qa-service calibration agreement --ratings FILE.csv [--level nominal|interval] --json`.

Reads a ratings table (columns `unit,criterion,rater,answer`; a missing row or an empty
answer is a missing rating) and prints the agreement figures the calibration pages show,
computed by the same code (`qa_service.core.agreement`).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path
from typing import Any

from qa_service.core.agreement import LEVELS, Level, by_criterion
from qa_service.core.errors import UserFacingError

COLUMNS = ("unit", "criterion", "rater", "answer")
NOT_APPLICABLE = ("na", "n/a")


def _answer(raw: str, level: Level, where: str) -> Any:
    value = raw.strip()
    if not value:
        return None
    if level == "nominal":
        return value.lower()
    if value.lower() in NOT_APPLICABLE:
        return None  # a score that does not apply is no score on an interval scale
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise UserFacingError(f"{where}: ответ {value!r} не число (уровень interval)",
                              f"{where}: answer {value!r} is not a number (interval level)")
    return number


def read_ratings(path: str, level: Level) -> list[tuple[str, str, str, Any]]:
    """The CSV's rows as (unit, criterion, rater, answer); one-line errors naming the file and line."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8-sig")
    except OSError as error:
        raise UserFacingError(f"не удалось прочитать {path}: {error.strerror}",
                              f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UserFacingError(f"{path}: файл не в UTF-8", f"{path}: file is not UTF-8") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UserFacingError(f"{path}: нет столбцов {', '.join(missing)} (нужны {','.join(COLUMNS)})",
                              f"{path}: missing columns {', '.join(missing)} (need {','.join(COLUMNS)})")
    reader.fieldnames = header
    rows: list[tuple[str, str, str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for line, record in enumerate(reader, start=2):
        where = f"{path}, строка {line}"
        if None in record.values() or None in record:
            raise UserFacingError(f"{where}: не то число полей", f"{path}, line {line}: wrong number of fields")
        unit, criterion, rater = (record[c].strip() for c in COLUMNS[:3])
        if not (unit and criterion and rater):
            raise UserFacingError(f"{where}: пустые unit, criterion или rater",
                                  f"{path}, line {line}: empty unit, criterion or rater")
        key = (unit, criterion, rater)
        if key in seen:
            raise UserFacingError(f"{where}: повтор оценки {rater} для {unit}/{criterion}",
                                  f"{path}, line {line}: {rater} rated {unit}/{criterion} twice")
        seen.add(key)
        rows.append((unit, criterion, rater, _answer(record["answer"], level, where)))
    if not rows:
        raise UserFacingError(f"{path}: нет ни одной оценки", f"{path}: no ratings")
    return rows


def agreement_json(rows: list[tuple[str, str, str, Any]], level: Level) -> dict[str, Any]:
    criteria, overall = by_criterion(rows, level)
    return {"criteria": {c: r.to_json() for c, r in criteria.items()}, "overall": overall.to_json()}


def _agreement(args: argparse.Namespace) -> int:
    result = agreement_json(read_ratings(args.ratings, args.level), args.level)
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return 0
    for name, figures in [*result["criteria"].items(), ("ВСЕГО / overall", result["overall"])]:
        shown = ", ".join(f"{k}={'—' if v is None else v}" for k, v in figures.items())
        sys.stdout.write(f"{name}: {shown}\n")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("calibration", help="калибровка оценщиков / calibration of graders")
    commands = parser.add_subparsers(dest="calibration_command", metavar="COMMAND", required=True)
    agreement = commands.add_parser(
        "agreement", help="согласованность оценщиков по таблице оценок / inter-rater agreement of a ratings table"
    )
    agreement.add_argument("--ratings", required=True, metavar="FILE.csv",
                           help="CSV со столбцами unit,criterion,rater,answer (- = stdin)")
    agreement.add_argument("--level", choices=LEVELS, default="nominal",
                           help="шкала: nominal (да/нет/неприм.) или interval (баллы)")
    agreement.add_argument("--json", action="store_true", help="вывести JSON / print JSON")
    agreement.set_defaults(handler=_agreement)
