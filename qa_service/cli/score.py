"""`qa-service score INTERACTION.json [--rubric ID_OR_PATH] --json`: score one interaction, no database."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_service.core.errors import UserFacingError
from qa_service.core.interaction import Interaction, parse_interaction
from qa_service.core.json_input import loads

if TYPE_CHECKING:
    from qa_service.core.scoring import Evaluation


def read_interaction(path: str) -> Interaction:
    """Read and validate an interaction JSON file (`-` = stdin); one-line errors."""
    try:
        raw = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8")
    except OSError as error:
        raise UserFacingError(f"не удалось прочитать {path}: {error.strerror}",
                              f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UserFacingError(f"{path}: файл не в UTF-8", f"{path}: file is not UTF-8") from None
    data: Any = loads(raw, what=path)  # strict: no NaN/Infinity, bounded depth, no NUL
    return parse_interaction(data)


def redacted(interaction: Interaction) -> Interaction:
    """The interaction as `core.redaction.redact_interaction` leaves it, so evidence quotes are clean."""
    from qa_service.core.redaction import redact_interaction  # loaded only when scoring

    result = redact_interaction(interaction)
    clean = result.interaction
    if result.card_seen:
        clean.meta.setdefault("card_data_detected", True)
    return clean


def _summary(evaluation: Evaluation) -> str:
    score = "—" if evaluation.score is None else f"{evaluation.score:.2f}"
    lines = [f"{evaluation.interaction}: оценка (score) {score}"
             + ("; критическая ошибка (failed critical)" if evaluation.failed_critical else "")
             + ("; нужна проверка (needs review)" if evaluation.needs_review else "")]
    for answer in evaluation.criteria:
        shown = "null" if answer.answer is None else str(answer.answer)
        lines.append(f"  {answer.id:<22} {shown:<5} {answer.reason}")
    return "\n".join(lines)


def _score(args: argparse.Namespace) -> int:
    # Imported here: the engine loads spaCy and scikit-learn, which every `qa-service` call would pay for.
    from qa_service.core.rubric import default_rubric_id, load_rubric
    from qa_service.core.scoring import score_interaction

    interaction = redacted(read_interaction(args.interaction))
    rubric = load_rubric(args.rubric or default_rubric_id(interaction.channel))
    evaluation = score_interaction(interaction, rubric)
    if args.json:
        sys.stdout.write(json.dumps(evaluation.to_json(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_summary(evaluation) + "\n")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="оценить одно взаимодействие по рубрике / score one interaction")
    parser.add_argument("interaction", metavar="INTERACTION.json", help="файл взаимодействия (- = stdin)")
    parser.add_argument("--rubric", metavar="ID_OR_PATH", help="id рубрики или путь к YAML (по умолчанию по каналу)")
    parser.add_argument("--json", action="store_true", help="вывести оценку в JSON / print the evaluation JSON")
    parser.set_defaults(handler=_score)
