"""Structured logs for the service's processes: one JSON object a line, redacted, with job ids.

Every handler gets the redacting filter, so neither a message nor an exception's text ever
writes a card number to a log, whatever code logged it (RQ's own worker log included).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from qa_service.core.redaction.logging_filter import RedactingFilter


class JobContextFilter(logging.Filter):
    """Adds the id of the RQ job being executed (if any) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        from rq import get_current_job

        job = get_current_job()
        record.job_id = job.id if job is not None else None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        job_id = getattr(record, "job_id", None)
        if job_id:
            entry["job_id"] = job_id
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """Send every logger's records, redacted and as JSON lines, to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.addFilter(JobContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # RQ adds its own colourful handler unless its logger already has one: give it ours.
    for name in ("rq.worker", "rq.scheduler", "rq.cron"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
