"""A logging filter that keeps card and personal data out of every log line."""

from __future__ import annotations

import logging
import re
import traceback

from qa_service.core.redaction.card_runs import mask_card_runs
from qa_service.core.redaction.redactor import redact

# Machine timestamps (RQ's «scheduled for retry at 2026-11-29 02:18:51.628463+00:00», ISO times in
# our own messages): their 16–20 digits pass the card check about a third of the time, which turned
# the retry time of every third failed job into «[карта]».  Nobody writes a card number as a date
# with a clock time, so log text sets them aside before redacting and puts them back after.
_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?(?!\d)")
_MARK = "\x00"  # never produced by the redactor, never inside a number


def redact_log_text(text: str) -> str:
    """`redact(text).text`, but with machine timestamps left as they are."""
    stamps = _TIMESTAMP.findall(text)
    if not stamps or _MARK in text:
        return redact(text).text
    parts = redact(_TIMESTAMP.sub(f" {_MARK} ", text)).text.split(f" {_MARK} ")
    if len(parts) != len(stamps) + 1:  # a placeholder was swallowed by a redacted span: no timestamps back
        return redact(text).text
    return "".join(part + stamp for part, stamp in zip(parts, [*stamps, ""], strict=True))


def _clean(text: str) -> str:
    # `redact` reads people's words; `mask_card_runs` also catches a card URL-encoded in a
    # logged request line («?q=4111%201111%201111%201111»).
    return mask_card_runs(redact_log_text(text))


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
