"""Work that may happen only once a transaction has committed: enqueueing jobs, spooling raw audio.

A service asks for follow-up work *inside* its transaction (`request_job`, `after_commit`);
the work is collected on the SQLAlchemy session and run by the session's `after_commit`
event, or dropped by a rollback.  So a worker never sees an id whose row is not there yet,
and a rolled-back store leaves no job and no raw recording behind — by construction, not
by every caller remembering to enqueue after its `with transaction()` block (Warehouse's
`warehouse/tasks.py` does the same).

Services may not import RQ or `qa_service.jobs`; a job is requested by the name of its
function, and `qa_service.jobs.install(settings)` (called by every entry point) installs the
sender that turns the request into an RQ job (or, without Redis, runs it right away in the
caller's process).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from qa_service.config import Settings

log = logging.getLogger(__name__)

_PENDING = "qa_after_commit"

_FAILED = "qa_after_commit_failed"

# Names of the job functions in `qa_service.jobs` that services ask for.
TRANSCRIBE = "transcribe_interaction"
SCORE = "score_interaction"
INGEST_CONNECTOR = "ingest_connector"
SEND_CALIBRATION_INVITATIONS = "send_calibration_invitations"
SEND_COACHING_NOTICES = "send_coaching_notices"


@dataclass(frozen=True)
class JobRequest:
    """A job to start once the transaction commits: `jobs.<name>(*args)`, one in flight per `job_id`."""

    name: str
    args: tuple[int | str, ...]
    job_id: str


Sender = Callable[[Settings, JobRequest], None]
_sender: list[Sender] = []


def install_sender(sender: Sender) -> None:
    """Called by `qa_service.jobs.install(settings)`, which every entry point calls."""
    _sender[:] = [sender]


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` after `session`'s transaction commits; forget it if the transaction rolls back."""
    if not session.in_transaction():
        # Begun now, so the action belongs to this transaction and a rollback before any SQL drops it.
        session.begin()
    session.info.setdefault(_PENDING, []).append(action)


def request_job(session: Session, settings: Settings, name: str, *args: int | str, job_id: str) -> None:
    """Start job `name(*args)` once `session` commits (deterministic `job_id`: one job in flight per id)."""
    request = JobRequest(name, tuple(args), job_id)

    def send() -> None:
        if not _sender:
            raise RuntimeError(f"no job sender installed for {name}: the entry point must call jobs.install(settings)")
        _sender[0](settings, request)

    after_commit(session, send)


@event.listens_for(Session, "after_commit")
def _run_pending(session: Session) -> None:
    actions: list[Callable[[], None]] = session.info.pop(_PENDING, [])
    first_error: BaseException | None = None
    for action in actions:
        # Every action runs even if an earlier one failed: one bad in-process job must not keep
        # the other interactions of a batch from being queued.
        try:
            action()
        except Exception as error:
            log.exception("after-commit action failed")
            first_error = first_error or error
    if first_error is not None:
        # Marked, so that the entry point can tell a failed follow-up (the data is committed) from a failed commit.
        session.info[_FAILED] = first_error
        raise first_error


def committed_but_failed(session: Session, error: BaseException) -> bool:
    """Whether `error`, raised by `session.commit()`, came from an after-commit action (the commit itself held)."""
    return session.info.pop(_FAILED, None) is error


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    # A rolled-back savepoint leaves the outer transaction (and what it asked for) alive.
    if previous_transaction.nested:
        return
    dropped = session.info.pop(_PENDING, [])
    if dropped:
        log.info("transaction rolled back: %d after-commit action(s) dropped", len(dropped))
