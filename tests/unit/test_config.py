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
