"""Outgoing mail against a real SMTP server (aiosmtpd on a loopback port)."""

from __future__ import annotations

import email
import email.header

import pytest
from smtp_inbox import SmtpInbox

from qa_service.config import ConfigError, Settings
from qa_service.services.mail import Attachment, send_mail


def test_a_message_with_an_attachment_reaches_the_server(smtp_server: tuple[str, SmtpInbox]) -> None:
    url, inbox = smtp_server
    settings = Settings(environment="test", smtp_url=url, mail_from="qa@example.test")
    sent = send_mail(settings, ["lead@airline.test"], "Отчёт за день", "Во вложении PDF.",
                     [Attachment("report.pdf", b"%PDF-1.7 test", "application/pdf")])
    assert sent
    [(envelope, message)] = inbox.messages
    assert envelope.rcpt_tos == ["lead@airline.test"]
    assert str(email.header.make_header(email.header.decode_header(message["Subject"]))) == "Отчёт за день"
    parts = [p for p in message.walk() if p.get_filename()]
    assert parts[0].get_filename() == "report.pdf"
    assert parts[0].get_payload(decode=True) == b"%PDF-1.7 test"


def test_mail_is_off_without_a_relay() -> None:
    assert not send_mail(Settings(environment="test"), ["a@b.test"], "s", "b")


def test_a_wrong_scheme_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="QA_SMTP_URL"):
        send_mail(Settings(environment="test", smtp_url="http://mail"), ["a@b.test"], "s", "b")
