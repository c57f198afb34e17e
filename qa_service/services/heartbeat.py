"""A worker heartbeat: one audit row written by a job, the end-to-end probe of queue and database.

The worker round-trip test enqueues it and reads the row back.  /healthz does not: it pings the
database (`services.health`) and Redis (`jobs.check_queue`) directly.
"""

from __future__ import annotations

from datetime import datetime

from qa_service.config import Settings
from qa_service.db.models import AuditLog
from qa_service.db.session import transaction


def record_heartbeat(settings: Settings, tenant_id: int, *, at: datetime) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        row = AuditLog(tenant_id=tenant_id, at=at, action="worker_heartbeat", entity="worker", details={})
        session.add(row)
        session.flush()
        return row.id
