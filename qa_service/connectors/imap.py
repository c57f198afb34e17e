"""IMAP connector: e-mail threads from the contact center's mailbox (standard library `imaplib`).

Configuration (plain dict; `password` is a secret):
  host, username, agent_addresses (required: the contact-center address(es) — messages From
  them are the agent's, all others the customer's), port (993 with ssl, else 143), ssl
  (true), starttls (false), mailboxes (["INBOX"]; add the Sent folder when replies are
  filed there), agent_header ("X-Agent-Id": which agent replied), queue ("email"),
  timeout (30 s), timezone.

The cursor is `{mailbox: [UIDVALIDITY, last UID]}`.  A ref is a thread (its key is the
thread's root Message-ID); a thread that gets a new message is listed again and fetched
whole, so the store should upsert e-mail threads by (source, external_id).
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from qa_service.connectors.base import (
    ConnectorConfigError,
    FetchedInteraction,
    FetchResult,
    ItemRef,
    TransientFetchError,
    config_error,
    dump_cursor,
    load_cursor,
    parse_tz,
    require,
)
from qa_service.connectors.mime_thread import MailMessage, parse_message, thread_document
from qa_service.connectors.sandbox import CONNECT_TIMEOUT_SECONDS, Sandbox

_UID = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapConnector:
    """Reads e-mail threads over IMAP; see the module docstring for settings and cursor."""

    SECRET_KEYS: tuple[str, ...] = ("password",)

    def __init__(self, name: str, config: dict[str, Any], secrets: dict[str, Any] | None = None,
                 sandbox: Sandbox | None = None) -> None:
        self.name = name
        self.host = str(require(config, "host"))
        self.sandbox = sandbox
        self.username = str(require(config, "username"))
        self.password = str((secrets or {}).get("password") or "")
        self.use_ssl = bool(config.get("ssl", True))
        self.starttls = bool(config.get("starttls", False))
        self.port = int(config.get("port") or (993 if self.use_ssl else 143))
        addresses = config.get("agent_addresses") or config.get("agent_address")
        if not addresses:
            raise config_error("agent_addresses", "укажите адрес(а) контакт-центра", "give the contact-center address")
        self.agent_addresses = tuple([addresses] if isinstance(addresses, str) else [str(a) for a in addresses])
        self.mailboxes = [str(m) for m in (config.get("mailboxes") or ["INBOX"])]
        self.agent_header = str(config.get("agent_header", "X-Agent-Id"))
        self.queue = str(config.get("queue", "email"))
        self.timeout = float(config.get("timeout", 30))
        self.tz = parse_tz(config.get("timezone"))
        if sandbox is not None:
            sandbox.check_host(self.host, self.port)
        self._places: dict[str, str] = {}  # thread key → mailbox and UID of its newest message listed

    def describe(self, ref: ItemRef) -> str:
        """Where the thread's newest message is (`INBOX UID 7`), for the quarantine record."""
        return self._places.get(ref.key, ref.key)

    # --- connection ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _session(self) -> Iterator[imaplib.IMAP4]:
        if self.sandbox is not None:  # again on every connection: the name may resolve elsewhere now
            self.sandbox.check_host(self.host, self.port)
        # Connecting and the server's greeting get a short timeout (a port that accepts and stays
        # silent — PostgreSQL's — must not hold the worker); the mailbox commands get `timeout`.
        opening = min(self.timeout, CONNECT_TIMEOUT_SECONDS)
        try:
            if self.use_ssl:
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    self.host, self.port, ssl_context=ssl.create_default_context(), timeout=opening
                )
            else:
                imap = imaplib.IMAP4(self.host, self.port, timeout=opening)
                if self.starttls:
                    imap.starttls(ssl.create_default_context())
            imap.sock.settimeout(self.timeout)
        except (OSError, imaplib.IMAP4.error) as error:
            raise TransientFetchError(f"{self.name}: cannot reach IMAP {self.host}:{self.port}: {error}") from error
        try:
            try:
                imap.login(self.username, self.password)
            except imaplib.IMAP4.abort as error:
                raise TransientFetchError(f"{self.name}: IMAP connection dropped at login: {error}") from error
            except imaplib.IMAP4.error as error:
                raise ConnectorConfigError(
                    f"почтовый сервер отклонил вход коннектора «{self.name}»: {error}",
                    f"the mail server rejected the login of connector '{self.name}': {error}",
                ) from error
            yield imap
        except (OSError, imaplib.IMAP4.abort) as error:
            raise TransientFetchError(f"{self.name}: IMAP failure: {error}") from error
        finally:
            with contextlib.suppress(Exception):
                imap.logout()

    def _select(self, imap: imaplib.IMAP4, mailbox: str) -> int:
        """Open a mailbox read-only; its UIDVALIDITY."""
        status, _ = imap.select(_quote(mailbox), readonly=True)
        if status != "OK":
            raise config_error("mailboxes", f"нет папки {mailbox!r}", f"no mailbox {mailbox!r}")
        _, values = imap.response("UIDVALIDITY")
        return int(values[0]) if values and values[0] else 0

    def _uids(self, imap: imaplib.IMAP4, *criteria: str) -> list[int]:
        status, data = imap.uid("SEARCH", *criteria)
        if status != "OK":
            raise TransientFetchError(f"{self.name}: IMAP SEARCH failed: {data!r}")
        return sorted(int(x) for x in (data[0] or b"").split())

    def _fetch(self, imap: imaplib.IMAP4, uids: list[int], what: str) -> Iterator[tuple[int, bytes, bytes]]:
        """(uid, fetch response line, literal) for each message."""
        if not uids:
            return
        status, data = imap.uid("FETCH", ",".join(str(u) for u in uids), what)
        if status != "OK":
            raise TransientFetchError(f"{self.name}: IMAP FETCH failed: {data!r}")
        for item in data:
            if isinstance(item, tuple):
                match = _UID.search(item[0])
                if match:
                    yield int(match[1]), item[0], item[1]

    # --- listing ---------------------------------------------------------------------------

    def list_new(self, cursor: str | None, limit: int = 500) -> list[ItemRef]:
        """Threads with messages newer than the cursor, one ref per thread, in arrival order."""
        state = load_cursor(cursor)
        progress: dict[str, Any] = dict(state)
        latest: dict[str, ItemRef] = {}
        with self._session() as imap:
            for mailbox in self.mailboxes:
                validity = self._select(imap, mailbox)
                previous = state.get(mailbox)
                last = int(previous[1]) if isinstance(previous, list) and previous[0] == validity else 0
                # "n:*" always matches the newest message even when its UID is below n.
                uids = [u for u in self._uids(imap, "UID", f"{last + 1}:*") if u > last]
                headers = "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID IN-REPLY-TO REFERENCES DATE FROM)])"
                for uid, _, raw in sorted(self._fetch(imap, uids[: limit * 4], headers)):
                    key = parse_message(raw).thread_key
                    if key not in latest and len(latest) >= limit:
                        break
                    progress[mailbox] = [validity, uid]
                    self._places[key] = f"{mailbox} UID {uid}"
                    # A thread listed again moves to its newest message: its ref then covers all before it.
                    latest.pop(key, None)
                    latest[key] = ItemRef("email", key, dump_cursor(progress))
                else:
                    continue
                break
        return list(latest.values())

    # --- fetching --------------------------------------------------------------------------

    def fetch(self, ref: ItemRef) -> FetchResult:
        """The whole thread `ref.key` from every configured mailbox, as one e-mail document."""
        key = ref.key
        found: dict[str, MailMessage] = {}
        fallback: datetime | None = None
        with self._session() as imap:
            for mailbox in self.mailboxes:
                self._select(imap, mailbox)
                quoted = _quote(key)
                uids = self._uids(imap, "OR", "OR", "HEADER", "Message-ID", quoted, "HEADER", "References", quoted,
                                  "HEADER", "In-Reply-To", quoted)
                for _, line, raw in self._fetch(imap, uids, "(UID INTERNALDATE BODY.PEEK[])"):
                    message = parse_message(raw, (self.agent_header, "X-Priority", "Importance"))
                    if message.date is None:
                        message.date = _internal_date(line)
                    if message.thread_key == key or message.message_id == key:
                        found.setdefault(message.message_id, message)  # the same letter in INBOX and Sent
                        fallback = fallback or message.date
        if not found:
            raise TransientFetchError(f"{self.name}: thread {key} not found in {', '.join(self.mailboxes)}")
        document = thread_document(
            list(found.values()),
            source=self.name,
            agent_addresses=self.agent_addresses,
            agent_header=self.agent_header,
            queue=self.queue,
            fallback_time=fallback,
        )
        return FetchedInteraction(document)


def _internal_date(line: bytes) -> datetime | None:
    match = _INTERNALDATE.search(line)
    if not match:
        return None
    try:
        return datetime.strptime(match[1].decode(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        with contextlib.suppress(TypeError, ValueError):
            return parsedate_to_datetime(match[1].decode())
        return None
