"""The Dockerfile and compose file describe what the README promises.

There is no Docker engine on this machine and its Docker client has no compose plugin,
so `docker compose config` cannot parse the file here: this checks its structure instead.
"""

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())  # type: ignore[no-any-return]


def test_compose_runs_every_component_with_an_s3_store_and_workers_by_queue() -> None:
    compose = _compose()
    services = compose["services"]
    assert {"web", "scheduler", "worker-asr", "worker-text", "redis", "postgres", "minio"} <= services.keys()
    assert services["minio"]["image"].startswith("minio/")
    # Separately scalable: one service per queue, so `--scale worker-asr=N` adds ASR capacity only.
    queues = {name: svc["environment"]["QA_QUEUES"] for name, svc in services.items()
              if svc.get("command") == ["worker"]}
    assert queues == {"worker-asr": "asr", "worker-text": "text"}
    assert services["scheduler"]["command"] == ["scheduler"]
    for name in ("web", "scheduler", *queues):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql://") and "@postgres:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"].startswith("redis://redis:"), name
        assert env["BLOB_URL"].startswith("s3://") and "endpoint=http://minio:9000" in env["BLOB_URL"], name
        assert "minio" in services[name]["depends_on"] or "minio-init" in services[name]["depends_on"], name
    assert {"pg", "redis", "minio", "spool"} <= compose["volumes"].keys()


def test_the_bucket_in_blob_url_is_created_and_the_credentials_match_minio() -> None:
    from qa_service.db.s3_blobs import S3Location

    services = _compose()["services"]
    env = services["web"]["environment"]
    location = S3Location.parse(env["BLOB_URL"])
    assert f"mc mb --ignore-existing qa/{location.bucket}" in " ".join(services["minio-init"]["command"])
    assert env["AWS_ACCESS_KEY_ID"] == services["minio"]["environment"]["MINIO_ROOT_USER"]
    assert env["AWS_SECRET_ACCESS_KEY"] == services["minio"]["environment"]["MINIO_ROOT_PASSWORD"]


def test_web_and_every_worker_share_the_spool_volume_where_the_image_points() -> None:
    services = _compose()["services"]
    image_env = dockerfile_runtime_env()
    assert image_env["QA_SPOOL_DIR"] == "/data/spool"
    assert image_env["QA_INSTANCE_DIR"].startswith("/data/")
    for name, service in services.items():
        if service.get("command") in (["web"], ["worker"]):
            assert "spool:/data/spool" in service["volumes"], name


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
