"""Connector admin pages: one connector's settings (never its secrets), and a test of its connection."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.connectors.factory import build_connector
from qa_service.core.errors import UserFacingError
from qa_service.db.models import ConnectorConfig
from qa_service.services.access import Viewer
from qa_service.services.after_commit import INGEST_CONNECTOR, request_job
from qa_service.services.audit import record
from qa_service.services.connectors.configuration import tenant_sandbox

log = logging.getLogger(__name__)
SECRET_KEYS = ("token", "password")  # what the connector kinds read from their secrets


class ConnectorPageError(UserFacingError):
    pass


UNREACHABLE = ConnectorPageError(
    "платформа не ответила как ожидалось (недоступна, отказала или говорит на другом протоколе); "
    "подробности — в журнале сервиса",
    "the platform did not answer as expected (unreachable, refused, or another protocol); "
    "the details are in the service log",
)


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    found: int  # items the platform offers from the beginning (up to 5 looked at)
    message: str


def connector_of_tenant(session: Session, tenant_id: int, connector_id: int) -> ConnectorConfig:
    row = session.scalar(
        select(ConnectorConfig).where(ConnectorConfig.tenant_id == tenant_id, ConnectorConfig.id == connector_id)
    )
    if row is None:
        raise ConnectorPageError("коннектор не найден", "connector not found")
    return row


def check_connection(session: Session, settings: Settings, tenant_id: int, connector_id: int) -> ConnectionCheck:
    """Ask the platform for its first few items without storing anything or moving the cursor.

    Only refusals of our own (a setting, the operator's allowance, a rejected login) are shown as
    they are; any other failure gets one fixed sentence, so the button cannot tell a closed port
    from a silent one or from a server speaking another protocol.  The detail goes to the log.
    """
    row = connector_of_tenant(session, tenant_id, connector_id)
    try:
        sandbox = tenant_sandbox(session, settings, tenant_id)
        connector = build_connector(row.kind, row.name, dict(row.config), dict(row.secrets), sandbox=sandbox)
        found = len(connector.list_new(None, limit=5))
    except UserFacingError as error:
        return ConnectionCheck(False, 0, str(error))
    except Exception:  # any failure of the foreign system: logged, answered in general terms
        log.warning("connector %s: connection test failed", connector_id, exc_info=True)
        return ConnectionCheck(False, 0, str(UNREACHABLE))
    return ConnectionCheck(True, found, "")


def last_runs(session: Session, tenant_id: int) -> dict[int, datetime | None]:
    """When each of the tenant's connectors last ran."""
    stmt = select(ConnectorConfig.id, ConnectorConfig.last_run_at).where(ConnectorConfig.tenant_id == tenant_id)
    return {connector_id: at for connector_id, at in session.execute(stmt).all()}


def request_run(session: Session, settings: Settings, viewer: Viewer, connector_id: int) -> None:
    """A run of one of the tenant's connectors, asked for by a person: audited, sent once this commits."""
    connector_of_tenant(session, viewer.tenant_id, connector_id)
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="connector.run", entity="connector",
           entity_id=connector_id)
    request_job(session, settings, INGEST_CONNECTOR, connector_id, job_id=f"ingest-{connector_id}")
