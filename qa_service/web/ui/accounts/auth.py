"""Sign-in, sign-out and password change."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.db.models import Role
from qa_service.services.accounts.tenants import AccountError
from qa_service.services.accounts.users import authenticate, change_password
from qa_service.services.audit import record
from qa_service.web.auth import current_user, login_required, revoke_sessions, sign_in, sign_out
from qa_service.web.security import (
    ACCOUNT_LOGIN_LIMIT,
    LOGIN_LIMIT,
    PASSWORD_CHANGE_LIMIT,
    account_key,
    failed_attempt,
    limiter,
    signed_in_user_key,
)
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import flash_error

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect after sign-in would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and not urlparse(target).netloc:
        return target
    return url_for("auth.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
# Per account as well: a password guesser spread over many addresses still meets this one.
@limiter.limit(ACCOUNT_LOGIN_LIMIT, methods=["POST"], key_func=account_key, deduct_when=failed_attempt)
def login() -> ResponseReturnValue:
    if request.method == "POST":
        session = db()
        user = authenticate(session, request.form.get("email", ""), request.form.get("password", ""))
        if user is None:
            flash(_("Wrong e-mail or password."), "error")
            return render_template("accounts/login.html", email=request.form.get("email", "")), 401
        record(session, tenant_id=user.tenant_id, user_id=user.id, action="login", entity="user", entity_id=user.id)
        sign_in(user)
        return redirect(_safe_next(request.args.get("next")))
    if current_user() is not None:
        return redirect(url_for("auth.home"))
    return render_template("accounts/login.html", email="")


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    user = current_user()
    if user is not None:
        revoke_sessions(user)  # a copy of this cookie kept elsewhere stops working too
    sign_out()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(PASSWORD_CHANGE_LIMIT, methods=["POST"], key_func=signed_in_user_key)  # each try: an argon2 hash
@login_required
def password() -> ResponseReturnValue:
    if request.method == "POST":
        user = current_user()
        assert user is not None
        new = request.form.get("new_password", "")
        if new != request.form.get("confirm_password", ""):
            flash(_("The new passwords do not match."), "error")
            return render_template("accounts/password.html"), 400
        session = db()
        try:
            change_password(session, user, request.form.get("current_password", ""), new)
        except AccountError as error:
            flash_error(error)
            return render_template("accounts/password.html"), 400
        record(session, tenant_id=user.tenant_id, user_id=user.id, action="password.change", entity="user",
               entity_id=user.id)
        revoke_sessions(user)
        sign_in(user)  # keep this session; every other one is now signed out
        flash(_("Password changed."), "ok")
        return redirect(url_for("auth.home"))
    return render_template("accounts/password.html")


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    """Each role starts where its work is."""
    user = current_user()
    assert user is not None
    if user.role == Role.AGENT:
        return redirect(url_for("agent.my_evaluations"))
    if user.role in (Role.ADMIN, Role.QA):
        return redirect(url_for("queue.queue"))
    if user.role == Role.TRAINER:
        return redirect(url_for("coaching.home"))
    return redirect(url_for("interactions.list_page"))
