"""Who may read which report, and the tenant's zone and settings the reports are computed in."""

from __future__ import annotations

from dataclasses import (
    dataclass,
    field,
)
from datetime import (
    date,
)
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from qa_service.core.errors import UserFacingError
from qa_service.core.reports.periods import period_bounds
from qa_service.core.tenant_settings import TenantSettings
from qa_service.db.models import Agent, Interaction, Role, Team, Tenant
from qa_service.services.access import AnySelect, Viewer
from qa_service.services.calibration.blind import (
    blind_interactions,
)
from qa_service.services.reports.tables import (
    QUALITY,
)

# DESIGN.md's role table: reports are for the airline's reviewer, the admins, QA and supervisors.
REPORT_READERS = (Role.ADMIN, Role.QA, Role.SUPERVISOR, Role.CUSTOMER)
SIGNERS = (Role.CUSTOMER,)


@dataclass(frozen=True)
class ReportScope:
    """The rows a report covers: a tenant, optionally only some teams or one agent."""

    tenant_id: int
    team_ids: tuple[int, ...] | None = None  # None: every team
    agent_id: int | None = None
    # The interactions the reader still scores blind in a calibration session (a subquery of
    # ids): every figure derived from scores leaves them out (`calibration_blind`).
    hidden: Any = field(default=None, compare=False)

    def agent_filter(self, column: Any) -> ColumnElement[bool] | None:
        """A WHERE clause restricting `column` (an agent id) to this scope, or None for the whole tenant."""
        if self.agent_id is not None:
            return column == self.agent_id
        if self.team_ids is not None:
            team_agents = select(Agent.id).where(Agent.tenant_id == self.tenant_id, Agent.team_id.in_(self.team_ids))
            return column.in_(team_agents)
        return None

    def apply(self, stmt: AnySelect, column: Any) -> AnySelect:
        clause = self.agent_filter(column)
        return stmt if clause is None else stmt.where(clause)

    def visible_filter(self, column: Any) -> ColumnElement[bool] | None:
        """A WHERE clause leaving out the interactions the reader scores blind (`column`: an interaction id)."""
        return None if self.hidden is None else column.not_in(self.hidden)

    @property
    def is_whole_tenant(self) -> bool:
        return self.team_ids is None and self.agent_id is None


class ScopeNotFound(UserFacingError):
    """A team or agent that is not the viewer's to ask for: the UI answers 404, as for another tenant's."""


def scope_for(
    session: Session, viewer: Viewer, *, team_id: int | None = None, agent_id: int | None = None, quality: bool
) -> ReportScope:
    """The scope `viewer` may read; supervisors see their own teams in the quality report."""
    if viewer.role not in REPORT_READERS:
        raise UserFacingError("отчёты недоступны для вашей роли", "reports are not available to your role")
    if agent_id is not None:
        agent = session.get(Agent, agent_id)
        if agent is None or agent.tenant_id != viewer.tenant_id:
            raise ScopeNotFound("оператор не найден", "agent not found")
    team_ids: tuple[int, ...] | None = (team_id,) if team_id is not None else None
    if team_id is not None:
        team = session.get(Team, team_id)
        # Another tenant's team, or (in the quality report) a team not the supervisor's own: not
        # found, never an empty report that confirms the id exists somewhere.
        if team is None or team.tenant_id != viewer.tenant_id or (
            quality and viewer.role == Role.SUPERVISOR and team_id not in viewer.team_ids
        ):
            raise ScopeNotFound("группа не найдена", "team not found")
    if quality and viewer.role == Role.SUPERVISOR:
        own = viewer.team_ids
        team_ids = tuple(t for t in (team_ids or own) if t in own)
        if agent_id is not None:
            agent = session.get_one(Agent, agent_id)
            if agent.team_id not in own:
                raise ScopeNotFound("оператор не найден", "agent not found")
    return ReportScope(viewer.tenant_id, team_ids, agent_id, hidden=blind_interactions(viewer))


def tenant_by_slug(session: Session, slug: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise UserFacingError(f"арендатор {slug!r} не найден", f"tenant {slug!r} not found")
    return tenant


def settings_of(tenant: Tenant) -> TenantSettings:
    """The tenant's settings; the zone from the settings document, else the tenant row's column."""
    document = dict(tenant.settings or {})
    document.setdefault("timezone", tenant.timezone or "Europe/Moscow")
    return TenantSettings.from_mapping(document)


def select_teams(tenant_id: int, viewer: Any) -> Any:
    stmt = select(Team.id, Team.name).where(Team.tenant_id == tenant_id).order_by(Team.name)
    if viewer.role == Role.SUPERVISOR:
        stmt = stmt.where(Team.id.in_(viewer.team_ids))
    return stmt


def select_agents(tenant_id: int, viewer: Any, kind: str) -> Any:
    stmt = select(Agent.id, Agent.name, Agent.external_id).where(Agent.tenant_id == tenant_id).order_by(Agent.name)
    if viewer.role == Role.SUPERVISOR and kind == QUALITY:  # the operational report names every agent of the tenant
        stmt = stmt.where(Agent.team_id.in_(viewer.team_ids))
    return stmt


def filter_options(session: Session, tenant_id: int, viewer: Any, kind: str) -> tuple[list[Any], list[Any]]:
    """The teams and agents a viewer may pick on a report page (a supervisor: their own teams)."""
    return (list(session.execute(select_teams(tenant_id, viewer)).all()),
            list(session.execute(select_agents(tenant_id, viewer, kind)).all()))


def hidden_in_period(session: Session, scope: ReportScope, first: date, last: date) -> int:
    """How many scored interactions of the local days `first`..`last` the reader's figures leave out (blind)."""
    if scope.hidden is None:
        return 0
    tenant = session.get_one(Tenant, scope.tenant_id)
    start, end = period_bounds(first, last, settings_of(tenant).zone)
    stmt = select(func.count()).select_from(Interaction).where(
        Interaction.tenant_id == scope.tenant_id, Interaction.started_at >= start, Interaction.started_at < end,
        Interaction.id.in_(scope.hidden),
    )
    return int(session.scalar(scope.apply(stmt, Interaction.agent_id)) or 0)
