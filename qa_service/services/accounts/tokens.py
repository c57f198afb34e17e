"""Per-tenant API tokens for the push webhook and machine reads: `<tenant-slug>.<secret>`.

Only an argon2 hash is stored; the token is shown once when it is issued.  A check that does
not present a recently verified token costs exactly one argon2 verification, whether the slug
names a tenant or not, so the answer time does not tell an attacker which slugs exist.

A platform pushing every interaction would pay that hash (~0.1 s of CPU) on every request, so a
token that verified is remembered in this process for a few minutes, by a SHA-256 digest of the
token together with the stored hash it matched: presenting the same token again is then a
constant-time digest comparison, and issuing a new token (a new stored hash) forgets the old
one at once.  Only the holder of the valid token can reach the fast path, so its speed tells an
attacker nothing they do not already have.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.db.models import Tenant
from qa_service.db.session import session_factory, transaction
from qa_service.services.accounts.tenants import DUMMY_HASH, hash_secret, tenant_by_slug, verify_password


def issue_token(session: Session, tenant: Tenant) -> str:
    """A new token for the tenant (replaces the old one); returned once, stored hashed."""
    token = f"{tenant.slug}.{secrets.token_urlsafe(32)}"
    tenant.push_token_hash = hash_secret(token)
    return token


VERIFIED_TTL_SECONDS = 300
_verified: dict[int, tuple[str, bytes, float]] = {}  # tenant id → (stored hash, token digest, verified at)
_verified_lock = threading.Lock()


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def _recently_verified(tenant: Tenant, token: str) -> bool:
    with _verified_lock:
        entry = _verified.get(tenant.id)
    if entry is None or entry[0] != tenant.push_token_hash or time.monotonic() - entry[2] > VERIFIED_TTL_SECONDS:
        return False
    return hmac.compare_digest(entry[1], _digest(token))


def tenant_for_token(session: Session, token: str) -> Tenant | None:
    """The tenant a presented token belongs to, or None."""
    slug, _, secret = token.partition(".")
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug)) if slug and secret else None
    if tenant is None or not tenant.push_token_hash:
        verify_password(DUMMY_HASH, token)  # the same work as a real check: no timing oracle
        return None
    if _recently_verified(tenant, token):
        return tenant
    if not verify_password(tenant.push_token_hash, token):
        return None
    with _verified_lock:
        _verified[tenant.id] = (tenant.push_token_hash, _digest(token), time.monotonic())
    return tenant


def issue_token_for(settings: Settings, tenant_slug: str) -> str:
    """`qa-service issue-token`: a new token for the tenant with this slug."""
    with transaction(settings.sqlalchemy_url) as session:
        return issue_token(session, tenant_by_slug(session, tenant_slug))


def tenant_id_for_token(settings: Settings, token: str) -> int | None:
    """The id of the tenant a presented API token belongs to, or None."""
    with session_factory(settings.sqlalchemy_url)() as session:
        tenant = tenant_for_token(session, token)
        return tenant.id if tenant is not None else None
