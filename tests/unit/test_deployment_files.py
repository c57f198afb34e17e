"""The Dockerfile and compose file describe what the README promises.

There is no Docker engine on this machine and its Docker client has no compose plugin,
so `docker compose config` cannot parse the file here: this checks its structure instead.
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_web_two_workers_redis_and_postgres_with_volumes() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web", "redis", "postgres"} <= services.keys()
    workers = [name for name, svc in services.items() if svc.get("command") == ["worker"]]
    assert len(workers) == 2
    for name in ["web", *workers]:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql://") and env["REDIS_URL"].startswith("redis://")
    assert {"pg", "redis", "blobs"} <= compose["volumes"].keys()


def test_dockerfile_is_multi_stage_non_root_and_verifies_the_model() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert text.count("FROM ") >= 2
    assert "USER qa" in text
    assert "ensure_model" in text  # assembles the model and checks its sha256 at build time
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    for role in ("web)", "worker)", "scheduler)"):
        assert role in entrypoint
