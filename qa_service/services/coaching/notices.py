"""Coaching notices: new, due-soon and overdue tasks on the home pages, and by e-mail when SMTP is set."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.coaching_modules import module_title
from qa_service.db.models import Agent, CoachingStatus, CoachingTask, Role, Tenant, User
from qa_service.db.session import transaction
from qa_service.services.access import Viewer
from qa_service.services.after_commit import SEND_COACHING_NOTICES, request_job
from qa_service.services.coaching.tasks import list_tasks
from qa_service.services.mail import mail_enabled, send_mail

log = logging.getLogger(__name__)

DUE_SOON = timedelta(days=2)
NEW_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Notice:
    kind: str  # "new" | "due_soon" | "overdue"
    task: CoachingTask
    agent: Agent


def notice_kind(task: CoachingTask, now: datetime) -> str | None:
    if task.status == CoachingStatus.DONE:
        return None
    if task.due_at is not None and task.due_at < now:
        return "overdue"
    if task.due_at is not None and task.due_at - now <= DUE_SOON:
        return "due_soon"
    if task.acknowledged_at is None and now - task.created_at <= NEW_FOR:
        return "new"
    return None


def notices_for(session: Session, viewer: Viewer, now: datetime) -> list[Notice]:
    """What needs attention: an agent's new, due-soon and overdue tasks; a coach's due-soon and overdue ones."""
    notices = []
    for task, agent in list_tasks(session, viewer, open_only=True):
        kind = notice_kind(task, now)
        if kind is None or (kind == "new" and viewer.role != Role.AGENT):
            continue
        notices.append(Notice(kind, task, agent))
    order = {"overdue": 0, "due_soon": 1, "new": 2}
    return sorted(notices, key=lambda n: (order[n.kind], n.task.due_at or now))


_SUBJECTS = {
    "new": ("Новое задание по обучению", "New coaching task"),
    "due_soon": ("Скоро срок задания по обучению", "Coaching task due soon"),
    "overdue": ("Задание по обучению просрочено", "Coaching task overdue"),
}


def _body(kind: str, task: CoachingTask, agent: Agent, zone: str) -> str:

    due = task.due_at.astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y %H:%M") if task.due_at else "—"
    ru, en = _SUBJECTS[kind]
    return (
        f"{ru}: {module_title(task.module)} ({task.module}), оператор {agent.name}, срок {due}.\n"
        f"Откройте раздел «Обучение» в системе контроля качества.\n\n"
        f"{en}: {task.module}, agent {agent.name}, due {due}.\n"
        f"Open the Coaching page of the quality-monitoring service.\n"
    )


def send_coaching_notices(settings: Settings, tenant_id: int, now: datetime) -> int:
    """Mail each new, due-soon and overdue task once (agent; overdue also to the trainer); the count sent."""
    if not mail_enabled(settings):
        return 0
    sent = 0
    with transaction(settings.sqlalchemy_url) as session:
        tenant = session.get_one(Tenant, tenant_id)
        # The job acts for the whole tenant, as an administrator would see it.
        viewer = Viewer(user_id=0, tenant_id=tenant_id, role=Role.ADMIN)
        for task, agent in list_tasks(session, viewer, open_only=True):
            kind = notice_kind(task, now)
            if task.status == CoachingStatus.DONE:
                continue
            pending = {
                "new": task.notified_new_at is None,
                "due_soon": kind == "due_soon" and task.notified_due_soon_at is None,
                "overdue": kind == "overdue" and task.notified_overdue_at is None,
            }
            for notice, due in pending.items():
                if not due:
                    continue
                recipients = [email for email in [
                    _email(session, agent.user_id),
                    _email(session, task.trainer_id) if notice == "overdue" else None,
                ] if email]
                ru, en = _SUBJECTS[notice]
                if send_mail(settings, recipients, f"{ru} / {en}", _body(notice, task, agent, tenant.timezone)):
                    sent += 1
                setattr(task, f"notified_{notice}_at", now)
    log.info("coaching notices sent", extra={"tenant": tenant_id, "count": sent})
    return sent


def _email(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.email if user is not None and user.active else None



def request_coaching_notices(session: Session, settings: Settings, tenant_id: int) -> None:
    """Ask for the tenant's pending notices to be mailed once this transaction commits (new tasks: now)."""
    request_job(session, settings, SEND_COACHING_NOTICES, tenant_id, job_id=f"coaching-notices-{tenant_id}")
