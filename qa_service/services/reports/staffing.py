"""The staffing alert: fewer agents logged in than the contractual minimum or the plan.

`check_staffing` runs every few minutes.  Below the requirement it opens an episode (once),
mails the tenant's supervisors once per episode with when it began and who is logged in,
and keeps the fewest agents seen; back at the requirement it closes the episode.  Episodes
are listed in the day's operational report and shown as a banner to supervisors.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.reports.statuses import LOGGED_OUT
from qa_service.db.models import Agent, AgentStatusEvent, Role, StaffingEpisode, StaffingPlan, Tenant, User
from qa_service.db.session import session_factory, transaction
from qa_service.services.mail import send_mail
from qa_service.services.reports.scope import settings_of

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=2)  # an agent silent for longer is taken as logged out


@dataclass(frozen=True)
class StaffingCheck:
    tenant_id: int
    logged_in: int
    required: int
    episode_id: int | None
    notified: bool


def logged_in_now(session: Session, tenant_id: int, now: datetime) -> list[str]:
    """Names of the agents whose latest status (up to `now`) is anything but logged out."""
    latest = (
        select(AgentStatusEvent.agent_id, func.max(AgentStatusEvent.at).label("at"))
        .where(AgentStatusEvent.tenant_id == tenant_id, AgentStatusEvent.at <= now,
               AgentStatusEvent.at > now - LOOKBACK)
        .group_by(AgentStatusEvent.agent_id)
        .subquery()
    )
    rows = session.execute(
        select(Agent.name, Agent.external_id, AgentStatusEvent.status)
        .join(latest, and_(latest.c.agent_id == AgentStatusEvent.agent_id, latest.c.at == AgentStatusEvent.at))
        .join(Agent, Agent.id == AgentStatusEvent.agent_id)
        .where(AgentStatusEvent.tenant_id == tenant_id)
    )
    return sorted({f"{r.name} ({r.external_id})" for r in rows if r.status != LOGGED_OUT})


def _has_status_feed(session: Session, tenant_id: int, now: datetime) -> bool:
    return session.scalar(
        select(AgentStatusEvent.id).where(AgentStatusEvent.tenant_id == tenant_id, AgentStatusEvent.at <= now,
                                          AgentStatusEvent.at > now - LOOKBACK).limit(1)
    ) is not None


def required_now(session: Session, tenant: Tenant, now: datetime) -> int:
    """The contractual minimum, or the plan for this hour when it asks for more."""
    minimum = settings_of(tenant).min_agents_on_line
    planned = session.scalar(
        select(func.sum(StaffingPlan.planned_agents)).where(
            StaffingPlan.tenant_id == tenant.id, StaffingPlan.hour_start <= now,
            StaffingPlan.hour_start > now - timedelta(hours=1),
        )
    )
    return max(minimum, int(planned or 0))


def open_episode(session: Session, tenant_id: int) -> StaffingEpisode | None:
    return session.scalar(
        select(StaffingEpisode).where(StaffingEpisode.tenant_id == tenant_id, StaffingEpisode.ended_at.is_(None))
        .order_by(StaffingEpisode.started_at.desc()).limit(1)
    )


def _alert_text(tenant: Tenant, episode: StaffingEpisode, names: list[str]) -> tuple[str, str]:
    zone = settings_of(tenant).zone
    started = episode.started_at.astimezone(zone).strftime("%d.%m.%Y %H:%M")
    subject = f"Нехватка операторов / understaffed: {tenant.name}, на линии {episode.lowest} из {episode.required}"
    who = "\n".join(f"  - {name}" for name in names) or "  (никого / nobody)"
    body = (
        f"С {started} ({zone.key}) на линии {episode.lowest} операторов при минимуме {episode.required}.\n"
        f"Since {started} ({zone.key}) {episode.lowest} agents are logged in; {episode.required} are required.\n\n"
        f"Сейчас на линии / logged in now:\n{who}\n"
    )
    return subject, body


def _check_tenant(settings: Settings, tenant_id: int, now: datetime) -> StaffingCheck:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = session.get_one(Tenant, tenant_id)
        if not _has_status_feed(session, tenant.id, now):
            # No status data from the platform is not the same as nobody at work: no alert.
            return StaffingCheck(tenant.id, 0, 0, None, False)
        names = logged_in_now(session, tenant.id, now)
        required = required_now(session, tenant, now)
        episode = open_episode(session, tenant.id)
        if len(names) >= required:
            if episode is not None:
                episode.ended_at, episode.checked_at = now, now
            return StaffingCheck(tenant.id, len(names), required, None, False)
        if episode is None:
            episode = StaffingEpisode(tenant_id=tenant.id, started_at=now, checked_at=now, required=required,
                                      lowest=len(names), logged_in=names)
            session.add(episode)
            session.flush()
        episode.lowest = min(episode.lowest, len(names))
        episode.required = max(episode.required, required)
        episode.checked_at = now
        notified = False
        if episode.notified_at is None:
            recipients = list(session.scalars(select(User.email).where(
                User.tenant_id == tenant.id, User.role == Role.SUPERVISOR, User.active)))
            subject, body = _alert_text(tenant, episode, names)
            # A relay error propagates: the episode is kept un-notified, and the next check mails again.
            if send_mail(settings, recipients, subject, body):
                episode.notified_at = now
                notified = True
        return StaffingCheck(tenant.id, len(names), required, episode.id, notified)


def check_staffing(settings: Settings, now: datetime) -> list[StaffingCheck]:
    """Compare agents logged in with the minimum and the plan for every tenant (see the module docstring)."""
    with session_factory(settings.sqlalchemy_url)() as session:
        tenant_ids = list(session.scalars(select(Tenant.id).order_by(Tenant.id)))
    results = []
    for tenant_id in tenant_ids:
        try:
            results.append(_check_tenant(settings, tenant_id, now))
        except Exception:
            log.exception("staffing check failed", extra={"tenant_id": tenant_id})
            raise
    return results
