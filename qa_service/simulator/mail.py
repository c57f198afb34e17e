"""The simulated e-mail threads as real MIME messages, the way Russian mail clients send them.

Encodings rotate over koi8-r (quoted-printable), windows-1251 (base64) and utf-8 (HTML),
replies quote the letter they answer, and attachments are real MIME parts — so the IMAP
connector meets what a contact center's mailbox actually holds.
"""

from __future__ import annotations

import email.charset
from datetime import datetime
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from html import escape
from typing import Any

_STYLES = (("koi8-r", email.charset.QP, "plain"), ("windows-1251", email.charset.BASE64, "plain"),
           ("utf-8", email.charset.QP, "html"))


_KOI8_FALLBACK = str.maketrans({"«": '"', "»": '"', "—": "-", "–": "-", "…": "..."})


def _charset(name: str, encoding: int) -> email.charset.Charset:
    charset = email.charset.Charset(name)
    charset.header_encoding = email.charset.BASE64
    charset.body_encoding = encoding
    return charset


def _body(text: str, style: tuple[str, int, str]) -> MIMEText:
    name, encoding, subtype = style
    # KOI8-R has no typographic quotes or dashes; mail clients fall back to ASCII ones.
    content = text.translate(_KOI8_FALLBACK) if name == "koi8-r" else text
    if subtype == "html":
        paragraphs = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in content.split("\n\n"))
        content = f"<html><body>{paragraphs}</body></html>"
    # typeshed says str, but MIMEText takes a Charset too: that is how the body encoding is chosen.
    return MIMEText(content, subtype, _charset(name, encoding))  # type: ignore[arg-type]


def _quoted(previous: dict[str, Any]) -> str:
    when = datetime.fromisoformat(previous["sent_at"]).strftime("%d.%m.%Y, %H:%M")
    lines = "\n".join(f"> {line}" for line in previous["body"].splitlines())
    return f"\n\n{when}, {previous['name']} <{previous['address']}> пишет:\n{lines}\n"


def thread_messages(thread: dict[str, Any], customer_box: str = "customer") -> list[tuple[str, bytes]]:
    """(author: 'client' | 'operator', raw RFC 822 bytes) of every message of a simulated thread."""
    out: list[tuple[str, bytes]] = []
    references: list[str] = []
    for index, message in enumerate(thread["messages"]):
        style = _STYLES[(index + len(thread["id"])) % len(_STYLES)]
        text = message["body"] + (_quoted(thread["messages"][index - 1]) if index else "")
        body = _body(text, style)
        part: EmailMessage | MIMEMultipart | MIMEText = body
        if message.get("attachments"):
            mixed = MIMEMultipart("mixed")
            mixed.attach(body)
            for attachment in message["attachments"]:
                payload = b"%PDF-1.4\n" + b"0" * max(0, int(attachment["size"]) - 9)
                item = MIMEApplication(payload, _subtype=attachment["type"].split("/")[-1])
                item.add_header("Content-Disposition", "attachment", filename=attachment["name"])
                mixed.attach(item)
            part = mixed
        charset = _charset(style[0], style[1])
        their = thread["messages"][0]["address"] if message["from"] == "operator" else thread["mailbox"]
        part["Message-ID"] = message["id"]
        part["Date"] = format_datetime(datetime.fromisoformat(message["sent_at"]))
        part["From"] = formataddr((message["name"], message["address"]), charset)
        part["To"] = their
        part["Subject"] = email.header.Header(message["subject"], charset).encode()
        if references:
            part["In-Reply-To"] = references[-1]
            part["References"] = " ".join(references)
        if message.get("agent_id"):
            part["X-Agent-Id"] = message["agent_id"]
        references.append(message["id"])
        out.append((message["from"], part.as_bytes().replace(b"\n", b"\r\n")))
    return out
