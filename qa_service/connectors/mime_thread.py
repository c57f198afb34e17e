"""E-mail: MIME messages → their own text, threads by Message-ID / In-Reply-To / References → documents.

The standard library's `email` package does the MIME work (quoted-printable, base64,
koi8-r / windows-1251 / utf-8, RFC 2047 headers).  What it does not do is written here:
turning HTML into text without the quoted part, and cutting the quoted history under a
reply so each message is scored on its own words (the signature stays: it is scored).
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from qa_service.connectors.base import PoisonItem, iso

# A real letter nests a few multipart levels (mixed > alternative > related); a forwarded
# chain adds one message/rfc822 per forward.  Far more is a bomb, not correspondence.
MAX_MIME_CONTAINERS = 64
MAX_MESSAGE_BYTES = 25 * 1024 * 1024
_CONTAINER_TYPE = re.compile(rb"content-type:[ \t]*(?:\r?\n[ \t]+)?(?:multipart/|message/rfc822)", re.I)

_REPLY_HEADER = (
    re.compile(r"^\s*-{2,}\s*(original message|исходное сообщение|пересылаемое сообщение|forwarded message)", re.I),
    re.compile(r"^.{0,160}\b(wrote|написал|написала|пишет|писал|писала)\s*:\s*$", re.I),
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(from|от|отправитель)\s*:\s*\*?\s*\S", re.I)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(sent|date|subject|to|отправлено|дата|тема|кому)\s*:", re.I)


def strip_quoted(text: str) -> str:
    """The message's own text: everything above the quoted history, without '>' lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = len(lines)
    for index, line in enumerate(lines):
        if any(p.match(line) for p in _REPLY_HEADER):
            cut = index
            break
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(n) for n in lines[index + 1 : index + 5]):
            cut = index
            break
    own = [line for line in lines[:cut] if not line.lstrip().startswith(">")]
    return "\n".join(own).strip()


class _TextFromHtml(HTMLParser):
    """Visible text of an HTML mail body, minus quoted replies (blockquote, gmail_quote…)."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table", "ul", "ol"})
    _HIDDEN = frozenset({"style", "script", "head", "title", "blockquote"})
    _QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yahoo_quoted", "divrplyfwdmsg")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hides its content)
        # Open tags that hide their content: counted, not searched for, so 50,000 nested
        # <div>s cost linear time rather than a scan of the stack per piece of text.
        self._hiding = 0

    def _hidden(self) -> bool:
        return self._hiding > 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(v or "" for k, v in attrs if k in ("class", "id")).lower()
        hides = tag in self._HIDDEN or any(c in classes for c in self._QUOTE_CLASSES)
        if tag in self._BLOCKS:
            self.parts.append("\n")
        if tag not in ("br", "img", "hr", "meta", "link", "input"):
            self._stack.append((tag, hides))
            self._hiding += hides

    def handle_endtag(self, tag: str) -> None:
        for position in range(len(self._stack) - 1, -1, -1):
            if self._stack[position][0] == tag:
                self._hiding -= sum(hides for _, hides in self._stack[position:])
                del self._stack[position:]
                break
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of an HTML body: block tags become line breaks, quoted parts are dropped."""
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass
class MailMessage:
    """One parsed e-mail: the headers threading needs, its own text and its attachments."""

    message_id: str
    in_reply_to: str | None
    references: list[str]
    date: datetime | None
    from_address: str
    from_name: str
    subject: str
    text: str
    attachments: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def thread_key(self) -> str:
        """The id the thread is known by: its first reference, else what it replies to, else itself."""
        return self.references[0] if self.references else (self.in_reply_to or self.message_id)


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def _part_text(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
    except (LookupError, UnicodeDecodeError, AssertionError):
        content = None
    if isinstance(content, str):
        return content
    # Unknown or lying charset: decode the bytes leniently rather than lose the message.
    payload = part.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else b""
    for charset in (part.get_content_charset(), "utf-8", "windows-1251"):
        try:
            return raw.decode(charset or "utf-8")
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", errors="replace")


def check_message_shape(raw: bytes) -> None:
    """Refuse a message the standard library's recursive parser should not see: too big or too nested.

    `email` parses each nested part with a recursive generator, so a message nested 2,000
    levels deep raises RecursionError at every attempt.  Every level needs a multipart or
    message/rfc822 Content-Type of its own, so counting those bounds the depth before parsing.
    """
    if len(raw) > MAX_MESSAGE_BYTES:
        raise PoisonItem(
            f"письмо {len(raw)} байт больше предела {MAX_MESSAGE_BYTES}",
            f"message of {len(raw)} bytes exceeds the limit of {MAX_MESSAGE_BYTES}",
        )
    containers = len(_CONTAINER_TYPE.findall(raw))
    if containers > MAX_MIME_CONTAINERS:
        raise PoisonItem(
            f"в письме {containers} вложенных MIME-контейнеров (предел {MAX_MIME_CONTAINERS}) — письмо не разобрано",
            f"the message has {containers} nested MIME containers (limit {MAX_MIME_CONTAINERS}) — not parsed",
        )


def parse_message(
    raw: bytes, extra_headers: tuple[str, ...] = ("X-Agent-Id", "X-Priority", "Importance")
) -> MailMessage:
    """Parse one RFC 822 message: own text (plain preferred, else HTML), quoted history removed.

    Raises `PoisonItem` for a message that is too large, too nested or otherwise unparseable.
    """
    check_message_shape(raw)
    try:
        return _parse_message(raw, extra_headers)
    except RecursionError:
        raise PoisonItem("письмо слишком глубоко вложено", "the message is nested too deeply") from None


def _parse_message(raw: bytes, extra_headers: tuple[str, ...]) -> MailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)  # guaranteed by policy.default
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = _part_text(body)
        text = html_to_text(content) if body.get_content_type() == "text/html" else content
    attachments = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        attachments.append({
            "name": part.get_filename() or "(без имени)",
            "size": len(payload) if isinstance(payload, bytes) else 0,
            "type": part.get_content_type(),
        })
    try:
        date = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    if date is not None and date.tzinfo is None:
        date = None  # "-0000" means unknown zone: the server's INTERNALDATE is better
    name, address = (getaddresses([str(message["From"] or "")]) or [("", "")])[0]
    own_id = (_ids(str(message["Message-ID"] or "")) or [""])[0]
    if not own_id:
        # No Message-ID (some web forms): a content hash keeps re-fetches idempotent.
        own_id = f"<{hashlib.sha256(raw).hexdigest()[:32]}@no-message-id>"
    return MailMessage(
        message_id=own_id,
        in_reply_to=next(iter(_ids(str(message["In-Reply-To"] or ""))), None),
        references=_ids(str(message["References"] or "")),
        date=date,
        from_address=address.lower(),
        from_name=name,
        subject=str(message["Subject"] or ""),
        text=strip_quoted(text),
        attachments=attachments,
        headers={h: str(message[h]) for h in extra_headers if message[h] is not None},
    )


def external_id_of(thread_key: str) -> str:
    """The thread key without angle brackets; hashed when longer than the contract allows."""
    bare = thread_key.strip("<>")
    return bare if len(bare) <= 200 else "sha256:" + hashlib.sha256(bare.encode()).hexdigest()


def _urgent(message: MailMessage) -> bool:
    priority = message.headers.get("X-Priority", "")
    return priority.strip().startswith(("1", "2")) or message.headers.get("Importance", "").lower() == "high"


def thread_document(
    messages: list[MailMessage],
    *,
    source: str,
    agent_addresses: tuple[str, ...],
    agent_header: str = "X-Agent-Id",
    queue: str = "email",
    fallback_time: datetime | None = None,
) -> dict[str, Any]:
    """The messages of one thread (any order) → the interaction JSON of an e-mail."""
    agents = {a.lower() for a in agent_addresses}
    fallback = fallback_time.timestamp() if fallback_time else 0.0
    ordered = sorted(messages, key=lambda m: (m.date.timestamp() if m.date else fallback, m.message_id))
    turns, agent_id, agent_name = [], None, None
    for message in ordered:
        speaker = "agent" if message.from_address in agents else "customer"
        turn: dict[str, Any] = {"speaker": speaker, "text": message.text, "subject": message.subject}
        if message.date is not None:
            turn["at"] = iso(message.date)
        turns.append(turn)
        if speaker == "agent" and agent_id is None:
            agent_id = message.headers.get(agent_header) or message.from_name or None
            agent_name = message.from_name or None
    dates = [m.date for m in ordered if m.date is not None] or ([fallback_time] if fallback_time else [])
    if not dates:
        raise ValueError("an e-mail thread without any date")
    document: dict[str, Any] = {
        "external_id": external_id_of(ordered[0].thread_key),
        "source": source,
        "channel": "email",
        "direction": "inbound" if turns[0]["speaker"] == "customer" else "outbound",
        "agent_id": agent_id or "unassigned",
        "queue": queue,
        "started_at": iso(min(dates)),
        "ended_at": iso(max(dates)),
        "turns": turns,
        "meta": {
            "subject": ordered[0].subject,
            "message_ids": [m.message_id for m in ordered],
            "urgent": any(_urgent(m) for m in ordered if m.from_address not in agents),
        },
    }
    if agent_name:
        document["meta"]["agent_name"] = agent_name  # the store shows agents by this name
    if any(t["speaker"] == "agent" for t in turns):
        document["outcome"] = "replied"
    attachments = [{**a, "message_id": m.message_id} for m in ordered for a in m.attachments]
    if attachments:
        document["meta"]["attachments"] = attachments
    return document
