"""Worker entry points: `python -m workers.asr` or `workers.text` (see README).

Each builds the settings from the environment and hands them to `qa_service.workers.serve`,
which loads the heavy models once and then serves RQ; bad configuration is one line on stderr,
as from the CLI.
"""

from __future__ import annotations

import sys

from qa_service import runtime
from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.workers import serve


def run(queue: str) -> int:
    """Serve one queue until stopped; exit code 1 with one line on stderr for bad configuration."""
    try:
        settings = Settings.from_env()
        with runtime.configured(settings):
            serve(settings, [queue])
    except UserFacingError as error:
        print(f"ошибка: {error.one_line()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
