"""Administration of a tenant: users and roles, teams, agents' teams, settings, and the audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.core.date_input import day_or_none
from qa_service.core.errors import UserFacingError
from qa_service.db.models import Role
from qa_service.services.accounts.audit_log import AuditFilters, audit_actions, audit_page, audit_rows
from qa_service.services.accounts.tenant_settings import (
    CHANNELS,
    RETENTION_FIELDS,
    SamplingForm,
    SettingsError,
    current_settings,
    save_settings,
    settings_version,
)
from qa_service.services.accounts.tenants import AccountError
from qa_service.services.accounts.users import (
    AccountNotFound,
    add_team,
    add_user,
    assign_agent_team,
    tenant_agents,
    tenant_teams,
    tenant_users,
    update_user,
)
from qa_service.services.audit import record
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.form_values import id_or_none, require_id
from qa_service.web.labels import label, local_dt, request_zone
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import flash_error

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@require_roles(Role.ADMIN)
def users() -> ResponseReturnValue:
    session, viewer = db(), current_viewer()
    return render_template(
        "accounts/users.html", users=tenant_users(session, viewer.tenant_id),
        teams=tenant_teams(session, viewer.tenant_id),
        agents=tenant_agents(session, viewer.tenant_id), roles=[r.value for r in Role],
    )


def _done(message: str, action: str, entity: str, entity_id: int) -> ResponseReturnValue:
    session, viewer = db(), current_viewer()
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action=action, entity=entity,
           entity_id=entity_id)
    flash(message, "ok")
    return redirect(url_for("admin.users")), 303


def _failed(error: UserFacingError) -> ResponseReturnValue:
    db().rollback()
    if isinstance(error, AccountNotFound):
        abort(404)  # another tenant's user or agent: the same answer as for one that does not exist
    flash_error(error)
    return redirect(url_for("admin.users")), 303


@bp.post("/users")
@require_roles(Role.ADMIN)
def create_user() -> ResponseReturnValue:
    form = request.form
    try:
        user = add_user(db(), current_viewer().tenant_id, email=form.get("email", ""), name=form.get("name", ""),
                        role=form.get("role", ""), password=form.get("password", ""))
    except UserFacingError as error:
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
                        require_id(supervisor) if supervisor else None)
    except (UserFacingError, ValueError) as error:
        if isinstance(error, UserFacingError):
            return _failed(error)
        return _failed(AccountError("неверный руководитель", "bad supervisor"))
    return _done(_("Team created."), "create", "team", team.id)


@bp.post("/agents/<int:agent_id>/team")
@require_roles(Role.ADMIN)
def agent_team(agent_id: int) -> ResponseReturnValue:
    team = request.form.get("team") or None
    try:
        agent = assign_agent_team(db(), current_viewer().tenant_id, agent_id, require_id(team) if team else None)
    except (UserFacingError, ValueError) as error:
        if isinstance(error, UserFacingError):
            return _failed(error)
        return _failed(AccountError("неверная команда", "bad team"))
    return _done(_("Agent's team changed."), "update", "agent", agent.id)


def _audit_filters() -> AuditFilters:
    """The audit filters of the query string; dates are the tenant's local days."""
    zone = request_zone()

    def day(name: str, plus: int = 0) -> datetime | None:
        typed = day_or_none(request.args.get(name))
        if typed is None:
            return None
        local = datetime.combine(typed, time(0), tzinfo=zone)
        return (local + timedelta(days=plus)).astimezone(UTC)

    user = request.args.get("user", "")
    return AuditFilters(
        user_id=id_or_none(user), action=request.args.get("action") or None,
        date_from=day("from"), date_to=day("to", plus=1),
    )


@bp.get("/audit")
@require_roles(Role.ADMIN)
def audit() -> ResponseReturnValue:
    session, viewer = db(), current_viewer()
    page_number = request.args.get("page", "1")
    result = audit_page(session, viewer.tenant_id, _audit_filters(), id_or_none(page_number) or 1)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "accounts/audit.html", page=result, args=args, users=tenant_users(session, viewer.tenant_id),
        actions=audit_actions(session, viewer.tenant_id),
    )


@bp.get("/audit.csv")
@require_roles(Role.ADMIN)
def audit_csv() -> ResponseReturnValue:
    session, viewer = db(), current_viewer()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("When"), _("User"), _("Action"), _("Object"), _("Details")])
    for row in audit_rows(session, viewer.tenant_id, _audit_filters()):
        e = row.entry
        writer.writerow([local_dt(e.at, "%Y-%m-%d %H:%M:%S"), row.user_name or "—", label(e.action, "action"),
                         f"{label(e.entity, 'entity')} {e.entity_id or ''}".strip(),
                         json.dumps(e.details or {}, ensure_ascii=False)])
    # A BOM so that Excel, which most admins open it with, reads the Cyrillic as UTF-8.
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})


@bp.get("/settings")
@require_roles(Role.ADMIN)
def settings_page() -> ResponseReturnValue:
    tenant_settings, rule = current_settings(db(), current_viewer().tenant_id)
    return render_template("accounts/settings.html", settings=tenant_settings, rule=rule, channels=CHANNELS,
                           version=settings_version(db(), current_viewer().tenant_id))


@bp.post("/settings")
@require_roles(Role.ADMIN)
def save_settings_page() -> ResponseReturnValue:
    form, session = request.form, db()
    try:
        window = int(form.get("dispute_window_days", ""))
        sampling = SamplingForm(
            per_agent=int(form.get("per_agent", "")), random_share=float(form.get("random_percent", "")) / 100,
            channels=tuple(form.getlist("channels")), due_days=int(form.get("due_days", "")),
        )
        retention = {name: int(form[name]) for name in RETENTION_FIELDS if name in form}
    except ValueError:
        flash_error(SettingsError("введите числа в числовые поля", "enter numbers in the number fields"))
        return redirect(url_for("admin.settings_page")), 303
    try:
        save_settings(session, current_viewer(), timezone=form.get("timezone", ""),
                      public_phones=form.get("public_phones", "").splitlines(), dispute_window_days=window,
                      sampling=sampling, form_version=form.get("version"), retention=retention)
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("admin.settings_page")), 303
    flash(_("Settings saved."), "ok")
    return redirect(url_for("admin.settings_page")), 303
