"""Invitation e-mails go out from an RQ job after the session is committed; RQ retries the job
while the relay refuses (real Redis, a real SimpleWorker in burst mode, a real SMTP server)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from aiosmtpd.smtp import Session as SmtpSession
from factories import World, build_world, sign_in
from rq import Queue
from rq.registry import FailedJobRegistry
from smtp_inbox import SmtpInbox
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import CalibrationParticipant
from qa_service.db.session import transaction
from qa_service.jobs import TEXT_QUEUE, redis_connection, run_worker, using_settings
from qa_service.web import create_app

pytestmark = pytest.mark.redis


class RefusingAtFirst(SmtpInbox):
    """A relay that answers 451 (try again later) to the first `refuse` messages."""

    def __init__(self, refuse: int) -> None:
        super().__init__()
        self.refuse = refuse

    async def handle_DATA(self, server: object, session: SmtpSession, envelope: Envelope) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def flaky_relay() -> Iterator[tuple[str, RefusingAtFirst]]:
    inbox = RefusingAtFirst(refuse=1)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def _create(settings: Settings, world: World) -> int:
    client = create_app(settings).test_client()
    token = sign_in(client, world.emails["admin"])
    response = client.post("/calibration", data={
        "csrf_token": token, "title": "Приглашения", "rule": "manual", "ids": str(world.chat_id),
        "participants": [str(world.users["qa"]), str(world.users["customer"])],
    })
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _notified(settings: Settings, session_id: int) -> list[Any]:
    with transaction(settings.sqlalchemy_url) as session:
        return list(session.scalars(select(CalibrationParticipant.notified_at).where(
            CalibrationParticipant.session_id == session_id)))


def test_invitations_are_a_job_retried_while_the_relay_refuses(
    settings: Settings, redis_url: str, flaky_relay: tuple[str, RefusingAtFirst],
) -> None:
    url, inbox = flaky_relay
    # One retry, at once (interval 0): the burst worker runs the retry in the same pass.
    settings = replace(settings, smtp_url=url, redis_url=redis_url, job_retries=1, retry_intervals=(0,))
    world = build_world(settings, with_audio=False)
    session_id = _create(settings, world)
    # Nothing was sent inside the request: the job waits on the queue.
    queue = Queue(TEXT_QUEUE, connection=redis_connection(redis_url))
    assert queue.count == 1 and inbox.messages == []
    assert all(n is None for n in _notified(settings, session_id))
    with using_settings(settings):
        run_worker(settings, [TEXT_QUEUE], burst=True)
    # First run: one invitation refused (451), the other sent; the retry sends the refused one only.
    assert sorted(m["To"] for _e, m in inbox.messages) == sorted([world.emails["qa"], world.emails["customer"]])
    assert all(n is not None for n in _notified(settings, session_id))
    assert FailedJobRegistry(TEXT_QUEUE, connection=redis_connection(redis_url)).count == 0
    assert f"/calibration/{session_id}" in inbox.messages[0][1].get_payload(decode=True).decode("utf-8")
