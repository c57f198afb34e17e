"""Where the shipped read-only data lives, and the operator's overrides of it.

Packaged data (rubrics, schemas, classifiers, the Whisper manifest) is found through
`importlib.resources`, so it works the same from a source checkout and an installed wheel.
The overrides come from `Settings` (`QA_RUBRICS_DIR`, `QA_MODELS_DIR`, `QA_ASR_MODEL`):
entry points call `configure()` once with what they built from the environment; nothing
below them reads the environment.  Rubrics, classifiers and the ASR model are looked up
deep inside scoring and transcription, so the locations are process-wide rather than an
argument threaded through every scoring rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

PACKAGE = "qa_service.resources"
WHISPER_CACHE_NAME = "whisper-base-ct2"


def packaged(*parts: str) -> Path:
    """A file or folder shipped inside the package (`packaged("rubrics", "airline-call.yaml")`)."""
    root = resources.files(PACKAGE).joinpath(*parts)
    # Installed as files (pip, the Docker image): rubric versions are keyed by path and mtime.
    if not isinstance(root, Path):
        raise RuntimeError(f"{PACKAGE} must be installed as files, not inside an archive")
    return root


@dataclass(frozen=True)
class Locations:
    """Resolved places of the data the service reads.  Each override has one meaning."""

    rubrics_dir: Path | None = None  # QA_RUBRICS_DIR: rubric ids resolve here instead of the shipped ones
    models_dir: Path | None = None  # QA_MODELS_DIR: holds `classifiers/` and the Whisper cache
    asr_model: Path | None = None  # QA_ASR_MODEL: a ready CTranslate2 Whisper directory, used as is
    # Where the Whisper model is assembled without QA_MODELS_DIR (writable: `<instance>/models`).
    model_cache_dir: Path = Path("instance") / "models"

    @property
    def rubrics(self) -> Path:
        return self.rubrics_dir if self.rubrics_dir is not None else packaged("rubrics")

    @property
    def classifiers(self) -> Path:
        return self.models_dir / "classifiers" if self.models_dir is not None else packaged("models", "classifiers")

    @property
    def whisper_cache(self) -> Path:
        """The folder the assembled Whisper model goes into (its parent when QA_MODELS_DIR is set)."""
        return self.models_dir if self.models_dir is not None else self.model_cache_dir


_current = Locations()


def configure(locations: Locations) -> None:
    """Set the process's locations (entry points only, from `Settings.locations`)."""
    global _current
    _current = locations


def current() -> Locations:
    return _current


@contextmanager
def configured(locations: Locations) -> Iterator[None]:
    """Use `locations` for the duration of a block (tests, the demo)."""
    previous = current()
    configure(locations)
    try:
        yield
    finally:
        configure(previous)
