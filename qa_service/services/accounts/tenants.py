"""Tenants and users: creation, argon2 password hashing, sign-in checks."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.core.redaction.refusal import refuse_card_number
from qa_service.db.models import Role, Tenant, User
from qa_service.db.session import transaction
from qa_service.services.input_limits import check_text

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# A hash with `_hasher`'s parameters, verified when there is no real one to check (unknown e-mail or
# tenant slug), so that a miss costs the same time as a wrong secret.
DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$hCS7J6Lstgo+x+57AjrEgg$3RoZ5mi8E8Rww8XG5M84M8VxOmGzF8G9nJv2pEsDPvU"


class AccountError(UserFacingError):
    pass


def hash_secret(secret: str) -> str:
    """An argon2 hash of any secret (passwords, API tokens); check it with `verify_password`."""
    return _hasher.hash(secret)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"пароль короче {MIN_PASSWORD_LENGTH} символов",
            f"the password is shorter than {MIN_PASSWORD_LENGTH} characters",
        )
    return hash_secret(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def get_or_create_tenant(session: Session, slug: str, name: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        tenant = Tenant(slug=slug, name=name)
        session.add(tenant)
        session.flush()
    return tenant


def create_user(session: Session, tenant: Tenant, *, email: str, name: str, role: Role | str, password: str) -> User:
    email = refuse_card_number(check_text(email.strip().lower(), User.email, "e-mail", "e-mail"), "e-mail", "e-mail")
    name = check_text(name.strip(), User.name, "имя", "name")
    if session.scalar(select(User).where(User.tenant_id == tenant.id, User.email == email)):
        raise AccountError(f"пользователь {email} уже есть", f"user {email} already exists")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(
            f"неизвестная роль {role!r}: {', '.join(r.value for r in Role)}",
            f"unknown role {role!r}: {', '.join(r.value for r in Role)}",
        ) from None
    user = User(tenant_id=tenant.id, email=email, name=name, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def tenant_by_slug(session: Session, slug: str) -> Tenant:
    """The tenant with this slug; a one-line error naming it when there is none."""
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise UserFacingError(f"нет авиакомпании {slug!r}", f"no tenant {slug!r}")
    return tenant


def set_up_tenant(settings: Settings, slug: str, name: str) -> tuple[str, int]:
    """`qa-service create-tenant`: the tenant (created once), as (slug, id)."""
    with transaction(settings.sqlalchemy_url) as session:
        tenant = get_or_create_tenant(session, slug, name)
        return tenant.slug, tenant.id


def set_up_user(
    settings: Settings, tenant_slug: str, *, email: str, name: str, role: str, password: str
) -> tuple[str, str, int]:
    """`qa-service create-user`: a user of the tenant (created with it if new), as (e-mail, role, id)."""
    with transaction(settings.sqlalchemy_url) as session:
        tenant = get_or_create_tenant(session, tenant_slug, tenant_slug)
        user = create_user(session, tenant, email=email, name=name, role=role, password=password)
        return user.email, Role(user.role).value, user.id
