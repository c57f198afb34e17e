"""Who is calling the API: a tenant token (`Authorization: Bearer <slug>.<secret>`) or a signed-in user."""

from __future__ import annotations

from flask import abort, current_app, request, session

from qa_service.config import Settings
from qa_service.db.session import session_factory
from qa_service.services.tenant_tokens import tenant_for_token


def api_tenant_id() -> int:
    """The tenant whose data this request may touch; 401 when there is none."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        settings: Settings = current_app.config["QA_SETTINGS"]
        with session_factory(settings.sqlalchemy_url)() as db:
            tenant = tenant_for_token(db, header[len("Bearer ") :].strip())
            if tenant is not None:
                return tenant.id
        abort(401)
    tenant_id = session.get("tenant_id")
    if isinstance(tenant_id, int) and session.get("user_id"):
        return tenant_id
    abort(401)
