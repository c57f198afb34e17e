"""The package as the Docker image installs it: only what the Dockerfile copies, `pip install
--no-deps` into a separate directory, run from an unrelated working directory with the
image's runtime ENV (paths under /data and /opt/models moved into a temporary folder).

There is no Docker engine here, so this is the closest honest check of the image: the
installed package must find its rubrics, schemas, classifiers, Whisper manifest and
migrations through `importlib.resources`, write only where the ENV says, and never into
its own folder (read-only site-packages in the image).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text("utf-8").replace("\\\n", " ")


def _runtime_env() -> dict[str, str]:
    runtime = _dockerfile().rsplit("\nFROM ", 1)[1]
    env: dict[str, str] = {}
    for line in runtime.splitlines():
        if line.startswith("ENV "):
            env.update(token.split("=", 1) for token in line[4:].split())  # type: ignore[misc]
    return env


def _copied_sources() -> list[str]:
    """What the build stage copies before `pip install --no-deps .` (minus requirements.txt)."""
    build = _dockerfile().split("\nFROM ", 2)[1]
    copied: list[str] = []
    for line in build.splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            copied += [item for item in line.split()[1:-1] if item != "requirements.txt"]
    return copied


class Installed:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.site = base / "site"
        self.data = base / "data"  # stands for the image's /data
        self.models = base / "opt-models"  # stands for the image's /opt/models
        self.cwd = base / "elsewhere"
        self.env = self._env()

    def _moved(self, value: str) -> str:
        return value.replace("/data/", f"{self.data}/").replace("/opt/models", str(self.models))

    def _env(self) -> dict[str, str]:
        env = {key: self._moved(value) for key, value in _runtime_env().items()}
        # The image's /opt/venv holds the dependencies and the installed package; here the
        # dependencies come from this test run's interpreter and the package from `site`.
        env["PATH"] = f"{self.site / 'bin'}:{Path(sys.executable).parent}:/usr/bin:/bin"
        env.update(PYTHONPATH=str(self.site), PYTHONDONTWRITEBYTECODE="1", HOME=str(self.base / "home"),
                   LANG="C.UTF-8")
        return env

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.site / "bin" / "qa-service"), *args], cwd=self.cwd, env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=600, check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result

    def files(self) -> set[Path]:
        return {p for p in self.site.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    source.mkdir()
    for name in _copied_sources():
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(origin, source / name)
    target = Installed(base)
    # --no-build-isolation, as the Dockerfile: setuptools comes from the lock, so no network is needed.
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--target", str(target.site), str(source)],
        check=True, timeout=600, capture_output=True, env={**os.environ, "PIP_NO_INDEX": "1"},
    )
    for name in ("instance", "spool", "blobs"):  # the Dockerfile's `mkdir -p /data/…`
        (target.data / name).mkdir(parents=True)
    target.cwd.mkdir()
    return target


def test_the_wheel_carries_its_data_and_runs_from_elsewhere(installed: Installed) -> None:
    package = installed.site / "qa_service"
    for shipped in ("resources/rubrics/airline-call.yaml", "resources/rubrics/rubric.schema.json",
                    "resources/models/whisper-base.json", "resources/models/classifiers/topic.joblib",
                    "resources/models/training-data/topics.jsonl", "schemas/interaction.schema.json",
                    "translations/ru/LC_MESSAGES/messages.mo", "db/migrations/env.py"):
        assert (package / shipped).is_file(), shipped
    code = "import qa_service, sys; print(qa_service.__file__)"
    where = subprocess.run([sys.executable, "-c", code], cwd=installed.cwd, env=installed.env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(installed.site))  # the installed copy, not this checkout


@pytest.mark.parametrize(
    ("example", "rubric"),
    [("call-exchange.json", "airline-call"), ("chat-refund.json", "airline-chat"),
     ("email-baggage.json", "airline-email")],
)
def test_score_a_call_a_chat_and_an_email(installed: Installed, example: str, rubric: str) -> None:
    before = installed.files()
    result = installed.run("score", str(DATA / "interactions" / example), "--json")
    evaluation = json.loads(result.stdout)
    assert evaluation["rubric"]["id"] == rubric and evaluation["score"] is not None
    assert evaluation["criteria"] and all(c["reason"] for c in evaluation["criteria"])
    if rubric == "airline-call":
        # The learned criterion's classifier was found inside the installed package.
        [discovery] = [c for c in evaluation["criteria"] if c["id"] == "needs_discovery"]
        assert re.search(r"модель «Уточняющий вопрос»: вероятность \d", discovery["reason"]), discovery
    assert installed.files() == before  # nothing written into the installed package
    assert not any(installed.cwd.iterdir())  # nor into the working directory


def test_migrate_creates_the_sqlite_database_in_the_instance_dir(installed: Installed) -> None:
    installed.run("migrate")
    database = installed.data / "instance" / "qa_service.sqlite3"
    with sqlite3.connect(database) as connection:
        [(version,)] = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert version and {"tenants", "interactions", "evaluations"} <= tables
    # An explicit DATABASE_URL wins over the instance dir.
    other = installed.base / "other.sqlite3"
    installed.run("migrate", env={"DATABASE_URL": f"sqlite:///{other}"})
    assert other.is_file()
    assert not any(installed.cwd.iterdir())


WEB_CHECK = """
from qa_service.web import create_app
client = create_app().test_client()
ru = client.get("/login").get_data(as_text=True)
en = client.get("/login?lang=en").get_data(as_text=True)
print(client.get("/static/app.css").status_code, client.get("/healthz").status_code, "Вход" in ru, "Вход" not in en)
"""


def test_the_web_app_finds_templates_translations_and_static_files(installed: Installed) -> None:
    installed.run("migrate")
    result = subprocess.run([sys.executable, "-c", WEB_CHECK], cwd=installed.cwd, capture_output=True, text=True,
                            env={**installed.env, "SECRET_KEY": "wheel-test"}, timeout=300, check=True)
    assert result.stdout.split() == ["200", "200", "True", "True"], result.stderr[-2000:]


@pytest.mark.slow
def test_the_image_model_step_then_transcribe(installed: Installed) -> None:
    # The Dockerfile's build step, as written there, with /opt/models moved.
    [step] = [line for line in _dockerfile().splitlines() if "ensure_model" in line]
    code = re.search(r'python -c "(.+)"', step)
    assert code is not None
    try:
        subprocess.run([sys.executable, "-c", code[1].replace("/opt/models", str(installed.models))],
                       cwd=installed.cwd, env=installed.env, check=True, timeout=600)
        assert Path(installed.env["QA_ASR_MODEL"]).is_dir()
        result = installed.run("transcribe", str(DATA / "audio" / "call_stereo_8k.flac"), "--json",
                               "--channels", "0=agent,1=customer")
    finally:
        shutil.rmtree(installed.models, ignore_errors=True)  # 145 MB: not kept in pytest's temp dirs
    transcript = json.loads(result.stdout)
    assert transcript["turns"] and {t["speaker"] for t in transcript["turns"]} == {"agent", "customer"}
    assert not any(installed.cwd.iterdir())
