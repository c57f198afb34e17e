"""The columns people type into — reviews, disputes, calibration, coaching, admin forms — never keep a card.

One place per column, not per form: every service, the CLI and the demo seeding write these
through the ORM, so a listener on the attribute sees each value before it is stored, whoever
wrote it.  Only card data goes (`redact_card_data`): a name or a phone in a reviewer's comment
is their work; identifiers the platform sends are tokenized earlier, at ingestion
(`core.redaction.platform_fields`), where a joinable token is needed instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import InstrumentedAttribute

from qa_service.core.redaction import redact_card_data
from qa_service.db.models.audit import AuditLog
from qa_service.db.models.calibration import CalibrationAnswer, CalibrationConsensus, CalibrationSession
from qa_service.db.models.coaching import CoachingMaterial, CoachingTask, TrainingNeed
from qa_service.db.models.connectors import ConnectorConfig
from qa_service.db.models.disputes import Dispute
from qa_service.db.models.evaluations import CriterionAnswer, ReviewComment
from qa_service.db.models.interactions import Interaction
from qa_service.db.models.reports import ReportRun
from qa_service.db.models.tenancy import Agent, Team, Tenant, User

PERSON_WRITTEN: tuple[InstrumentedAttribute[Any], ...] = (
    ReviewComment.text, CriterionAnswer.override_reason, CriterionAnswer.reason,
    Dispute.comment, Dispute.resolution,
    CalibrationSession.title, CalibrationSession.notes, CalibrationAnswer.comment, CalibrationConsensus.note,
    CoachingTask.notes, CoachingTask.session_notes, CoachingMaterial.title, CoachingMaterial.url,
    TrainingNeed.reason,
    Tenant.name, Team.name, User.name, Agent.name,
    ConnectorConfig.name, ConnectorConfig.last_error, ReportRun.error, Interaction.state_reason,
    # Refused with a message where they are typed (core.redaction.refusal); here a backstop for other writers.
    ConnectorConfig.config, Tenant.settings, User.email,
    AuditLog.details,
)


def card_free(value: Any) -> Any:
    """`value` with card data removed from every string in it (dict keys of a JSON value too)."""
    if isinstance(value, str):
        return redact_card_data(value)
    if isinstance(value, dict):
        return {card_free(k): card_free(v) for k, v in value.items()}
    if isinstance(value, list):
        return [card_free(v) for v in value]
    return value


def _on_set(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    return card_free(value)


for _attribute in PERSON_WRITTEN:
    event.listen(_attribute, "set", _on_set, retval=True)
