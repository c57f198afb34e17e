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
    assert {"pg", "redis", "blobs", "spool"} <= compose["volumes"].keys()


def test_web_and_every_worker_share_the_spool_and_blob_volumes_where_the_image_points() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    image_env = dockerfile_runtime_env()
    assert image_env["QA_SPOOL_DIR"] == "/data/spool" and image_env["BLOB_URL"] == "file:///data/blobs"
    assert image_env["QA_INSTANCE_DIR"].startswith("/data/")
    for name, service in compose["services"].items():
        if service.get("command") in (["web"], ["worker"]):
            assert "spool:/data/spool" in service["volumes"], name
            assert "blobs:/data/blobs" in service["volumes"], name
    assert compose["services"]["scheduler"]["command"] == ["scheduler"]


def dockerfile_runtime_env() -> dict[str, str]:
    """The ENV of the Dockerfile's last stage (what every container runs with)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    runtime = text.rsplit("\nFROM ", 1)[1]
    env: dict[str, str] = {}
    for line in runtime.splitlines():
        if line.startswith("ENV "):
            env.update(token.split("=", 1) for token in line[4:].split())  # type: ignore[misc]
    return env


def test_dockerfile_is_multi_stage_non_root_and_verifies_the_model() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert text.count("FROM ") >= 2
    assert "USER qa" in text
    assert "ensure_model" in text and "verify_model" in text  # assembles the model, checks its sha256
    # The image's processes write only under /data (a volume or the writable instance dir).
    assert "chown -R qa:qa /data" in text
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    for role in ("web)", "worker)", "scheduler)"):
        assert role in entrypoint


def _locked(path: Path) -> dict[str, list[str]]:
    """name==version -> its hashes, from a pip-compile/uv lock (continuation lines joined)."""
    joined = path.read_text().replace("\\\n", " ")
    entries: dict[str, list[str]] = {}
    for line in joined.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement, *options = line.split()
            entries[requirement] = [o.removeprefix("--hash=") for o in options if o.startswith("--hash=sha256:")]
    return entries


def test_every_distribution_is_pinned_with_hashes_in_both_locks() -> None:
    for name in ("requirements.txt", "requirements-dev.txt"):
        entries = _locked(ROOT / name)
        assert len(entries) > 100, name
        unpinned = [r for r in entries if "==" not in r]
        unhashed = [r for r, hashes in entries.items() if not hashes]
        assert unpinned == [] and unhashed == [], (name, unpinned, unhashed)
    runtime, dev = _locked(ROOT / "requirements.txt"), _locked(ROOT / "requirements-dev.txt")
    assert runtime.keys() <= dev.keys(), "the dev lock carries the runtime lock's pins (-c requirements.txt)"


def test_every_installer_installs_the_lock_with_require_hashes() -> None:
    makefile, dockerfile = (ROOT / "Makefile").read_text(), (ROOT / "Dockerfile").read_text()
    assert "pip install -q --require-hashes -r requirements-dev.txt" in makefile
    assert "pip install --require-hashes -r requirements.txt" in dockerfile
    assert "make lock-check" in (ROOT / ".ci" / "run").read_text()
