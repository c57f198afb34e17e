"""The IMAP connector against a real Dovecot (Debian's dovecot-imapd) on a free loopback port.

How Dovecot is run (a throwaway configuration, root or not) is in `tests/dovecot_server.py`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dovecot_server import PASSWORD, USER, Dovecot, append, running_dovecot

from qa_service.connectors.base import ConnectorConfigError, FetchedInteraction
from qa_service.connectors.factory import build_connector
from qa_service.connectors.imap import ImapConnector
from qa_service.core.interaction import validate_interaction
from qa_service.simulator.data import MAILBOX, generate
from qa_service.simulator.mail import thread_messages

pytestmark = pytest.mark.imap


@pytest.fixture(scope="module")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dovecot]:
    with running_dovecot(tmp_path_factory.mktemp("dovecot")) as server:
        yield server


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
    append(dovecot.port, [m for t in data.emails for m in thread_messages(t) if m != held_back])

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
    append(dovecot.port, [held_back])
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
