from pathlib import Path

from qa_service.config import Settings
from qa_service.web import create_app


def test_healthz_ok_on_embedded_defaults(settings: Settings) -> None:
    client = create_app(settings).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "backend": "sqlite"}
    assert body["queue"] == {"ok": True, "mode": "in-process"}


def test_healthz_503_when_database_is_down(tmp_path: Path) -> None:
    broken = Settings(environment="test", database_url=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    response = create_app(broken).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"]["ok"] is False


def test_healthz_503_when_queue_is_down(settings: Settings) -> None:
    response = create_app(settings.with_overrides(redis_url="redis://127.0.0.1:1/0")).test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["queue"]["ok"] is False and body["database"]["ok"] is True


def test_russian_is_the_default_language_and_english_is_switchable(settings: Settings) -> None:
    client = create_app(settings).test_client()
    assert "Страница не найдена" in client.get("/no-such-page").get_data(as_text=True)
    assert "Page not found" in client.get("/no-such-page?lang=en").get_data(as_text=True)
    # The choice is remembered for the session.
    assert "Page not found" in client.get("/still-missing").get_data(as_text=True)


def test_create_app_refuses_production_without_secret(tmp_path: Path) -> None:
    import pytest

    from qa_service.config import ConfigError

    with pytest.raises(ConfigError):
        create_app(Settings(environment="production", instance_dir=tmp_path))
