"""Outgoing e-mail over SMTP: reports, notices and alerts.  Off (a no-op) when no relay is set."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from qa_service.config import ConfigError, Settings

log = logging.getLogger(__name__)

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


def mail_enabled(settings: Settings) -> bool:
    return bool(settings.smtp_url)


def send_mail(
    settings: Settings,
    recipients: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    html: str | None = None,
) -> bool:
    """Send one message to `recipients`; False when mail is off or there is no one to send to.

    Errors from the relay propagate (`smtplib.SMTPException`, `OSError`) so the calling job
    is retried; the message is built completely before the connection opens.
    """
    if not settings.smtp_url or not recipients:
        return False
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    for item in attachments:
        maintype, _, subtype = item.mime_type.partition("/")
        message.add_attachment(item.content, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=item.filename)
    with _connect(settings.smtp_url) as client:
        client.send_message(message)
    log.info("mail sent", extra={"subject": subject, "recipients": len(recipients)})
    return True


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ConfigError(
            f"QA_SMTP_URL: ожидается smtp://, smtp+starttls:// или smtps://хост[:порт], а не {parts.scheme!r}",
            f"QA_SMTP_URL: expected smtp://, smtp+starttls:// or smtps://host[:port], not {parts.scheme!r}",
        )
    port = parts.port or SCHEMES[parts.scheme]
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(parts.hostname, port, timeout=30, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(parts.hostname, port, timeout=30)
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
    if parts.username:
        client.login(unquote(parts.username), unquote(parts.password or ""))
    return client
