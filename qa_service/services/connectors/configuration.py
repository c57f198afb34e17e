"""Connector configuration per tenant: create or update, list without secrets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.connectors.base import ConnectorConfigError
from qa_service.connectors.factory import (
    build_connector,
)
from qa_service.connectors.sandbox import (
    Sandbox,
    sandbox_for,
)
from qa_service.core.redaction.refusal import (
    refuse_card_numbers_in,
)
from qa_service.db.models import (
    ConnectorConfig,
    Tenant,
)
from qa_service.db.session import session_factory, transaction


@dataclass(frozen=True)
class ConnectorView:
    """What an admin sees: the settings, and only the *names* of secrets that are set."""

    id: int
    name: str
    kind: str
    config: dict[str, Any]
    secrets_set: tuple[str, ...]
    poll_interval_seconds: int
    enabled: bool
    last_error: str | None


def tenant_sandbox(session: Session, settings: Settings, tenant_id: int) -> Sandbox:
    """What the platform operator lets this tenant's connectors reach (connectors/sandbox.py)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError(f"no tenant {tenant_id}")
    return sandbox_for(settings, tenant.slug)


def save_connector(
    session: Session,
    tenant_id: int,
    *,
    sandbox: Sandbox | None,
    name: str,
    kind: str,
    config: dict[str, Any],
    secrets: dict[str, Any] | None = None,
    poll_interval_seconds: int = 300,
    enabled: bool = True,
) -> ConnectorConfig:
    """Create or update a connector; secrets left out keep their stored values.

    `sandbox` is the tenant's allowance (`tenant_sandbox`); only trusted set-up code (the demo's
    own simulator, tests of other parts) passes None, and every run checks the allowance anyway.
    """
    if poll_interval_seconds < 10:
        raise ConnectorConfigError(
            "интервал опроса не меньше 10 секунд", "the poll interval must be at least 10 seconds"
        )
    row = session.scalar(
        select(ConnectorConfig).where(ConnectorConfig.tenant_id == tenant_id, ConnectorConfig.name == name)
    )
    merged_secrets = dict(row.secrets) if row is not None else {}
    merged_secrets.update({k: v for k, v in (secrets or {}).items() if v})
    refuse_card_numbers_in(config, "настройки подключения", "connector settings")
    # Building it checks the configuration now, not at 3 a.m. on the first poll.
    build_connector(kind, name, config, merged_secrets, sandbox=sandbox)
    if row is None:
        row = ConnectorConfig(tenant_id=tenant_id, name=name, kind=kind)
        session.add(row)
    row.kind = kind
    row.config = config
    row.secrets = merged_secrets
    row.poll_interval_seconds = poll_interval_seconds
    row.enabled = enabled
    session.flush()
    return row


def list_connectors(session: Session, tenant_id: int) -> list[ConnectorView]:
    rows = session.scalars(
        select(ConnectorConfig).where(ConnectorConfig.tenant_id == tenant_id).order_by(ConnectorConfig.name)
    )
    return [
        ConnectorView(
            id=r.id,
            name=r.name,
            kind=r.kind,
            config=dict(r.config),
            secrets_set=tuple(sorted(k for k, v in r.secrets.items() if v)),
            poll_interval_seconds=r.poll_interval_seconds,
            enabled=r.enabled,
            last_error=r.last_error,
        )
        for r in rows
    ]


def enabled_connectors(settings: Settings, name: str | None = None) -> list[tuple[int, str]]:
    """(id, name) of every enabled connector, or of the one with this name."""
    with session_factory(settings.sqlalchemy_url)() as session:
        query = select(ConnectorConfig).where(ConnectorConfig.enabled.is_(True))
        if name:
            query = query.where(ConnectorConfig.name == name)
        return [(c.id, c.name) for c in session.scalars(query)]


def save_tenant_connector(
    settings: Settings,
    tenant_slug: str,
    *,
    name: str,
    kind: str,
    config: dict[str, Any],
    secrets: dict[str, Any],
    poll_interval_seconds: int = 300,
) -> tuple[str, int]:
    """`qa-service connector save`: create or update the tenant's connector, as (name, id)."""
    from qa_service.services.accounts.tenants import tenant_by_slug

    with transaction(settings.sqlalchemy_url) as session:
        tenant = tenant_by_slug(session, tenant_slug)
        row = save_connector(
            session, tenant.id, sandbox=sandbox_for(settings, tenant.slug), name=name, kind=kind, config=config,
            secrets=secrets, poll_interval_seconds=poll_interval_seconds,
        )
        return row.name, row.id


def tenant_connectors(settings: Settings, tenant_slug: str) -> list[ConnectorView]:
    """`qa-service connector list`: the tenant's connectors, secrets shown only by name."""
    from qa_service.services.accounts.tenants import tenant_by_slug

    with session_factory(settings.sqlalchemy_url)() as session:
        return list_connectors(session, tenant_by_slug(session, tenant_slug).id)
