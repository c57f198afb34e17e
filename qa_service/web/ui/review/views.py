"""The reviewer's actions on an interaction page: submit (and release) a review, comment, release, and
«Изменить опубликованную оценку».  Every form posts the evaluation and version it was drawn from."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.core.errors import UserFacingError
from qa_service.services.access import REVIEWERS, visible_interaction
from qa_service.services.review.evaluations import (
    Decision,
    add_comment,
    amend_released,
    evaluation_for,
    release_evaluation,
    submit_review,
)
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import flash_error

bp = Blueprint("review", __name__)


def _decisions() -> dict[str, Decision]:
    decisions: dict[str, Decision] = {}
    for key, value in request.form.items():
        if key.startswith("answer-"):
            criterion = key[len("answer-"):]
            decisions[criterion] = Decision(value or None, request.form.get(f"reason-{criterion}", ""))
    return decisions


def _form_version() -> str | None:
    """The version the page's form was drawn from; None only for a post that carries none (a script)."""
    return request.form.get("version")


def _form_evaluation() -> int | None:
    try:
        return int(request.form.get("evaluation", ""))
    except ValueError:
        return None


@bp.post("/interactions/<int:interaction_id>/review")
@require_roles(*REVIEWERS)
def submit(interaction_id: int) -> ResponseReturnValue:
    session = db()
    if visible_interaction(session, current_viewer(), interaction_id) is None:
        abort(404)
    release = request.form.get("action") == "release"
    try:
        evaluation = submit_review(session, current_viewer(), interaction_id, _decisions(), release=release,
                                   form_evaluation_id=_form_evaluation(), form_version=_form_version())
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("interactions.page", interaction_id=interaction_id)), 303
    score = "—" if evaluation.score is None else f"{evaluation.score:g}"
    flash(_("Review submitted: score %(score)s.", score=score) if not release
          else _("Review submitted and released to the agent: score %(score)s.", score=score), "ok")
    return redirect(url_for("interactions.page", interaction_id=interaction_id)), 303


@bp.post("/interactions/<int:interaction_id>/comments")
@require_roles(*REVIEWERS)
def comment(interaction_id: int) -> ResponseReturnValue:
    session = db()
    if visible_interaction(session, current_viewer(), interaction_id) is None:
        abort(404)
    try:
        offset_text = request.form.get("offset", "").strip()
        offset = float(offset_text) if offset_text else None
    except ValueError:
        offset = None
    try:
        add_comment(session, current_viewer(), interaction_id, request.form.get("text", ""), offset,
                    request.form.get("criterion") or None)
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
    else:
        flash(_("Comment added."), "ok")
    return redirect(url_for("interactions.page", interaction_id=interaction_id) + "#comments"), 303


@bp.post("/evaluations/<int:evaluation_id>/release")
@require_roles(*REVIEWERS)
def release(evaluation_id: int) -> ResponseReturnValue:
    session = db()
    if evaluation_for(session, current_viewer(), evaluation_id) is None:
        abort(404)
    try:
        evaluation = release_evaluation(session, current_viewer(), evaluation_id, form_version=_form_version())
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("queue.queue")), 303
    flash(_("Released to the agent."), "ok")
    return redirect(url_for("interactions.page", interaction_id=evaluation.interaction_id)), 303



@bp.post("/evaluations/<int:evaluation_id>/amend")
@require_roles(*REVIEWERS)
def amend(evaluation_id: int) -> ResponseReturnValue:
    """«Изменить опубликованную оценку»: a new version with a reason; the agent is notified."""
    session = db()
    evaluation = evaluation_for(session, current_viewer(), evaluation_id)
    if evaluation is None:
        abort(404)
    interaction_id = evaluation.interaction_id
    try:
        amended = amend_released(session, current_viewer(), evaluation_id, _decisions(),
                                 request.form.get("change_reason", ""), form_version=_form_version())
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("interactions.page", interaction_id=interaction_id, amend=1)), 303
    score = "—" if amended.score is None else f"{amended.score:g}"
    flash(_("The released evaluation is changed: score %(score)s. The agent is notified.", score=score), "ok")
    return redirect(url_for("interactions.page", interaction_id=interaction_id)), 303
