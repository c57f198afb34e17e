"""Per-tenant API tokens for the push webhook and machine reads: `<tenant-slug>.<secret>`.

Only an argon2 hash is stored; the token is shown once when it is issued.  Every check costs
exactly one argon2 verification, whether the slug names a tenant or not, so the answer time
does not tell an attacker which slugs exist.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.db.models import Tenant
from qa_service.db.session import session_factory, transaction
from qa_service.services.accounts import DUMMY_HASH, hash_secret, tenant_by_slug, verify_password


def issue_token(session: Session, tenant: Tenant) -> str:
    """A new token for the tenant (replaces the old one); returned once, stored hashed."""
    token = f"{tenant.slug}.{secrets.token_urlsafe(32)}"
    tenant.push_token_hash = hash_secret(token)
    return token


def tenant_for_token(session: Session, token: str) -> Tenant | None:
    """The tenant a presented token belongs to, or None."""
    slug, _, secret = token.partition(".")
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug)) if slug and secret else None
    if tenant is None or not tenant.push_token_hash:
        verify_password(DUMMY_HASH, token)  # the same work as a real check: no timing oracle
        return None
    return tenant if verify_password(tenant.push_token_hash, token) else None


def issue_token_for(settings: Settings, tenant_slug: str) -> str:
    """`qa-service issue-token`: a new token for the tenant with this slug."""
    with transaction(settings.sqlalchemy_url) as session:
        return issue_token(session, tenant_by_slug(session, tenant_slug))


def tenant_id_for_token(settings: Settings, token: str) -> int | None:
    """The id of the tenant a presented API token belongs to, or None."""
    with session_factory(settings.sqlalchemy_url)() as session:
        tenant = tenant_for_token(session, token)
        return tenant.id if tenant is not None else None
