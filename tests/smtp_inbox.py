"""What the test SMTP server received (used by the `smtp_server` fixture in conftest.py)."""

from __future__ import annotations

import email
from email.message import Message

from aiosmtpd.smtp import Envelope, Session


class SmtpInbox:
    """What a real SMTP server (aiosmtpd) received: (envelope, parsed message) pairs."""

    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, Message]] = []

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.messages.append((envelope, email.message_from_bytes(raw)))
        return "250 OK"
