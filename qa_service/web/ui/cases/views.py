"""`/cases/<id>`: the case timeline; `/cases?booking=CODE`: find a case by its booking code."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from qa_service.config import Settings
from qa_service.services.cases.pages import CASE_ROLES, case_by_booking, visible_case
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.ui.database import db

bp = Blueprint("cases", __name__)


@bp.get("/cases")
@require_roles(*CASE_ROLES)
def search() -> ResponseReturnValue:
    code = request.args.get("booking", "").strip()[:20]
    if code:
        settings: Settings = current_app.config["QA_SETTINGS"]
        case_id = case_by_booking(db(), settings, current_viewer(), code)
        if case_id is not None:
            return redirect(url_for("cases.page", case_id=case_id))
    return render_template("cases/search.html", code=code, searched=bool(code))


@bp.get("/cases/<int:case_id>")
@require_roles(*CASE_ROLES)
def page(case_id: int) -> ResponseReturnValue:
    found = visible_case(db(), current_viewer(), case_id)
    if found is None:
        abort(404)
    return render_template("cases/page.html", case=found.timeline, openable=found.openable)
