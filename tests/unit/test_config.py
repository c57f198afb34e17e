import subprocess
import sys
from pathlib import Path

import pytest

from qa_service.config import ConfigError, Settings


def test_embedded_defaults_need_no_server(tmp_path: Path) -> None:
    settings = Settings.from_env({"QA_INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'qa_service.sqlite3'}"
    assert settings.blob_url == f"file://{tmp_path / 'blobs'}"
    assert settings.jobs_in_process
    assert settings.environment == "production"


def test_production_parts_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://qa@db/qa",
            "REDIS_URL": "redis://cache:6379/0",
            "BLOB_URL": "file:///srv/blobs",
            "SECRET_KEY": "s3cret",
            "QA_ASR_MODEL": "/models/large",
        }
    )
    assert settings.sqlalchemy_url == "postgresql+psycopg://qa@db/qa"
    assert not settings.jobs_in_process
    assert settings.blob_url == "file:///srv/blobs"
    assert settings.asr_model == "/models/large"
    settings.require_secret()  # does not raise


def test_production_refuses_to_start_without_secret_key() -> None:
    settings = Settings.from_env({})
    with pytest.raises(ConfigError) as error:
        settings.require_secret()
    assert "SECRET_KEY" in error.value.one_line()
    Settings.from_env({"QA_ENV": "demo"}).require_secret()
    Settings.from_env({"QA_ENV": "test"}).require_secret()


@pytest.mark.parametrize(
    ("env", "fragment"),
    [({"QA_ENV": "staging"}, "QA_ENV"), ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL")],
)
def test_bad_environment_is_one_clear_line(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env)
    line = error.value.one_line()
    assert fragment in line and "\n" not in line


def test_importing_the_package_does_no_io(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    code = (
        "import qa_service, qa_service.config, qa_service.jobs, qa_service.web, qa_service.db.models, "
        "qa_service.services.health, qa_service.cli\n"
        "import sys; bad=[m for m in ('faster_whisper','ctranslate2') if m in sys.modules]; print(bad)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "QA_INSTANCE_DIR": str(instance),
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.strip() == "[]"  # the Whisper runtime is not even imported
    assert not instance.exists()


def test_postgres_and_postgresql_urls_both_work() -> None:
    for url in ("postgres://qa@db/qa", "postgresql://qa@db/qa", "postgresql+psycopg://qa@db/qa"):
        settings = Settings.from_env({"DATABASE_URL": url})
        assert settings.sqlalchemy_url == "postgresql+psycopg://qa@db/qa"


def test_instance_dir_defaults_to_the_working_directory_not_the_package(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.instance_dir == tmp_path / "instance"
    assert settings.spool == tmp_path / "instance" / "spool"
    assert settings.locations.whisper_cache == tmp_path / "instance" / "models"


def test_every_path_override_has_one_meaning(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "QA_RUBRICS_DIR": str(tmp_path / "r"),
            "QA_MODELS_DIR": str(tmp_path / "m"),
            "QA_SPOOL_DIR": str(tmp_path / "s"),
            "QA_DISPUTE_WINDOW_DAYS": "14",
            "QA_ASR_THREADS": "1",
            "QA_ASR_MAX_SECONDS": "600",
        }
    )
    assert settings.locations.rubrics == tmp_path / "r"
    assert settings.locations.classifiers == tmp_path / "m" / "classifiers"
    assert settings.locations.whisper_cache == tmp_path / "m"
    assert settings.spool == tmp_path / "s"
    assert (settings.dispute_window_days, settings.asr_threads, settings.asr_max_seconds) == (14, 1, 600)
    with pytest.raises(ConfigError, match="QA_DISPUTE_WINDOW_DAYS"):
        Settings.from_env({"QA_DISPUTE_WINDOW_DAYS": "неделя"})


def test_no_module_below_the_entry_points_reads_the_environment_or_its_own_path() -> None:
    root = Path(__file__).resolve().parents[2] / "qa_service"
    # Entry points may; everything else gets Settings (or the locations they configured).
    allowed = {"config.py", "cli"}
    offenders = [
        f"{path.relative_to(root)}: {needle}"
        for path in root.rglob("*.py")
        if path.relative_to(root).parts[0] not in allowed
        for needle in ("os.environ", "os.getenv", "__file__")
        if needle in path.read_text("utf-8")
    ]
    assert offenders == []
