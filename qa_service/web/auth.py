"""Session authentication for the UI (and the API's session-authenticated reads).

`login_required`, `require_roles(*roles)`, `current_user()`, `current_tenant_id()` and
`current_viewer()` are the public helpers.  The session stores the user id and a short
fingerprint of the password hash, so a password change signs out every other session.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, redirect, request, session, url_for

from qa_service.db.models import Role, User
from qa_service.services.access import Viewer, viewer_for
from qa_service.web.ui.database import db

F = TypeVar("F", bound=Callable[..., Any])


def password_fingerprint(user: User) -> str:
    return user.password_hash[-16:]


def sign_in(user: User) -> None:
    """Start a fresh session for `user` (a new session defeats session fixation)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.permanent = True
    session["user_id"] = user.id
    session["pw"] = password_fingerprint(user)


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
        user = db().get(User, int(user_id))
        if user is None or not user.active or session.get("pw") != password_fingerprint(user):
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
