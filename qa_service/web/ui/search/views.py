"""/search: find conversations by what was said; snippets, the moment in the recording, counts."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from qa_service.core.errors import UserFacingError
from qa_service.db.models import Role
from qa_service.services.search.indexing import index_pending
from qa_service.services.search.searching import SPEAKERS, SearchFilters, search
from qa_service.services.search.topics import latest_topics
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.form_values import id_or_none
from qa_service.web.ui.database import db
from qa_service.web.ui.interactions.views import LIST_ROLES, filters_from_request
from qa_service.web.ui.messages import user_message

bp = Blueprint("search", __name__)


def _positive(name: str) -> float | None:
    try:
        value = float(request.args.get(name, ""))
    except ValueError:
        return None
    return value if 0 < value < 10**7 else None


@bp.get("/search")
@require_roles(*LIST_ROLES)
def search_page() -> ResponseReturnValue:
    viewer = current_viewer()
    typed = request.args.get("q", "").strip()
    speaker = request.args.get("speaker") or None
    filters = SearchFilters(
        speaker=speaker if speaker in SPEAKERS else None,
        first_seconds=_positive("first_seconds"),
        first_messages=id_or_none(request.args.get("first_messages")),
        conversations=filters_from_request(),
    )
    filters.conversations.text = None  # the list's own transcript filter is not this page's query
    result, error = None, None
    if typed:
        session = db()
        # Turns stored around the pipeline (imports, old rows) are indexed a batch at a time as people search;
        # the request commits the batch.
        index_pending(session, viewer.tenant_id)
        try:
            result = search(session, viewer, typed, filters)
        except UserFacingError as exc:  # an empty query, or a score filter the role may not use
            error = user_message(exc)
    args = {k: v for k, v in request.args.items() if v}
    # Last night's topics and trackers, emerging first (aggregates of the tenant: every role of the list sees them;
    # example contacts only for staff, whose scope the links respect).
    topics = [] if typed else latest_topics(db(), viewer.tenant_id)
    return render_template(
        "search/search.html", typed=typed, result=result, error=error, args=args, filters=filters, topics=topics,
        show_scores=viewer.sees_evaluations, show_filters=viewer.role != Role.CUSTOMER,
    ), (400 if error else 200)
