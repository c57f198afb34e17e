"""rq-dashboard at /admin/rq, for admins only, when jobs run on Redis."""

from __future__ import annotations

from flask import Flask, abort
from flask.typing import ResponseReturnValue

from qa_service.config import Settings
from qa_service.db.models import Role

_guarded = False


def _admins_only() -> ResponseReturnValue | None:
    from qa_service.web.auth import current_user

    user = current_user()
    if user is None:
        abort(401)
    if user.role != Role.ADMIN:
        abort(403)
    return None


def mount_rq_dashboard(app: Flask, settings: Settings) -> None:
    if settings.redis_url is None:
        return  # in-process jobs: there are no queues to show
    import rq_dashboard
    from rq_dashboard.web import setup_rq_connection

    global _guarded
    if not _guarded:  # the blueprint is a module global: guard it once per process
        rq_dashboard.blueprint.before_request(_admins_only)
        _guarded = True
    app.config["RQ_DASHBOARD_REDIS_URL"] = settings.redis_url
    app.config["RQ_DASHBOARD_DISABLE_DELETE"] = True  # requeue, yes; deleting evidence of failures, no
    setup_rq_connection(app)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix="/admin/rq")
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(rq_dashboard.blueprint)  # its own JavaScript posts without our token; admins only
