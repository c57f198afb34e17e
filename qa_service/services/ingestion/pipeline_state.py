"""Visible pipeline failures: after its last retry a step leaves its reason on the interaction."""

from __future__ import annotations

import logging

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.core.redaction import redact
from qa_service.db.models import Interaction, ProcessingState
from qa_service.db.session import transaction

log = logging.getLogger(__name__)


def record_failure(settings: Settings, interaction_id: int, *, step: str, error: BaseException) -> None:
    # The message may quote input text: redact it like everything else that is stored.
    # A reason worded for people (Russian first) when there is one; otherwise the error's type and text.
    detail = error.one_line() if isinstance(error, UserFacingError) else f"{type(error).__name__}: {error}"
    reason = redact(f"{step}: {detail}").text[:2000]
    with transaction(settings.sqlalchemy_url) as session:
        row = session.get(Interaction, interaction_id)
        if row is not None and row.state != ProcessingState.SCORED:
            row.state = ProcessingState.FAILED
            row.state_reason = reason
    log.warning("interaction %s failed at %s", interaction_id, step)
