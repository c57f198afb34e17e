"""AutoQA trust pages: how well each automatic criterion agrees with people, and whether its answer is
published or left to a person; one page per criterion with its trend, confusion matrix and disagreements."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.db.models import Role
from qa_service.services.access import REVIEWERS
from qa_service.services.calibration.blind import scores_blind
from qa_service.services.trust.pages import (
    TRUST_VIEWERS,
    TrustForbidden,
    TrustNotFound,
    recompute_tenant,
    set_threshold,
    trust_detail,
    trust_overview,
)
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import flash_error

bp = Blueprint("autoqa", __name__)


@bp.get("/autoqa")
@require_roles(*TRUST_VIEWERS)
def list_page() -> ResponseReturnValue:
    viewer = current_viewer()
    withheld = scores_blind(db(), viewer)  # agreement counts the calibration items' reviews too
    rows = [] if withheld else trust_overview(db(), viewer)
    return render_template("trust/list.html", rows=rows, can_recompute=viewer.can_review, withheld_blind=withheld)


@bp.get("/autoqa/<int:rubric_id>/<criterion_id>")
@require_roles(*TRUST_VIEWERS)
def detail(rubric_id: int, criterion_id: str) -> ResponseReturnValue:
    viewer = current_viewer()
    try:
        found = trust_detail(db(), viewer, rubric_id, criterion_id)
    except TrustNotFound:
        abort(404)
    if scores_blind(db(), viewer):
        return render_template("trust/list.html", rows=[], can_recompute=False, withheld_blind=True)
    return render_template("trust/detail.html", d=found, row=found.row, can_set_threshold=viewer.role == Role.ADMIN)


@bp.post("/autoqa/recompute")
@require_roles(*REVIEWERS)
def recompute() -> ResponseReturnValue:
    session = db()
    count = recompute_tenant(session, current_viewer())
    flash(_("Agreement recomputed for %(count)d criteria.", count=count), "ok")
    return redirect(url_for("autoqa.list_page")), 303


@bp.post("/autoqa/<int:rubric_id>/<criterion_id>/threshold")
@require_roles(Role.ADMIN)
def threshold(rubric_id: int, criterion_id: str) -> ResponseReturnValue:
    session = db()
    raw = request.form.get("threshold_percent", "").strip().replace(",", ".")
    back = redirect(url_for("autoqa.detail", rubric_id=rubric_id, criterion_id=criterion_id)), 303
    try:
        value = float(raw) / 100.0 if raw else None
    except ValueError:
        flash(_("The threshold is a number of percent, from 50 to 100."), "error")
        return back
    try:
        set_threshold(session, current_viewer(), rubric_id, criterion_id, value)
    except TrustNotFound:
        abort(404)
    except TrustForbidden as error:
        session.rollback()
        flash_error(error)
        return back
    flash(_("Threshold saved."), "ok")
    return back
