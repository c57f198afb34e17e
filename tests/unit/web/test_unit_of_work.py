"""One unit of work per request: the request commits, views never do; services request the jobs."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from qa_service.config import Settings
from qa_service.services.sessions import finish
from qa_service.web.ui.database import db, init_database, say_after_commit

WEB = Path(__file__).resolve().parents[3] / "qa_service" / "web"


def _sources() -> dict[str, str]:
    return {str(path.relative_to(WEB)): path.read_text("utf-8") for path in sorted(WEB.rglob("*.py"))}


def test_no_module_under_web_commits_enqueues_or_gets_rows() -> None:
    sources = _sources()
    assert len(sources) > 30
    # `.get(Model, id)` is a query by primary key; Flask's own `session.get("key")` is not.
    needles = (r"\.commit\(", r"\benqueue\(", r"\.get(_one)?\([A-Z]")
    offenders = [f"{name}: {needle}" for name, text in sources.items() for needle in needles if re.search(needle, text)]
    assert offenders == []


def test_views_import_no_job_function() -> None:
    # The job catalogue is for entry points; a view asks a service, which requests the job.
    pattern = re.compile(r"^(from|import) qa_service\.jobs\b", re.M)
    offenders = [name for name, text in _sources().items() if name.startswith("ui/") and pattern.search(text)]
    assert offenders == []


def _app(settings: Settings) -> Flask:
    app = Flask(__name__)
    app.config.update(QA_SETTINGS=settings, SECRET_KEY="test", TESTING=True)
    init_database(app)
    return app


def test_a_successful_request_commits_and_a_failed_one_rolls_back(sqlite_settings: Settings) -> None:
    from qa_service.db.models import Tenant
    from qa_service.services.accounts.tenants import get_or_create_tenant, tenant_by_slug

    app = _app(sqlite_settings)

    @app.post("/<slug>/<int:status>")
    def make(slug: str, status: int) -> tuple[str, int]:
        get_or_create_tenant(db(), slug, slug.title())
        return "", status

    client = app.test_client()
    assert client.post("/kept/303").status_code == 303
    assert client.post("/dropped/409").status_code == 409
    with app.test_request_context():
        session = db()
        assert tenant_by_slug(session, "kept").name == "Kept"
        assert [t.slug for t in session.query(Tenant).all()] == ["kept"]
        assert finish(session) is None


def test_the_messages_after_commit_say_how_the_followup_went(sqlite_settings: Settings) -> None:
    from flask import get_flashed_messages

    from qa_service.services.after_commit import after_commit

    app = _app(sqlite_settings)

    def boom() -> None:
        raise RuntimeError("relay down")

    @app.post("/<outcome>")
    def act(outcome: str) -> tuple[str, int]:
        if outcome == "fails":
            after_commit(db(), boom)
        else:
            after_commit(db(), lambda: None)
        say_after_commit("done", lambda error: f"failed: {error}")
        return "", 303

    @app.get("/messages")
    def messages() -> str:
        return "|".join(get_flashed_messages())

    client = app.test_client()
    client.post("/works")
    assert client.get("/messages").get_data(as_text=True) == "done"
    client.post("/fails")
    assert client.get("/messages").get_data(as_text=True) == "failed: relay down"
