"""REST API v1: the push webhook, read access to results, the OpenAPI document."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Register the API's blueprints on `app` (token-authenticated: exempt from form CSRF)."""
    from qa_service.web.api.interactions import bp as interactions_bp
    from qa_service.web.api.openapi import bp as openapi_bp
    from qa_service.web.api.search import bp as search_bp
    from qa_service.web.metrics import bp as metrics_bp

    for bp in (interactions_bp, openapi_bp, search_bp):
        app.register_blueprint(bp)
        csrf = app.extensions.get("csrf")
        if csrf is not None:
            csrf.exempt(bp)
    app.register_blueprint(metrics_bp)
