"""The nightly coaching run: recompute training needs in one transaction, then mail the notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import Tenant
from qa_service.db.session import transaction
from qa_service.services.coaching.notices import send_coaching_notices
from qa_service.services.coaching.training_needs import NeedsRun, compute_training_needs


def tenant_ids(settings: Settings) -> list[int]:
    with transaction(settings.sqlalchemy_url) as session:
        return list(session.scalars(select(Tenant.id).order_by(Tenant.id)))


def refresh_training_needs(settings: Settings, tenant_id: int, now: datetime) -> NeedsRun:
    """Idempotent: a second run with the same data changes nothing but the `updated_at` stamps."""
    with transaction(settings.sqlalchemy_url) as session:
        run = compute_training_needs(session, tenant_id, now)
    send_coaching_notices(settings, tenant_id, now)
    return run
