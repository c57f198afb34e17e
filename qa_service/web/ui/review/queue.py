"""The review queue (what is due, by whom) and the tenant's sampling rule."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.core.date_input import day_or_none
from qa_service.core.errors import UserFacingError
from qa_service.db.models import Channel, Role
from qa_service.services.access import REVIEWERS
from qa_service.services.audit import record
from qa_service.services.calibration.blind import blind_interaction_ids
from qa_service.services.review.sampling import active_rule, review_queue, run_sampling, save_rule
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import flash_error

bp = Blueprint("queue", __name__)


def _week_start(value: str | None) -> datetime:
    typed = day_or_none(value)
    if typed is not None:
        day = datetime.combine(typed, time(0), tzinfo=UTC)
    else:
        day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=7)
    return day - timedelta(days=day.weekday())


@bp.get("/queue")
@require_roles(*REVIEWERS)
def queue() -> ResponseReturnValue:
    viewer = current_viewer()
    session = db()
    items = review_queue(session, viewer, include_done=request.args.get("done") == "1")
    default_week = _week_start(None).date().isoformat()
    return render_template(
        "review/queue.html", items=items, rule=active_rule(session, viewer.tenant_id),
        channels=[c.value for c in Channel],
        default_week=default_week, now=datetime.now(UTC),
        # Calibration blind rule: items the reviewer scores blind show no score and no critical flag.
        blind=blind_interaction_ids(session, viewer, [item.interaction.id for item in items]),
    )


@bp.post("/queue/sample")
@require_roles(*REVIEWERS)
def sample() -> ResponseReturnValue:
    session = db()
    result = run_sampling(session, current_viewer(), _week_start(request.form.get("week")))
    flash(_("Sampled %(assigned)d of %(considered)d interactions.", assigned=result.assigned,
            considered=result.considered), "ok")
    return redirect(url_for("queue.queue")), 303


@bp.post("/queue/rule")
@require_roles(Role.ADMIN)
def rule() -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    try:
        saved = save_rule(
            session, viewer.tenant_id,
            per_agent=int(request.form.get("per_agent", "")),
            random_share=float(request.form.get("random_percent", "")) / 100.0,
            channels=[c for c in request.form.getlist("channels") if c in {ch.value for ch in Channel}],
            due_days=int(request.form.get("due_days", "")),
        )
    except ValueError as error:
        session.rollback()
        if isinstance(error, UserFacingError):
            flash_error(error)  # names the field and its range
        else:
            flash(_("Check the sampling rule: numbers out of range or no channel chosen."), "error")
        return redirect(url_for("queue.queue")), 303
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="update", entity="sampling_rule",
           entity_id=saved.id)
    flash(_("Sampling rule saved."), "ok")
    return redirect(url_for("queue.queue")), 303
