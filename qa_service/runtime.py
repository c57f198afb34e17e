"""The entry points' one step after building `Settings`: hand the process-wide parts down.

Where rubrics, classifiers and the Whisper model are (`core.resources`) and the ASR tuning
(`asr.options`) are read deep inside scoring and transcription, which run in the CLI, in
workers and — without Redis — inside the web process.  Entry points (the CLI's `main`,
`create_app`) call this once; nothing below them reads the environment.
"""

from __future__ import annotations

from contextlib import ExitStack

from qa_service.asr import options
from qa_service.config import Settings
from qa_service.core import resources


def _asr_options(settings: Settings) -> options.AsrOptions:
    return options.AsrOptions(threads=settings.asr_threads, beam=settings.asr_beam,
                              max_seconds=float(settings.asr_max_seconds))


def configure(settings: Settings) -> None:
    """For the life of the process (the web app)."""
    resources.configure(settings.locations)
    options.configure(_asr_options(settings))


def configured(settings: Settings) -> ExitStack:
    """For one command (`with configured(settings): …`); the previous configuration comes back after."""
    stack = ExitStack()
    stack.enter_context(resources.configured(settings.locations))
    stack.enter_context(options.configured(_asr_options(settings)))
    return stack
