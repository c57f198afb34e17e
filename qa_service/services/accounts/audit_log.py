"""Reading the audit log: who did what, filtered by person, action and date, page by page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_service.db.models import AuditLog, User

PER_PAGE = 50


@dataclass(frozen=True)
class AuditFilters:
    user_id: int | None = None
    action: str | None = None
    date_from: datetime | None = None  # inclusive, UTC
    date_to: datetime | None = None  # exclusive, UTC


@dataclass(frozen=True)
class AuditRow:
    entry: AuditLog
    user_name: str | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int


def _filtered(stmt: Any, tenant_id: int, filters: AuditFilters) -> Any:
    stmt = stmt.where(AuditLog.tenant_id == tenant_id)
    if filters.user_id is not None:
        stmt = stmt.where(AuditLog.user_id == filters.user_id)
    if filters.action:
        stmt = stmt.where(AuditLog.action == filters.action)
    if filters.date_from is not None:
        stmt = stmt.where(AuditLog.at >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(AuditLog.at < filters.date_to)
    return stmt


def audit_page(
    session: Session, tenant_id: int, filters: AuditFilters, page: int = 1, per_page: int = PER_PAGE
) -> AuditPage:
    """One page of the tenant's audit entries, newest first, with the names of who acted."""
    total = session.scalar(_filtered(select(func.count()).select_from(AuditLog), tenant_id, filters)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    stmt = _filtered(
        select(AuditLog, User.name).outerjoin(User, User.id == AuditLog.user_id), tenant_id, filters
    ).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    result = session.execute(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    return AuditPage([AuditRow(entry, name) for entry, name in result], total, page, pages)


def audit_rows(session: Session, tenant_id: int, filters: AuditFilters, limit: int = 100_000) -> list[AuditRow]:
    """Every matching entry (for the CSV export), newest first, capped at `limit`."""
    stmt = _filtered(
        select(AuditLog, User.name).outerjoin(User, User.id == AuditLog.user_id), tenant_id, filters
    ).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    return [AuditRow(entry, name) for entry, name in session.execute(stmt.limit(limit)).all()]


def audit_actions(session: Session, tenant_id: int) -> list[str]:
    """The actions the tenant's log holds, for the filter."""
    stmt = select(AuditLog.action).where(AuditLog.tenant_id == tenant_id).distinct().order_by(AuditLog.action)
    return list(session.scalars(stmt))
