"""A real Dovecot (Debian's dovecot-imapd) on a free loopback port, for the IMAP tests.

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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

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


@contextmanager
def running_dovecot(root: Path) -> Iterator[Dovecot]:
    """Dovecot serving a fresh, empty mailbox for `USER` until the block ends (`root`: its config and log)."""
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if binary is None:
        message = "dovecot is not installed (Debian package dovecot-imapd)"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the IMAP tests", pytrace=False)
        pytest.skip(f"{message}; install it to run this test")
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


def append(port: int, messages: list[tuple[str, bytes]]) -> None:
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
