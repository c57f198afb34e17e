"""Who may see what: the viewer of a request and the tenant/role scope of every query.

The role table of DESIGN.md, as SQL: every query over interactions goes through
`scope_interactions`, so a forgotten filter cannot leak another tenant's or agent's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qa_service.db.models import Agent, CalibrationItem, CalibrationSession, Interaction, Role, Team, Tenant, User

# Any select, whatever it returns: the scope only adds WHERE clauses.
AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])

REVIEWERS = (Role.ADMIN, Role.QA)
DISPUTE_RESOLVERS = (Role.ADMIN, Role.QA, Role.SUPERVISOR)
STAFF = (Role.ADMIN, Role.QA, Role.TRAINER, Role.SUPERVISOR)


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as the services need them: tenant, role, and what they are tied to."""

    user_id: int
    tenant_id: int
    role: Role
    agent_ids: tuple[int, ...] = field(default_factory=tuple)  # agent rows linked to this user
    team_ids: tuple[int, ...] = field(default_factory=tuple)  # teams this user supervises

    @property
    def can_review(self) -> bool:
        return self.role in REVIEWERS

    @property
    def can_resolve_disputes(self) -> bool:
        return self.role in DISPUTE_RESOLVERS

    @property
    def sees_evaluations(self) -> bool:
        """Customers score blind in calibration: they never see our evaluations."""
        return self.role != Role.CUSTOMER


def viewer_for(session: Session, user: User) -> Viewer:
    """Build the viewer of `user`, loading the agents and teams they are tied to."""
    agent_ids = tuple(
        session.scalars(select(Agent.id).where(Agent.tenant_id == user.tenant_id, Agent.user_id == user.id))
    )
    team_ids = tuple(
        session.scalars(select(Team.id).where(Team.tenant_id == user.tenant_id, Team.supervisor_id == user.id))
    )
    return Viewer(user.id, user.tenant_id, Role(user.role), agent_ids, team_ids)


def scope_interactions(stmt: AnySelect, viewer: Viewer) -> AnySelect:
    """Restrict a select over `Interaction` to what `viewer` may see."""
    stmt = stmt.where(Interaction.tenant_id == viewer.tenant_id)
    if viewer.role in (Role.ADMIN, Role.QA, Role.TRAINER):
        return stmt
    if viewer.role == Role.SUPERVISOR:
        team_agents = select(Agent.id).where(Agent.tenant_id == viewer.tenant_id, Agent.team_id.in_(viewer.team_ids))
        return stmt.where(Interaction.agent_id.in_(team_agents))
    if viewer.role == Role.AGENT:
        return stmt.where(Interaction.agent_id.in_(viewer.agent_ids))
    # Customer reviewers: only the interactions put into calibration sessions of their airline.
    calibration = (
        select(CalibrationItem.interaction_id)
        .join(CalibrationSession, CalibrationSession.id == CalibrationItem.session_id)
        .where(CalibrationSession.tenant_id == viewer.tenant_id)
    )
    return stmt.where(Interaction.id.in_(calibration))


def visible_interaction(session: Session, viewer: Viewer, interaction_id: int) -> Interaction | None:
    """The interaction if `viewer` may see it, else None (the caller answers 404, not 403)."""
    stmt = scope_interactions(select(Interaction).where(Interaction.id == interaction_id), viewer)
    return session.scalar(stmt)


def own_tenant(session: Session, viewer: Viewer) -> Tenant:
    """The viewer's own tenant: what pages read its time zone and settings from."""
    return session.get_one(Tenant, viewer.tenant_id)


def tenant_of_user(session: Session, user: User) -> Tenant | None:
    """The tenant of a signed-in user (None only if it vanished under them)."""
    return session.get(Tenant, user.tenant_id)


def user_by_id(session: Session, user_id: int) -> User | None:
    """The user a session cookie names, whatever their state: the caller checks it is still valid."""
    return session.get(User, user_id)
