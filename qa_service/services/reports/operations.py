"""The operational report's queries: the period's calls, chats, e-mails, sales, statuses and plan."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from qa_service.core.reports.operations import (
    CallRecord,
    Episode,
    OperationsReport,
    SaleRecord,
    TextRecord,
    build_operations,
)
from qa_service.core.reports.periods import hour_starts, period_bounds
from qa_service.core.reports.statuses import HourWindow, StatusChange, segments
from qa_service.db.models import (
    Agent,
    AgentStatusEvent,
    Channel,
    Interaction,
    StaffingEpisode,
    StaffingPlan,
    Tenant,
    Turn,
)
from qa_service.services.agent_names import agent_label
from qa_service.services.reports.scope import ReportScope, settings_of

ANSWERED = "answered"
# A status older than this before the day began is not trusted to still hold: the agent counts as logged out.
STATUS_LOOKBACK = timedelta(days=7)


def agent_labels(session: Session, tenant_id: int) -> dict[int, str]:
    """Agents by name and platform id only (what the airline's reviewer may see)."""
    rows = session.execute(select(Agent.id, Agent.name, Agent.external_id).where(Agent.tenant_id == tenant_id))
    return {row.id: agent_label(row.name, row.external_id) for row in rows}


def _hold_seconds(metrics: dict[str, Any] | None) -> float:
    total = 0.0
    for pair in (metrics or {}).get("holds") or []:
        if isinstance(pair, list | tuple) and len(pair) == 2:
            total += max(0.0, float(pair[1]) - float(pair[0]))
    return total


def _calls(session: Session, scope: ReportScope, start: datetime, end: datetime) -> list[CallRecord]:
    stmt = select(
        Interaction.started_at, Interaction.ended_at, Interaction.direction, Interaction.outcome,
        Interaction.agent_id, Interaction.wait_seconds, Interaction.metrics,
    ).where(
        Interaction.tenant_id == scope.tenant_id, Interaction.channel == Channel.CALL,
        Interaction.started_at >= start, Interaction.started_at < end,
    )
    records = []
    for row in session.execute(scope.apply(stmt, Interaction.agent_id)):
        # Platforms without an outcome still tell us an agent took the call.
        answered = row.outcome == ANSWERED or (row.outcome is None and row.agent_id is not None)
        talk = None
        if answered and row.ended_at is not None:
            talk = max(0.0, (row.ended_at - row.started_at).total_seconds() - (row.wait_seconds or 0.0))
        records.append(CallRecord(
            started_at=row.started_at, inbound=row.direction != "outbound", answered=answered,
            wait_seconds=row.wait_seconds, talk_seconds=talk, hold_seconds=_hold_seconds(row.metrics),
        ))
    return records


def _texts(session: Session, scope: ReportScope, start: datetime, end: datetime) -> list[TextRecord]:
    first_reply = func.min(Turn.at)
    stmt = (
        select(Interaction.channel, Interaction.started_at, first_reply.label("first_reply"))
        .outerjoin(Turn, and_(Turn.interaction_id == Interaction.id, Turn.speaker == "agent"))
        .where(
            Interaction.tenant_id == scope.tenant_id, Interaction.channel.in_([Channel.CHAT, Channel.EMAIL]),
            Interaction.started_at >= start, Interaction.started_at < end,
        )
        .group_by(Interaction.id, Interaction.channel, Interaction.started_at)
    )
    records = []
    for row in session.execute(scope.apply(stmt, Interaction.agent_id)):
        reply = _aware(row.first_reply)
        seconds = None if reply is None else max(0.0, (reply - row.started_at).total_seconds())
        records.append(TextRecord(channel=str(row.channel), started_at=row.started_at, first_reply_seconds=seconds))
    return records


def _aware(value: datetime | str | None) -> datetime | None:
    """MIN() over a timestamp comes back as text and naive on SQLite; stored times are UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _sales(session: Session, scope: ReportScope, start: datetime, end: datetime) -> list[SaleRecord]:
    stmt = select(Interaction.channel, Interaction.started_at, Interaction.sale_amount).where(
        Interaction.tenant_id == scope.tenant_id, Interaction.sale_amount > 0,
        Interaction.started_at >= start, Interaction.started_at < end,
    )
    return [SaleRecord(str(r.channel), r.started_at, float(r.sale_amount))
            for r in session.execute(scope.apply(stmt, Interaction.agent_id))]


def status_changes(
    session: Session, scope: ReportScope, start: datetime, end: datetime, labels: dict[int, str]
) -> tuple[list[StatusChange], dict[str, str]]:
    """Events within [start, end) and each agent's status when the period began."""
    stmt = select(AgentStatusEvent.agent_id, AgentStatusEvent.status, AgentStatusEvent.at).where(
        AgentStatusEvent.tenant_id == scope.tenant_id, AgentStatusEvent.at >= start, AgentStatusEvent.at < end
    )
    changes = [StatusChange(labels.get(r.agent_id, str(r.agent_id)), r.status, r.at)
               for r in session.execute(scope.apply(stmt, AgentStatusEvent.agent_id))]
    latest = (
        select(AgentStatusEvent.agent_id, func.max(AgentStatusEvent.at).label("at"))
        .where(AgentStatusEvent.tenant_id == scope.tenant_id, AgentStatusEvent.at < start,
               AgentStatusEvent.at >= start - STATUS_LOOKBACK)
        .group_by(AgentStatusEvent.agent_id)
    )
    last = scope.apply(latest, AgentStatusEvent.agent_id).subquery()
    initial_rows = session.execute(
        select(AgentStatusEvent.agent_id, AgentStatusEvent.status).join(
            last, and_(last.c.agent_id == AgentStatusEvent.agent_id, last.c.at == AgentStatusEvent.at)
        ).where(AgentStatusEvent.tenant_id == scope.tenant_id)
    )
    initial = {labels.get(r.agent_id, str(r.agent_id)): r.status for r in initial_rows}
    return changes, initial


def planned_agents(session: Session, tenant_id: int, start: datetime, end: datetime) -> dict[datetime, int]:
    """Planned agents per hour start (summed over queues)."""
    rows = session.execute(
        select(StaffingPlan.hour_start, func.sum(StaffingPlan.planned_agents))
        .where(StaffingPlan.tenant_id == tenant_id, StaffingPlan.hour_start >= start, StaffingPlan.hour_start < end)
        .group_by(StaffingPlan.hour_start)
    )
    plan: dict[datetime, int] = defaultdict(int)
    for hour_start, planned in rows:
        plan[hour_start] += int(planned)
    return dict(plan)


def episodes_between(session: Session, tenant_id: int, start: datetime, end: datetime) -> list[Episode]:
    rows = session.scalars(
        select(StaffingEpisode).where(
            StaffingEpisode.tenant_id == tenant_id, StaffingEpisode.started_at < end,
            or_(StaffingEpisode.ended_at.is_(None), StaffingEpisode.ended_at > start),
        ).order_by(StaffingEpisode.started_at)
    )
    return [Episode(r.started_at, r.ended_at, r.lowest, r.required) for r in rows]


def operations_report(
    session: Session, scope: ReportScope, first: date, last: date, now: datetime
) -> OperationsReport:
    """The §3.2 report of the local days `first`..`last` (a day still running is counted up to `now`)."""
    tenant = session.get_one(Tenant, scope.tenant_id)
    tenant_settings = settings_of(tenant)
    zone = tenant_settings.zone
    start, end = period_bounds(first, last, zone)
    until = min(end, max(start, now))
    windows = [HourWindow(h, s, e) for h, s, e in hour_starts(first, last, zone)]
    labels = agent_labels(session, scope.tenant_id)
    changes, initial = status_changes(session, scope, start, until, labels)
    return build_operations(
        first=first, last=last, timezone=tenant_settings.timezone, windows=windows, until=until,
        calls=_calls(session, scope, start, end), texts=_texts(session, scope, start, end),
        sales=_sales(session, scope, start, end), status_segments=segments(changes, initial, start, until),
        planned=planned_agents(session, scope.tenant_id, start, end), min_agents=tenant_settings.min_agents_on_line,
        episodes=episodes_between(session, scope.tenant_id, start, end),
    )
