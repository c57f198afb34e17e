"""rq-dashboard at /admin/rq, for platform operators only, when jobs run on Redis.

The queues hold every tenant's jobs, so a tenant's admin must not see them: only the users listed
in `Settings.platform_operators` (tenant slug and e-mail) may.  Its actions change state, so they
answer POST only (rq-dashboard itself accepts "requeue all" as a GET, which a link or an image tag
could trigger), and a POST must come from our own pages (its JavaScript posts without our CSRF token).
"""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Flask, abort, current_app, request
from flask.typing import ResponseReturnValue

from qa_service.config import Settings
from qa_service.db.models import User

_guarded = False
# rq-dashboard's view functions that change state.
_ACTIONS = frozenset({"requeue_all", "requeue_job_view", "delete_job_view", "empty_queue", "compact_queue"})


def is_platform_operator(settings: Settings, user: User) -> bool:
    from qa_service.services.access import tenant_of_user
    from qa_service.web.ui.database import db

    tenant = tenant_of_user(db(), user)
    return tenant is not None and (tenant.slug, user.email.lower()) in settings.platform_operators


def _same_origin() -> bool:
    source = request.headers.get("Origin") or request.headers.get("Referer")
    return bool(source) and urlparse(source).netloc == request.host


def _operators_only() -> ResponseReturnValue | None:
    from qa_service.web.auth import current_user

    user = current_user()
    if user is None:
        abort(401)
    if not is_platform_operator(current_app.config["QA_SETTINGS"], user):
        abort(403)
    action = (request.endpoint or "").rsplit(".", 1)[-1] in _ACTIONS
    if action and request.method != "POST":
        abort(405)
    if request.method == "POST" and not _same_origin():
        abort(403)  # a cross-site form post (the blueprint is exempt from our CSRF tokens)
    return None


def mount_rq_dashboard(app: Flask, settings: Settings) -> None:
    if settings.redis_url is None:
        return  # in-process jobs: there are no queues to show
    import rq_dashboard
    from rq_dashboard.web import setup_rq_connection

    global _guarded
    if not _guarded:  # the blueprint is a module global: guard it once per process
        rq_dashboard.blueprint.before_request(_operators_only)
        _guarded = True
    app.config["RQ_DASHBOARD_REDIS_URL"] = settings.redis_url
    app.config["RQ_DASHBOARD_DISABLE_DELETE"] = True  # requeue, yes; deleting evidence of failures, no
    setup_rq_connection(app)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix="/admin/rq")
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(rq_dashboard.blueprint)  # its own JavaScript posts without our token: see _same_origin
