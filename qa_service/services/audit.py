"""The audit log: who viewed or changed what, in the same transaction as the change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.db.models import AuditLog


def record(
    session: Session,
    *,
    tenant_id: int,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: int | str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit entry (committed with the caller's transaction)."""
    entry = AuditLog(
        tenant_id=tenant_id,
        at=datetime.now(UTC),
        user_id=user_id,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        details=details or {},
    )
    session.add(entry)
    return entry


def recent(session: Session, tenant_id: int, limit: int = 200) -> list[AuditLog]:
    """The tenant's latest audit entries, newest first."""
    stmt = (
        select(AuditLog)
        .where(AuditLog.tenant_id == tenant_id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
