"""The IMAP connector against a real Dovecot (Debian's dovecot-imapd) on a free loopback port.

Dovecot runs in the foreground with a throwaway configuration: ssl off, plaintext login on
loopback, a static passdb/userdb.  Dovecot refuses to run mail processes as root, so when
the tests run as root the mail belongs to the `dovecot` user; its base_dir and mail dir
then live in a world-traversable temporary directory (pytest's tmp_path is 0700 root and
the unprivileged dovecot processes could not enter it).  Locally a missing dovecot binary
skips with the reason; in CI (`CI=true`) it fails.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qa_service.connectors.base import ConnectorConfigError, FetchedInteraction, build_connector
from qa_service.connectors.imap import ImapConnector
from qa_service.core.interaction import validate_interaction
from qa_service.simulator.data import MAILBOX, generate
from qa_service.simulator.mail import thread_messages

pytestmark = pytest.mark.imap

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PASSWORD = "throwaway-secret"
USER = "support"


@dataclass
class Dovecot:
    port: int
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(root: Path, data: Path, port: int) -> str:
    if os.geteuid() == 0:
        users = "default_internal_user = dovecot\ndefault_login_user = dovenull\n"
        users += "mail_uid = dovecot\nmail_gid = dovecot\n"
        users += f"first_valid_uid = {pwd.getpwnam('dovecot').pw_uid}\n"
        userdb_args = f"home={data}/home/%u"
    else:
        me = pwd.getpwuid(os.getuid())
        users = f"default_internal_user = {me.pw_name}\ndefault_login_user = {me.pw_name}\n"
        users += f"first_valid_uid = {me.pw_uid}\n"
        userdb_args = f"uid={me.pw_uid} gid={me.pw_gid} home={data}/home/%u"
    return f"""
base_dir = {data}/run
state_dir = {data}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{data}/mail/%u
{users}
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = {userdb_args}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@pytest.fixture(scope="module")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dovecot]:
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if binary is None:
        message = "dovecot is not installed (Debian package dovecot-imapd)"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the IMAP tests", pytrace=False)
        pytest.skip(f"{message}; install it to run this test")
    root = tmp_path_factory.mktemp("dovecot")
    data = Path(tempfile.mkdtemp(prefix="qa-dovecot-")) if os.geteuid() == 0 else root
    data.chmod(0o755)
    for sub in ("run", "state", "mail", "home"):
        (data / sub).mkdir()
    if os.geteuid() == 0:
        dovecot_user = pwd.getpwnam("dovecot")
        for sub in ("mail", "home"):
            os.chown(data / sub, dovecot_user.pw_uid, dovecot_user.pw_gid)
    port = _free_port()
    config = root / "dovecot.conf"
    config.write_text(_config(root, data, port), "utf-8")
    process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                pytest.fail(f"dovecot exited: {output} {(root / 'dovecot.log').read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield Dovecot(port=port, log=root / "dovecot.log")
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
        if data != root:
            shutil.rmtree(data, ignore_errors=True)


def _append(port: int, messages: list[tuple[str, bytes]]) -> None:
    """Customer letters go to INBOX, the agents' replies to Sent, as a mail client files them."""
    imap = imaplib.IMAP4("127.0.0.1", port, timeout=10)
    try:
        imap.login(USER, PASSWORD)
        imap.create("Sent")  # "already exists" on later calls is fine
        for author, raw in messages:
            status, detail = imap.append("Sent" if author == "operator" else "INBOX", None, None, raw)
            assert status == "OK", detail
    finally:
        imap.logout()


def _connector(port: int, password: str = PASSWORD) -> ImapConnector:
    config = {"host": "127.0.0.1", "port": port, "ssl": False, "username": USER, "mailboxes": ["INBOX", "Sent"],
              "agent_addresses": [MAILBOX], "timeout": 10}
    built = build_connector("imap", "mailbox", config, {"password": password})
    assert isinstance(built, ImapConnector)
    return built


def test_threads_from_a_real_mailbox(dovecot: Dovecot) -> None:
    data = generate(seed=11, calls=0, chats=0, emails=4)
    threads = {t["id"]: t for t in data.emails}
    # One thread's last letter (the customer's thanks) is held back to arrive later.
    growing = next(t for t in data.emails if len(t["messages"]) == 3)
    held_back = thread_messages(growing)[-1]
    _append(dovecot.port, [m for t in data.emails for m in thread_messages(t) if m != held_back])

    conn = _connector(dovecot.port)
    refs = conn.list_new(None)
    expected_keys = {t["messages"][0]["id"] for t in data.emails}
    assert {r.key for r in refs} == expected_keys
    assert len(refs) == len(expected_keys)

    documents = {}
    for ref in refs:
        result = conn.fetch(ref)
        assert isinstance(result, FetchedInteraction)
        validate_interaction(result.document)
        documents[ref.key] = result.document
    for thread in threads.values():
        doc = documents[thread["messages"][0]["id"]]
        assert doc["external_id"] == thread["messages"][0]["id"].strip("<>")
        sent = thread["messages"][:-1] if thread is growing else thread["messages"]
        speakers = ["agent" if m["from"] == "operator" else "customer" for m in sent]
        assert [t["speaker"] for t in doc["turns"]] == speakers
        if "agent" in speakers:
            reply = next(m for m in thread["messages"] if m["from"] == "operator")
            assert doc["agent_id"] == reply["agent_id"] and doc["outcome"] == "replied"
            agent_text = next(t["text"] for t in doc["turns"] if t["speaker"] == "agent")
            # The agent's own words in Russian, decoded; the quoted letter below them is gone.
            assert agent_text.splitlines()[0] == reply["body"].splitlines()[0]
            assert "пишет:" not in agent_text
        assert doc["turns"][0]["text"].startswith("Здравствуйте!")

    # Nothing new: nothing listed.  A follow-up arrives: only its thread is listed again, whole.
    cursor = refs[-1].cursor_after
    assert conn.list_new(cursor) == []
    _append(dovecot.port, [held_back])
    again = conn.list_new(cursor)
    assert [r.key for r in again] == [growing["messages"][0]["id"]]
    grown = conn.fetch(again[0])
    assert isinstance(grown, FetchedInteraction)
    assert [t["text"] for t in grown.document["turns"]][-1] == "Спасибо за ответ!"
    assert len(grown.document["turns"]) == 3


def test_limit_and_resume(dovecot: Dovecot) -> None:
    conn = _connector(dovecot.port)
    everything = conn.list_new(None)
    first = conn.list_new(None, limit=2)
    assert len(first) == 2
    rest = conn.list_new(first[-1].cursor_after)
    assert {r.key for r in first} | {r.key for r in rest} == {r.key for r in everything}


def test_wrong_password_is_a_configuration_error(dovecot: Dovecot) -> None:
    with pytest.raises(ConnectorConfigError, match="отклонил вход"):
        _connector(dovecot.port, password="wrong").list_new(None)
    assert ImapConnector.SECRET_KEYS == ("password",)
