"""The interaction list (filters, keyset pages, search), the interaction page and its audio."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from qa_service.config import Settings
from qa_service.core.date_input import day_or_none
from qa_service.db.blobs import BlobNotFound, BlobStore
from qa_service.db.models import Channel, EvaluationKind, EvaluationStatus, Role
from qa_service.services.access import STAFF, Viewer, visible_interaction
from qa_service.services.audit import record
from qa_service.services.calibration.blind import (
    blind_interaction_ids,
)
from qa_service.services.cases.pages import (
    CASE_ROLES,
    case_id_for_interaction,
)
from qa_service.services.evaluation_versions import (
    history,
)
from qa_service.services.interactions.listing import (
    SORTS,
    HiddenFilterError,
    ListFilters,
    filter_options,
    list_interactions,
)
from qa_service.services.review.disputes import (
    dispute_deadline,
    disputes_of_evaluation,
)
from qa_service.services.review.evaluations import (
    changed_by,
    comments_of,
    current_evaluation,
)
from qa_service.services.rubrics.titles import (
    titles_for_evaluation,
    titles_for_tenant,
)
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.blobs import blob_response
from qa_service.web.form_values import id_or_none
from qa_service.web.labels import label
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import user_message
from qa_service.web.ui.presenters import duration_of, format_seconds, timeline, turn_views

bp = Blueprint("interactions", __name__)
OPTIONS_TTL_SECONDS = 300.0
# The filter form's agents/queues/topics/criteria take DISTINCT scans over a tenant's history;
# they change slowly, so each worker keeps them for a few minutes.
_options_cache: dict[tuple[str, int, str], tuple[float, dict[str, Any]]] = {}
LIST_ROLES = (*STAFF, Role.CUSTOMER)
PAGE_ROLES = (*LIST_ROLES, Role.AGENT)


def _bool(name: str) -> bool | None:
    value = request.args.get(name, "")
    return {"1": True, "yes": True, "0": False, "no": False}.get(value)


def _number(name: str) -> float | None:
    try:
        value = float(request.args[name])
    except (KeyError, ValueError):
        return None
    return value if math.isfinite(value) else None  # "nan" and "inf" parse, and filter nothing sensible


def _int(name: str) -> int | None:
    return id_or_none(request.args.get(name))


def _date(name: str, plus_days: int = 0) -> datetime | None:
    typed = day_or_none(request.args.get(name))
    if typed is None:
        return None
    return datetime.combine(typed, datetime.min.time(), tzinfo=UTC) + timedelta(days=plus_days)


def filters_from_request() -> ListFilters:
    channel = request.args.get("channel") or None
    return ListFilters(
        date_from=_date("from"), date_to=_date("to", plus_days=1),
        channel=channel if channel in {c.value for c in Channel} else None,
        agent_id=_int("agent"), team_id=_int("team"),
        queue=request.args.get("queue") or None, topic=request.args.get("topic") or None,
        score_min=_number("score_min"), score_max=_number("score_max"),
        failed_critical=_bool("critical"), needs_review=_bool("needs_review"), reviewed=_bool("reviewed"),
        criterion_failed=request.args.get("criterion") or None, text=request.args.get("q") or None,
        sort=request.args.get("sort", "newest"),
    )


def _labelled(raw: dict[str, list[Any]], titles: dict[str, str]) -> dict[str, Any]:
    """The filter form's options with their words, and code → words maps for the rows."""
    queues = {q: label(q, "queue") for q in raw["queues"]}
    topics = {t: label(t, "topic") for t in raw["topics"]}
    criteria = sorted(((c, titles.get(c, c)) for c in raw["criteria"]), key=lambda pair: pair[1])
    return {
        **raw,
        "queue_labels": sorted(queues.items(), key=lambda pair: pair[1]),
        "topic_labels": sorted(topics.items(), key=lambda pair: pair[1]),
        "criterion_labels": criteria,
        "names": {"queue": queues, "topic": topics},
    }


def _cached_options(viewer: Viewer) -> dict[str, Any]:
    # Per tenant and language: the options and their words are the same for every request.
    settings: Settings = current_app.config["QA_SETTINGS"]
    key = (settings.database_url, viewer.tenant_id, str(get_locale()))
    cached = _options_cache.get(key)
    now = time.monotonic()
    if cached is None or now - cached[0] > OPTIONS_TTL_SECONDS:
        session = db()
        cached = (now, _labelled(filter_options(session, viewer), titles_for_tenant(session, viewer.tenant_id)))
        _options_cache[key] = cached
    return cached[1]


@bp.get("/interactions")
@require_roles(*LIST_ROLES)
def list_page() -> ResponseReturnValue:
    viewer = current_viewer()
    filters = filters_from_request()
    try:
        page = list_interactions(db(), viewer, filters, cursor=request.args.get("after"))
    except HiddenFilterError as error:  # a filter on scores by a role that may not see them
        return render_template("error.html", code=400, message=user_message(error)), 400
    # Calibration blind rule: rows the viewer scores blind show no score and no flags.
    blind = blind_interaction_ids(db(), viewer, [row.interaction.id for row in page.rows])
    options = _cached_options(viewer)
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    return render_template(
        "interactions/list.html", page=page, filters=filters, options=options, args=args, sorts=SORTS,
        show_scores=viewer.sees_evaluations, show_filters=viewer.role != Role.CUSTOMER, blind=blind,
    )


@bp.get("/interactions/<int:interaction_id>")
@require_roles(*PAGE_ROLES)
def page(interaction_id: int) -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    interaction = visible_interaction(session, viewer, interaction_id)
    if interaction is None:
        abort(404)
    evaluation = current_evaluation(session, viewer, interaction)
    answers = list(evaluation.answers) if evaluation else []
    comments = comments_of(session, evaluation) if evaluation else []
    titles = titles_for_evaluation(session, evaluation)
    disputes = disputes_of_evaluation(session, evaluation.id) if evaluation else []
    window = int(current_app.config["DISPUTE_WINDOW_DAYS"])
    deadline = dispute_deadline(evaluation, window) if evaluation else None
    released_review = (evaluation is not None and evaluation.kind == EvaluationKind.REVIEW
                       and evaluation.status == EvaluationStatus.RELEASED)
    amending = released_review and viewer.can_review and request.args.get("amend") == "1"
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="view", entity="interaction",
           entity_id=interaction.id)
    return render_template(
        "interactions/page.html", interaction=interaction, evaluation=evaluation, answers=answers,
        turns=turn_views(interaction, answers), timeline=timeline(interaction), duration=duration_of(interaction),
        comments=comments, disputes=disputes, can_review=viewer.can_review,
        can_dispute=viewer.role == Role.AGENT and deadline is not None and datetime.now(UTC) <= deadline,
        deadline=deadline, fmt=format_seconds,
        open_disputes={d.criterion_id for d in disputes if d.status.value == "open"},
        show_agent=viewer.role != Role.AGENT, titles=titles,
        changed_by=changed_by(session, evaluation) if evaluation else {},
        accepted_disputes={d.criterion_id: d.id for d in disputes if d.status.value == "accepted"},
        decided_disputes={d.criterion_id: d.id for d in disputes},
        released_review=released_review, amending=amending,
        editing=viewer.can_review and evaluation is not None and (amending or not released_review),
        versions=history(session, evaluation) if evaluation is not None else [],
        show_review_reasons=viewer.role != Role.AGENT and evaluation is not None and evaluation.kind.value == "auto",
        case_id=case_id_for_interaction(session, viewer, interaction.id) if viewer.role in CASE_ROLES else None,
    )


@bp.get("/interactions/<int:interaction_id>/audio")
@require_roles(*PAGE_ROLES)
def audio(interaction_id: int) -> ResponseReturnValue:
    """The redacted recording, with range requests so the player can seek."""
    session = db()
    interaction = visible_interaction(session, current_viewer(), interaction_id)
    if interaction is None or interaction.recording is None or not interaction.recording.blob_key:
        abort(404)
    settings: Settings = current_app.config["QA_SETTINGS"]
    try:
        blob = BlobStore.from_url(settings.blob_url).open(interaction.recording.blob_key)
    except BlobNotFound:
        abort(404)
    return blob_response(blob)
