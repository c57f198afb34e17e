"""Search a whole tenant (the CLI and the token API): one transaction that first catches the index up."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.db.session import transaction
from qa_service.services.accounts.tenants import tenant_by_slug
from qa_service.services.interactions.listing import tenant_viewer
from qa_service.services.search.indexing import index_all_pending
from qa_service.services.search.searching import PAGE_SIZE, SearchFilters, search


def search_tenant_id(
    settings: Settings, tenant_id: int, typed: str, filters: SearchFilters | None = None, *, limit: int = PAGE_SIZE
) -> dict[str, Any]:
    """`{"total", "hits"}` over every interaction of the tenant (the contract's shape)."""
    with transaction(settings.sqlalchemy_url) as session:
        index_all_pending(session, tenant_id)
        return search(session, tenant_viewer(tenant_id), typed, filters, limit=limit).to_json()


def search_tenant(
    settings: Settings, slug: str, typed: str, filters: SearchFilters | None = None, *, limit: int = PAGE_SIZE
) -> dict[str, Any]:
    """`qa-service search --tenant SLUG QUERY`: the tenant by its slug, then `search_tenant_id`."""
    try:
        with transaction(settings.sqlalchemy_url) as session:
            tenant_id = tenant_by_slug(session, slug).id
    except SQLAlchemyError as error:
        raise UserFacingError(f"база данных недоступна: {type(error).__name__}",
                              f"database unavailable: {type(error).__name__}") from None
    return search_tenant_id(settings, tenant_id, typed, filters, limit=limit)
