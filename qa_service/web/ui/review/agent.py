"""The agent's own view: released evaluations with evidence and comments, and acknowledgement."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.db.models import Role
from qa_service.services.review.evaluations import ReviewError, acknowledge, agent_evaluations, evaluation_for
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import flash_error

bp = Blueprint("agent", __name__)


@bp.get("/my")
@require_roles(Role.AGENT)
def my_evaluations() -> ResponseReturnValue:
    viewer = current_viewer()
    return render_template("review/agent.html", rows=agent_evaluations(db(), viewer), linked=bool(viewer.agent_ids))


@bp.post("/evaluations/<int:evaluation_id>/acknowledge")
@require_roles(Role.AGENT)
def acknowledge_evaluation(evaluation_id: int) -> ResponseReturnValue:
    session = db()
    if evaluation_for(session, current_viewer(), evaluation_id) is None:
        abort(404)
    try:
        evaluation = acknowledge(session, current_viewer(), evaluation_id)
    except ReviewError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("agent.my_evaluations")), 303
    flash(_("Thank you: the evaluation is acknowledged."), "ok")
    return redirect(url_for("interactions.page", interaction_id=evaluation.interaction_id)), 303
