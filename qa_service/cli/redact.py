"""`qa-service redact [--json]`: redact card and personal data from text on stdin."""

from __future__ import annotations

import argparse
import json
import sys

from qa_service.core.errors import UserFacingError
from qa_service.core.redaction import redact


def _redact(args: argparse.Namespace) -> int:
    raw = sys.stdin.buffer.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UserFacingError(
            f"на входе не UTF-8 (байт {error.start})", f"stdin is not UTF-8 (byte {error.start})"
        ) from None
    result = redact(text, names=not args.keep_names)
    if args.json:
        document = {
            "text": result.text,
            "spans": [{"start": s.start, "end": s.end, "kind": s.kind} for s in result.spans],
        }
        out = json.dumps(document, ensure_ascii=False) + "\n"
    else:
        out = result.text
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "redact", help="убрать данные карт и персональные данные из текста (stdin) / redact text from stdin"
    )
    parser.add_argument("--json", action="store_true", help="JSON: текст и места замен / text and spans")
    parser.add_argument("--keep-names", action="store_true",
                        help="не скрывать имена клиентов / do not redact customers' person names")
    parser.set_defaults(handler=_redact)
