"""Session authentication for the UI (and the API's session-authenticated reads).

`login_required`, `require_roles(*roles)`, `current_user()`, `current_tenant_id()` and
`current_viewer()` are the public helpers.  The session stores the user id, a short
fingerprint of the password hash, the user's session epoch and the sign-in time.  The cookie
is signed but lives on the client, so revocation is server-side: sign-out and password change
raise `User.session_epoch`, and any cookie with an older epoch is refused.  A sign-in lasts
the tenant's `session_hours` from the moment of sign-in, whatever the activity.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, redirect, request, session, url_for

from qa_service.core.tenant_settings import TenantSettings
from qa_service.db.models import Role, User
from qa_service.services.access import Viewer, tenant_of_user, user_by_id, viewer_for
from qa_service.web.ui.database import db

F = TypeVar("F", bound=Callable[..., Any])


def now() -> float:
    """Seconds since the epoch; a seam so tests can move the clock instead of sleeping."""
    return time.time()


def password_fingerprint(user: User) -> str:
    return user.password_hash[-16:]


def revoke_sessions(user: User) -> None:
    """Invalidate every session cookie issued to `user` so far (the caller commits)."""
    user.session_epoch = (user.session_epoch or 0) + 1


def _session_seconds(user: User) -> int:
    tenant = tenant_of_user(db(), user)
    return TenantSettings.from_mapping(tenant.settings if tenant else None).session_hours * 3600


def _session_is_valid(user: User | None) -> bool:
    if user is None or not user.active:
        return False
    if session.get("pw") != password_fingerprint(user) or session.get("epoch") != user.session_epoch:
        return False
    signed_in_at = session.get("iat")
    return isinstance(signed_in_at, int | float) and 0 <= now() - signed_in_at <= _session_seconds(user)


def sign_in(user: User) -> None:
    """Start a fresh session for `user` (a new session defeats session fixation)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.permanent = True
    session["user_id"] = user.id
    session["pw"] = password_fingerprint(user)
    session["epoch"] = user.session_epoch or 0
    session["iat"] = int(now())


def sign_out() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def current_user() -> User | None:
    """The signed-in, active user of this request, or None."""
    if "current_user" in g:
        return cast(User | None, g.current_user)
    user = None
    user_id = session.get("user_id")
    if user_id is not None:
        user = user_by_id(db(), int(user_id))
        if not _session_is_valid(user):
            user = None
            sign_out()
    g.current_user = user
    return user


def current_tenant_id() -> int:
    """The tenant of the signed-in user (call only behind `login_required`)."""
    user = current_user()
    if user is None:
        abort(401)
    return user.tenant_id


def current_viewer() -> Viewer:
    """The signed-in user as the services' `Viewer` (tenant, role, linked agents and teams)."""
    if "current_viewer" not in g:
        user = current_user()
        if user is None:
            abort(401)
        g.current_viewer = viewer_for(db(), user)
    viewer: Viewer = g.current_viewer
    return viewer


def login_required(view: F) -> F:
    """Send anonymous visitors to the sign-in page (JSON clients get 401)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def require_roles(*roles: Role | str) -> Callable[[F], F]:
    """Allow only signed-in users with one of `roles`; others get 403."""
    allowed = {Role(r) for r in roles}

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None or Role(user.role) not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator
