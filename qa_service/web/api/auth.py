"""Who is calling the API: a tenant token (`Authorization: Bearer <slug>.<secret>`) or a signed-in user.

A token is the airline's integration credential and reaches the whole tenant.  A browser
session reaches the API only for the roles that see every interaction of their tenant
(admin, QA); agents, supervisors, trainers and customer reviewers use the UI, which scopes
each page to what their role may see.
"""

from __future__ import annotations

from flask import abort, current_app, request

from qa_service.config import Settings
from qa_service.db.models import Role
from qa_service.services.accounts.tokens import tenant_id_for_token
from qa_service.web.security import count_failed_token_check, refuse_token_guessing

SESSION_API_ROLES = (Role.ADMIN, Role.QA)


def api_tenant_id(*, token_only: bool = False) -> int:
    """The tenant whose data this request may touch; 401 without credentials, 403 for other roles.

    `token_only` for writes: the API blueprint takes no CSRF token, so a browser's session cookie
    must not be enough to write through it (a forged cross-site post would carry that cookie).
    """
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        refuse_token_guessing()  # each check is an argon2 hash: bound what one guessing address costs us
        settings: Settings = current_app.config["QA_SETTINGS"]
        tenant_id = tenant_id_for_token(settings, header[len("Bearer ") :].strip())
        if tenant_id is not None:
            return tenant_id
        count_failed_token_check()
        abort(401)
    if token_only:
        abort(401)
    from qa_service.web.auth import current_user

    user = current_user()
    if user is None:
        abort(401)
    if user.role not in SESSION_API_ROLES:
        abort(403)
    return user.tenant_id
