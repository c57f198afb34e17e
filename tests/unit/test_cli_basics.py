import subprocess
import sys
from pathlib import Path

from qa_service.cli import main


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qa_service", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_help_lists_commands() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for command in ("migrate", "serve", "worker", "demo"):
        assert command in result.stdout


def test_usage_error_exits_2() -> None:
    assert _run("no-such-command").returncode == 2


def test_worker_without_redis_is_one_clear_line(tmp_path: Path) -> None:
    result = _run("worker", env={"QA_ENV": "test", "QA_INSTANCE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "REDIS_URL" in lines[0] and "Traceback" not in result.stderr


def test_migrate_then_create_user(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("QA_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("QA_USER_PASSWORD", "long-enough-password")
    assert main(["migrate"]) == 0
    user = ["create-user", "--tenant", "sv", "--name", "Ольга", "--role", "qa", "--email"]
    assert main([*user, "Olga@Example.org"]) == 0
    # The same user twice (e-mail case folded) is bad input: exit 1, not a traceback.
    assert main([*user, "olga@example.org"]) == 1
