"""Run Alembic programmatically against a URL (the CLI, the demo and the tests use this)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

# Alembic wants a folder on disk; the package is installed as files (pip, the Docker image).
MIGRATIONS_DIR = str(resources.files("qa_service.db").joinpath("migrations"))


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    # ConfigParser interpolation would choke on '%' in passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _ensure_sqlite_dir(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (creates the SQLite file's folder)."""
    _ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)
