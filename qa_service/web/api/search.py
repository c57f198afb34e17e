"""/api/v1/search: the search box over the API (token, or an admin/QA session), the CLI's JSON shape."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.core.interaction import CHANNELS
from qa_service.services.interactions.listing import ListFilters
from qa_service.services.search.searching import MAX_PAGE, PAGE_SIZE, SPEAKERS, SearchFilters
from qa_service.services.search.tenant_search import search_tenant_id
from qa_service.web.api.auth import api_tenant_id
from qa_service.web.api.errors import api_error, from_user_error

bp = Blueprint("api_search", __name__, url_prefix="/api/v1")
KNOWN_QUERY = {"q", "speaker", "channel", "first_seconds", "limit"}


@bp.get("/search")
def search() -> ResponseReturnValue:
    """`{"total", "hits": [{"interaction_id", "external_id", "channel", "turn", "speaker", "start", "snippet"}]}`."""
    tenant_id = api_tenant_id()
    args = request.args
    unknown = sorted(set(args) - KNOWN_QUERY)
    if unknown:  # a typo of `speaker` must not answer with an unfiltered search
        return api_error(f"неизвестный параметр запроса {unknown[0][:50]!r}",
                         f"unknown query parameter {unknown[0][:50]!r}")
    speaker, channel = args.get("speaker"), args.get("channel")
    if speaker is not None and speaker not in SPEAKERS:
        return api_error("speaker: agent или customer", "speaker: agent or customer")
    if channel is not None and channel not in CHANNELS:
        return api_error("channel: call, chat или email", "channel: call, chat or email")
    try:
        limit = int(args.get("limit", PAGE_SIZE))
        first_seconds = float(args["first_seconds"]) if "first_seconds" in args else None
    except ValueError:
        return api_error("limit и first_seconds — числа", "limit and first_seconds are numbers")
    if not 1 <= limit <= MAX_PAGE:
        return api_error(f"limit: целое от 1 до {MAX_PAGE}", f"limit: an integer from 1 to {MAX_PAGE}")
    if first_seconds is not None and not 0 < first_seconds < 10**7:
        return api_error("first_seconds: положительное число секунд", "first_seconds: a positive number of seconds")
    settings: Settings = current_app.config["QA_SETTINGS"]
    filters = SearchFilters(speaker=speaker, first_seconds=first_seconds, conversations=ListFilters(channel=channel))
    try:
        return search_tenant_id(settings, tenant_id, args.get("q", ""), filters, limit=limit)
    except UserFacingError as error:
        return from_user_error(error)
