"""/api/v1/interactions: the push webhook (POST) and read access to stored results (GET)."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.core.interaction import CHANNELS, parse_time
from qa_service.core.json_input import loads
from qa_service.services.access import (
    Viewer,
)
from qa_service.services.ingestion.intake import (
    ingest_document,
)
from qa_service.services.interactions.listing import (
    BadCursor,
    BlindEvaluations,
    api_evaluations,
    api_interaction,
    api_interactions_page,
)
from qa_service.web.api.auth import api_tenant_id
from qa_service.web.api.errors import api_error, from_user_error

bp = Blueprint("api_interactions", __name__, url_prefix="/api/v1")

MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_PAGE = 200


def _settings() -> Settings:
    settings: Settings = current_app.config["QA_SETTINGS"]
    return settings


# The query parameters each endpoint documents; anything else (a typo of `channel`, say) is refused
# rather than silently ignored, which would answer with the unfiltered list.
KNOWN_QUERY = {"api_interactions.list_interactions": {"channel", "since", "limit", "cursor"}}


@bp.before_request
def _refuse_unknown_query_parameters() -> ResponseReturnValue | None:
    unknown = sorted(set(request.args) - KNOWN_QUERY.get(request.endpoint or "", set()))
    if unknown:
        name = unknown[0][:50]
        return api_error(f"неизвестный параметр запроса {name!r}", f"unknown query parameter {name!r}")
    return None


def _read_at_most(limit: int) -> bytes | None:
    """The body, or None past `limit` bytes: a chunked body has no Content-Length to check first."""
    chunks: list[bytes] = []
    size = 0
    while chunk := request.stream.read(min(64 * 1024, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None
    return b"".join(chunks)


@bp.post("/interactions")
def push_interaction() -> ResponseReturnValue:
    """Accept one interaction JSON from the platform; a repeat of the same item changes nothing."""
    tenant_id = api_tenant_id(token_only=True)
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return api_error("тело запроса больше 5 МБ", "request body over 5 MB", 413)
    if not request.is_json:
        return api_error("тело запроса — не JSON (Content-Type: application/json)",
                         "request body is not JSON (Content-Type: application/json)")
    body = _read_at_most(MAX_BODY_BYTES)
    if body is None:
        return api_error("тело запроса больше 5 МБ", "request body over 5 MB", 413)
    settings = _settings()
    try:
        document = loads(body, what="body")
        # Its own transaction; the pipeline's first job is sent when it commits.
        stored = ingest_document(settings, tenant_id, document, default_source="push")
    except UserFacingError as error:
        return from_user_error(error)
    return {"id": stored.interaction_id, "created": stored.created}, 201 if stored.created else 200


def _reader() -> Viewer | None:
    """The person behind a session (the blind rule applies to them); None for the airline's token."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    from qa_service.web.auth import current_viewer

    return current_viewer()


@bp.get("/interactions")
def list_interactions() -> ResponseReturnValue:
    """Newest first, keyset-paginated: pass `next` back as `cursor`."""
    tenant_id = api_tenant_id()
    args = request.args
    try:
        limit = int(args.get("limit", 50))
    except ValueError:
        limit = -1
    if not 1 <= limit <= MAX_PAGE:
        return api_error(f"limit: целое от 1 до {MAX_PAGE}", f"limit: an integer from 1 to {MAX_PAGE}")
    # A parameter given empty is given: `channel=` is not "every channel" (the document says the enum).
    channel = args.get("channel")
    if channel is not None and channel not in CHANNELS:
        return api_error("channel: call, chat или email", "channel: call, chat or email")
    since = None
    if "since" in args:
        try:
            since = parse_time(args["since"], "since")
        except UserFacingError as error:
            return from_user_error(error)
    try:
        return api_interactions_page(
            _settings(), tenant_id, channel=channel, since=since, cursor=args.get("cursor") or None, limit=limit,
            reader=_reader(),
        )
    except BadCursor as error:
        return from_user_error(error)


@bp.get("/interactions/<int:interaction_id>")
def get_interaction(interaction_id: int) -> ResponseReturnValue:
    tenant_id = api_tenant_id()
    body = api_interaction(_settings(), tenant_id, interaction_id, reader=_reader())
    if body is None:
        return api_error("взаимодействие не найдено", "interaction not found", 404)
    return body


@bp.get("/interactions/<int:interaction_id>/evaluations")
def list_evaluations(interaction_id: int) -> ResponseReturnValue:
    """Every evaluation of the interaction in the contract's evaluation shape, plus kind and status."""
    tenant_id = api_tenant_id()
    try:
        items = api_evaluations(_settings(), tenant_id, interaction_id, reader=_reader())
    except BlindEvaluations as error:
        return from_user_error(error, 403)
    if items is None:
        return api_error("взаимодействие не найдено", "interaction not found", 404)
    return {"items": items}
