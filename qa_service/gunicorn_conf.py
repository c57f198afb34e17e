"""gunicorn settings for the web tier: `gunicorn -c python:qa_service.gunicorn_conf "qa_service.web:create_app()"`.

Both of gunicorn's logs get the redacting filter (`core.redaction.logging_filter`): the access
log's request line carries query strings («/interactions?q=4111 1111 …», a transcript search
for a card number) and the error log carries whatever the app logs (an exception's text).
The app's own loggers (Flask, SQLAlchemy, ours) write through the same filtered handlers
instead of the WSGI error stream, which no filter sees.  SQL parameters are not in any
exception text to begin with (`hide_parameters` on the engine, `db.session`).
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.glogging import Logger

from qa_service.core.redaction.logging_filter import RedactingFilter


class RedactingLogger(Logger):  # gunicorn ships no type hints (an override in pyproject.toml)
    """gunicorn's logger with the redacting filter on every handler it sets up."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        handlers = [*self.error_log.handlers, *self.access_log.handlers]
        for handler in handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
        root = logging.getLogger()
        root.handlers[:] = list(self.error_log.handlers)
        root.setLevel(logging.INFO)


logger_class = RedactingLogger

# gthread with a deadline on every client socket read and write (qa_service/gunicorn_worker.py), and
# enough threads that a burst of stalled clients cannot take them all before the deadline frees them.
# Set here, not on the command line, so every deployment gets both (tests/integration/test_gunicorn_slow_clients).
worker_class = "qa_service.gunicorn_worker.DeadlineThreadWorker"
threads = 16
