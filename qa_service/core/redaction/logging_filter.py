"""A logging filter that keeps card and personal data out of every log line."""

from __future__ import annotations

import logging
import traceback

from qa_service.core.redaction.card_runs import mask_card_runs
from qa_service.core.redaction.redactor import redact


def _clean(text: str) -> str:
    # `redact` reads people's words; `mask_card_runs` also catches a card URL-encoded in a
    # logged request line («?q=4111%201111%201111%201111»).
    return mask_card_runs(redact(text).text)


class RedactingFilter(logging.Filter):
    """Redacts the formatted message, exception and stack text of every record it sees.

    Attach it to handlers (or loggers); it never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A broken format string must not raise in the caller's code path: keep its
            # parts, redacted, so the mistake is still visible.
            message = f"{record.msg} {record.args!r}"
        record.msg = _clean(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = _clean(record.exc_text)
            # Formatters use exc_text when set; handlers that re-format exc_info themselves
            # (or pickle it to another process) would leak the original, so drop it.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = _clean(record.stack_info)
        return True
