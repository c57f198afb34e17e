"""What the test SMTP server received (used by the `smtp_server` fixture in conftest.py)."""

from __future__ import annotations

import email
from email.message import Message

from aiosmtpd.smtp import Envelope, Session


class SmtpInbox:
    """What a real SMTP server (aiosmtpd) received: (envelope, parsed message) pairs."""

    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, Message]] = []
        self.refuse_next = 0  # how many deliveries to refuse, as a relay does when it is overloaded
        self.refused = 0

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        if self.refuse_next > 0:
            self.refuse_next -= 1
            self.refused += 1
            return "451 4.3.2 System not accepting network messages, try again later"
        raw = envelope.original_content or b""
        self.messages.append((envelope, email.message_from_bytes(raw)))
        return "250 OK"
