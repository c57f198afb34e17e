"""Admin pages for rubrics: versions, upload with the problems shown by line, impact preview, activation."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.db.models import Role
from qa_service.services.rubrics.titles import (
    titles_for_versions,
)
from qa_service.services.rubrics.versions import (
    activate,
    activation_version,
    impact_of,
    list_rubrics,
    upload_version,
    version_of_tenant,
)
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import flash_error

bp = Blueprint("admin_rubrics", __name__, url_prefix="/admin/rubrics")


@bp.get("")
@require_roles(Role.ADMIN)
def rubrics() -> ResponseReturnValue:
    return render_template("rubrics/list.html", listings=list_rubrics(db(), current_viewer().tenant_id),
                           problems=[], content="")


@bp.post("")
@require_roles(Role.ADMIN)
def upload() -> ResponseReturnValue:
    session, viewer = db(), current_viewer()
    uploaded = request.files.get("file")
    content = request.form.get("content", "")
    if uploaded is not None and uploaded.filename:
        try:
            content = uploaded.read(600 * 1024).decode("utf-8")
        except UnicodeDecodeError:
            flash_error(UserFacingError("файл рубрики не в UTF-8", "the rubric file is not UTF-8"))
            return redirect(url_for("admin_rubrics.rubrics")), 303
    try:
        version, problems = upload_version(session, viewer, content)
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("admin_rubrics.rubrics")), 303
    if version is None:
        # Shown on the page, not flashed: the admin fixes the text they uploaded, line by line.
        return render_template("rubrics/list.html", listings=list_rubrics(session, viewer.tenant_id),
                               problems=problems, content=content), 422
    flash(_("The rubric is valid and stored as a draft version: preview its impact, then activate it."), "ok")
    return redirect(url_for("admin_rubrics.version", version_id=version.id)), 303


@bp.get("/versions/<int:version_id>")
@require_roles(Role.ADMIN)
def version(version_id: int) -> ResponseReturnValue:
    session, viewer = db(), current_viewer()
    try:
        rubric, row = version_of_tenant(session, viewer.tenant_id, version_id)
    except UserFacingError:
        abort(404)
    report, days = None, request.args.get("days", "")
    if days:
        settings: Settings = current_app.config["QA_SETTINGS"]
        try:
            report = impact_of(settings, session, viewer, version_id, int(days) if days.isdigit() else 0)
        except UserFacingError as error:
            flash_error(error)
    titles = titles_for_versions(session, [version_id])
    return render_template("rubrics/version.html", rubric=rubric, version=row, report=report, days=days,
                           titles=titles, form_version=activation_version(session, viewer.tenant_id, version_id))


@bp.post("/versions/<int:version_id>/activate")
@require_roles(Role.ADMIN)
def activate_version(version_id: int) -> ResponseReturnValue:
    session = db()
    try:
        version_of_tenant(session, current_viewer().tenant_id, version_id)
    except UserFacingError:
        abort(404)  # another tenant's version: the same answer as the version page gives
    try:
        activate(session, current_viewer(), version_id, form_version=request.form.get("version"))
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("admin_rubrics.rubrics")), 303
    flash(_("Version activated: new interactions are scored with it."), "ok")
    return redirect(url_for("admin_rubrics.rubrics")), 303
