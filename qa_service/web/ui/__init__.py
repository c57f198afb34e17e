"""The reviewer UI: sign-in, interaction list, interaction page, review queue, disputes."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask


def register_ui(app: Flask) -> None:
    """Register the UI's blueprints (one per noun), CSRF, the rate limiter and the request session."""
    # Imported here: `qa_service.web.auth` itself imports `qa_service.web.ui.database`.
    from qa_service.core.tenant_settings import SESSION_HOURS_MAX
    from qa_service.db.models import Role
    from qa_service.web.auth import current_user
    from qa_service.web.security import init_security
    from qa_service.web.ui.accounts import admin, auth
    from qa_service.web.ui.calibration import views as calibration
    from qa_service.web.ui.cases import views as cases
    from qa_service.web.ui.coaching import views as coaching
    from qa_service.web.ui.database import init_database
    from qa_service.web.ui.interactions import views as interactions
    from qa_service.web.ui.reports import views as reports
    from qa_service.web.ui.review import agent, disputes, queue
    from qa_service.web.ui.review import views as review
    from qa_service.web.ui.trust import views as autoqa_pages  # own line: several branches add blueprints here

    init_security(app)
    init_database(app)
    # Assigned, not setdefault: Flask's own default (31 days) is always present.  This is only the
    # cookie's backstop; web.auth ends each sign-in after the tenant's `session_hours`.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=SESSION_HOURS_MAX)
    app.config.setdefault("DISPUTE_WINDOW_DAYS", app.config["QA_SETTINGS"].dispute_window_days)
    for module in (auth, interactions, review, queue, disputes, agent, admin, coaching, reports):
        app.register_blueprint(module.bp)
    app.register_blueprint(calibration.bp)
    app.register_blueprint(autoqa_pages.bp)
    app.register_blueprint(cases.bp)
    from qa_service.web.ui.connectors import views as admin_connectors
    from qa_service.web.ui.rubrics import views as admin_rubrics

    app.register_blueprint(admin_rubrics.bp)
    app.register_blueprint(admin_connectors.bp)
    from qa_service.web.ui.search import views as search_pages

    app.register_blueprint(search_pages.bp)

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {"current_user": current_user(), "Role": Role}
