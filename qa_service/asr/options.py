"""The operator's ASR tuning for this process (from `Settings`: QA_ASR_THREADS, _BEAM, _MAX_SECONDS).

The model is loaded once per worker process and audio is decoded deep inside the
pipeline, so the entry point sets these once (`configure`) instead of every call site
passing them; nothing here reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# A contact-center call longer than this is a stuck recorder, not a conversation.
DEFAULT_MAX_SECONDS = 4 * 3600.0


@dataclass(frozen=True)
class AsrOptions:
    threads: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    beam: int = 5
    max_seconds: float = DEFAULT_MAX_SECONDS


_current = AsrOptions()


def configure(options: AsrOptions) -> None:
    global _current
    _current = options


def current() -> AsrOptions:
    return _current


@contextmanager
def configured(options: AsrOptions) -> Iterator[None]:
    previous = current()
    configure(options)
    try:
        yield
    finally:
        configure(previous)
