"""Who: tenants (airlines), users with roles, teams and agents."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_service.db.models.base import Base, TenantOwned, Timestamped, enum_column


class Role(enum.StrEnum):
    ADMIN = "admin"
    QA = "qa"
    TRAINER = "trainer"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    CUSTOMER = "customer"


class Tenant(Timestamped, Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    # Token for the push webhook, stored as an argon2 hash: shown once at creation.
    push_token_hash: Mapped[str | None] = mapped_column(String(255))
    # Read and written only through `qa_service.core.tenant_settings.TenantSettings`.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Team(TenantOwned, Timestamped, Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class User(TenantOwned, Timestamped, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, 20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    last_login_at: Mapped[datetime | None]
    # Raised on sign-out and password change: every session cookie carrying an older value is
    # refused, so a cookie captured before either no longer works (cookies are client-side).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")


class Agent(TenantOwned, Timestamped, Base):
    """An operator at the contact center, as the platform knows them (`external_id`)."""

    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hired_on: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
