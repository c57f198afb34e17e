"""Invitation e-mails of a calibration session, sent by an RQ job after the session is committed.

The job (`jobs.send_calibration_invitations`) takes the session id; the link in the mail is
built from `Settings.public_url` (`QA_PUBLIC_URL`).  Each participant is mailed once
(`notified_at`); when the relay refuses anyone, the ones sent are kept and the job fails so RQ
retries the rest with its backoff.  The
invitation shows in the app (nav badge) whatever the mail does.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.db.models import CalibrationParticipant, CalibrationSession, User
from qa_service.db.session import transaction
from qa_service.services.after_commit import SEND_CALIBRATION_INVITATIONS, request_job
from qa_service.services.calibration.sessions import local_due
from qa_service.services.mail import send_mail

log = logging.getLogger(__name__)


class InvitationsNotSent(RuntimeError):
    """The relay refused some invitations: the job fails so RQ retries it."""


@dataclass(frozen=True)
class InvitationResult:
    sent: int
    failed: int


def notify_participants(settings: Settings, session: Session, calibration: CalibrationSession,
                        link: str) -> InvitationResult:
    """E-mail the invited who were not yet told (when SMTP is configured)."""
    if not settings.smtp_url:
        return InvitationResult(0, 0)
    rows = session.execute(
        select(CalibrationParticipant, User).join(User, User.id == CalibrationParticipant.user_id)
        .where(CalibrationParticipant.session_id == calibration.id, CalibrationParticipant.notified_at.is_(None))
    ).all()
    due = local_due(session, calibration)
    sent = failed = 0
    for participant, user in rows:
        body = (f"Вас пригласили в сессию калибровки «{calibration.title}». Срок: {due}.\n"
                f"Оцените взаимодействия вслепую: {link}\n\n"
                f"You are invited to the calibration session “{calibration.title}”. Deadline: {due}.\n"
                f"Score the interactions blind: {link}\n")
        try:
            send_mail(settings, [user.email], f"Калибровка / Calibration: {calibration.title}", body)
        except (smtplib.SMTPException, OSError) as error:
            log.warning("calibration invitation not sent", extra={"session": calibration.id, "error": str(error)})
            failed += 1
            continue
        participant.notified_at = datetime.now(UTC)
        sent += 1
    return InvitationResult(sent, failed)


def session_link(settings: Settings, calibration_id: int) -> str:
    return f"{settings.public_url}/calibration/{calibration_id}"


def send_invitations(settings: Settings, calibration_id: int) -> InvitationResult:
    """The job's body: mail who is not yet told; raise after committing the sent ones if any failed."""
    with transaction(settings.sqlalchemy_url) as session:
        calibration = session.get(CalibrationSession, calibration_id)
        if calibration is None:
            return InvitationResult(0, 0)
        result = notify_participants(settings, session, calibration, session_link(settings, calibration_id))
    if result.failed:
        raise InvitationsNotSent(f"{result.failed} invitation(s) of calibration session {calibration_id} not sent")
    return result


def request_invitations(session: Session, settings: Settings, calibration_id: int) -> None:
    """Ask for the invitation e-mails: the job is sent once the session's creation commits."""
    request_job(session, settings, SEND_CALIBRATION_INVITATIONS, calibration_id,
                job_id=f"calibration-invitations-{calibration_id}")
