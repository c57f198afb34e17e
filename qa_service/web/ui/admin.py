"""Administration of a tenant: users and roles, teams, agents' teams, and the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.db.models import Role
from qa_service.services.accounts import AccountError
from qa_service.services.audit import recent, record
from qa_service.services.users import (
    add_team,
    add_user,
    assign_agent_team,
    tenant_agents,
    tenant_teams,
    tenant_users,
    update_user,
)
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import flash_error

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@require_roles(Role.ADMIN)
def users() -> ResponseReturnValue:
    session, viewer = db(), current_viewer()
    return render_template(
        "admin/users.html", users=tenant_users(session, viewer.tenant_id),
        teams=tenant_teams(session, viewer.tenant_id),
        agents=tenant_agents(session, viewer.tenant_id), roles=[r.value for r in Role],
    )


def _done(message: str, action: str, entity: str, entity_id: int) -> ResponseReturnValue:
    session, viewer = db(), current_viewer()
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action=action, entity=entity,
           entity_id=entity_id)
    session.commit()
    flash(message, "ok")
    return redirect(url_for("admin.users")), 303


def _failed(error: AccountError) -> ResponseReturnValue:
    db().rollback()
    flash_error(error)
    return redirect(url_for("admin.users")), 303


@bp.post("/users")
@require_roles(Role.ADMIN)
def create_user() -> ResponseReturnValue:
    form = request.form
    try:
        user = add_user(db(), current_viewer().tenant_id, email=form.get("email", ""), name=form.get("name", ""),
                        role=form.get("role", ""), password=form.get("password", ""))
    except AccountError as error:
        return _failed(error)
    return _done(_("User created."), "create", "user", user.id)


@bp.post("/users/<int:user_id>")
@require_roles(Role.ADMIN)
def change_user(user_id: int) -> ResponseReturnValue:
    viewer = current_viewer()
    active = request.form.get("active") == "1"
    if user_id == viewer.user_id and (not active or request.form.get("role") != Role.ADMIN.value):
        flash(_("You cannot take away your own administrator access."), "error")
        return redirect(url_for("admin.users")), 303
    try:
        user = update_user(db(), viewer.tenant_id, user_id, role=request.form.get("role", ""), active=active)
    except AccountError as error:
        return _failed(error)
    return _done(_("User updated."), "update", "user", user.id)


@bp.post("/teams")
@require_roles(Role.ADMIN)
def create_team() -> ResponseReturnValue:
    supervisor = request.form.get("supervisor") or None
    try:
        team = add_team(db(), current_viewer().tenant_id, request.form.get("name", ""),
                        int(supervisor) if supervisor else None)
    except (AccountError, ValueError) as error:
        if isinstance(error, AccountError):
            return _failed(error)
        return _failed(AccountError("неверный руководитель", "bad supervisor"))
    return _done(_("Team created."), "create", "team", team.id)


@bp.post("/agents/<int:agent_id>/team")
@require_roles(Role.ADMIN)
def agent_team(agent_id: int) -> ResponseReturnValue:
    team = request.form.get("team") or None
    try:
        agent = assign_agent_team(db(), current_viewer().tenant_id, agent_id, int(team) if team else None)
    except (AccountError, ValueError) as error:
        if isinstance(error, AccountError):
            return _failed(error)
        return _failed(AccountError("неверная команда", "bad team"))
    return _done(_("Agent's team changed."), "update", "agent", agent.id)


@bp.get("/audit")
@require_roles(Role.ADMIN)
def audit() -> ResponseReturnValue:
    return render_template("admin/audit.html", entries=recent(db(), current_viewer().tenant_id))
