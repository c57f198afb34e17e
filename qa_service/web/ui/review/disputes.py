"""Disputes: the agent raises one per criterion; a QA lead or the team's supervisor decides."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.core.errors import UserFacingError
from qa_service.db.models import Role
from qa_service.services.access import DISPUTE_RESOLVERS
from qa_service.services.audit import record
from qa_service.services.review.disputes import (
    DisputeError,
    get_dispute,
    list_disputes,
    raise_dispute,
    reopen_dispute,
    resolve_dispute,
)
from qa_service.services.review.evaluations import (
    evaluation_for,
)
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import flash_error

bp = Blueprint("disputes", __name__)


@bp.get("/disputes")
@require_roles(*DISPUTE_RESOLVERS, Role.AGENT)
def list_page() -> ResponseReturnValue:
    rows = list_disputes(db(), current_viewer())
    return render_template("review/disputes.html", rows=rows)


@bp.post("/evaluations/<int:evaluation_id>/disputes")
@require_roles(Role.AGENT)
def create(evaluation_id: int) -> ResponseReturnValue:
    session = db()
    if evaluation_for(session, current_viewer(), evaluation_id) is None:
        abort(404)
    try:
        dispute = raise_dispute(
            session, current_viewer(), evaluation_id,
            request.form.get("criterion", ""), request.form.get("comment", ""),
            window_days=int(current_app.config["DISPUTE_WINDOW_DAYS"]),
        )
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("agent.my_evaluations")), 303
    flash(_("Dispute sent: the team's supervisor decides it."), "ok")
    return redirect(url_for("disputes.detail", dispute_id=dispute.id)), 303


@bp.get("/disputes/<int:dispute_id>")
@require_roles(*DISPUTE_RESOLVERS, Role.AGENT)
def detail(dispute_id: int) -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    try:
        dispute, evaluation, interaction = get_dispute(session, viewer, dispute_id)
    except DisputeError:
        abort(404)
    answer = next((a for a in evaluation.answers if a.criterion_id == dispute.criterion_id), None)
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="view", entity="dispute",
           entity_id=dispute.id)
    return render_template("review/dispute.html", dispute=dispute, evaluation=evaluation, interaction=interaction,
                           answer=answer, can_resolve=viewer.can_resolve_disputes)


@bp.post("/disputes/<int:dispute_id>/resolve")
@require_roles(*DISPUTE_RESOLVERS)
def resolve(dispute_id: int) -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    try:
        get_dispute(session, viewer, dispute_id)
    except DisputeError:
        abort(404)
    try:
        resolve_dispute(
            session, viewer, dispute_id, accept=request.form.get("decision") == "accept",
            resolution=request.form.get("resolution", ""), new_answer=request.form.get("new_answer") or None,
            form_version=request.form.get("version"),
        )
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("disputes.detail", dispute_id=dispute_id)), 303
    flash(_("Dispute resolved."), "ok")
    return redirect(url_for("disputes.detail", dispute_id=dispute_id)), 303


@bp.post("/disputes/<int:dispute_id>/reopen")
@require_roles(*DISPUTE_RESOLVERS)
def reopen(dispute_id: int) -> ResponseReturnValue:
    """Reopening a decided dispute is its own action, with a reason and an audit entry."""
    session = db()
    viewer = current_viewer()
    try:
        get_dispute(session, viewer, dispute_id)
    except DisputeError:
        abort(404)
    try:
        reopen_dispute(session, viewer, dispute_id, reason=request.form.get("reason", ""),
                       form_version=request.form.get("version"))
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("disputes.detail", dispute_id=dispute_id)), 303
    flash(_("Dispute reopened: decide it again."), "ok")
    return redirect(url_for("disputes.detail", dispute_id=dispute_id)), 303
