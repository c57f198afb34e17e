"""The Flask application: `create_app(settings=None)` builds it; importing this does no I/O."""

from __future__ import annotations

from importlib import resources as package_data
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from qa_service import jobs, runtime
from qa_service.config import Settings
from qa_service.core.json_input import INT4_MAX
from qa_service.web.errors import init_errors
from qa_service.web.headers import init_headers
from qa_service.web.i18n import init_i18n
from qa_service.web.labels import init_labels


class DatabaseIdConverter(IntegerConverter):
    """`<int:id>` bounded to PostgreSQL's `integer`, the type of every primary key."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT4_MAX)
        super().__init__(map, *args, **kwargs)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app for `settings` (default: from the environment)."""
    settings = settings or Settings.from_env()
    settings.require_secret()
    # The web process's entry point: scoring (and, without Redis, transcription) runs in it too.
    runtime.configure(settings)
    app = Flask(__name__)
    # Every `<int:...>` in a URL is a database id: beyond int4 it is a 404, not an SQL overflow.
    app.url_map.converters["int"] = DatabaseIdConverter
    if settings.behind_proxy:
        # Without this every user shares the proxy's address: one login rate-limit counter for all.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    app.config.update(
        SECRET_KEY=settings.secret_key,
        QA_SETTINGS=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.environment == "production",
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_TRANSLATION_DIRECTORIES=str(package_data.files("qa_service").joinpath("translations")),
        TESTING=settings.environment == "test",
    )
    init_i18n(app)
    init_labels(app)
    init_errors(app)
    init_headers(app)

    # The jobs services request inside their transactions are sent after the commit (services.after_commit).
    jobs.install(settings)
    from qa_service.web.api import register_api
    from qa_service.web.health import bp as health_bp
    from qa_service.web.rq_admin import mount_rq_dashboard
    from qa_service.web.ui import register_ui

    app.register_blueprint(health_bp)
    register_ui(app)
    register_api(app)
    mount_rq_dashboard(app, settings)
    return app
