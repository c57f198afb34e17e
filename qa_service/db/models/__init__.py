"""All models, importable from one place (Alembic autogenerate needs them registered)."""

from qa_service.db.models.audit import AuditLog
from qa_service.db.models.base import Base
from qa_service.db.models.calibration import (
    CalibrationAnswer,
    CalibrationConsensus,
    CalibrationItem,
    CalibrationParticipant,
    CalibrationSession,
)
from qa_service.db.models.cases import Case, CaseContact, CaseKey, TransactionEvent
from qa_service.db.models.coaching import (
    CoachingFormat,
    CoachingMaterial,
    CoachingStatus,
    CoachingTask,
    NeedRule,
    TrainingNeed,
)
from qa_service.db.models.connectors import ConnectorConfig, ConnectorCursor
from qa_service.db.models.disputes import Dispute, DisputeStatus
from qa_service.db.models.evaluations import (
    CriterionAnswer,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    EvaluationVersion,
    ReviewComment,
)
from qa_service.db.models.interactions import (
    AgentStatusEvent,
    Channel,
    Interaction,
    ProcessingState,
    Recording,
    StaffingPlan,
    Turn,
)
from qa_service.db.models.reports import ReportRun
from qa_service.db.models.rubrics import Rubric, RubricVersion
from qa_service.db.models.sampling import ReviewAssignment, SamplingRule
from qa_service.db.models.search import TopicSnapshot, Tracker, TrackerMatch
from qa_service.db.models.staffing import StaffingEpisode
from qa_service.db.models.tenancy import Agent, Role, Team, Tenant, User
from qa_service.db.models.trust import CriterionTrust

# Registers the card-data listeners on the person-written columns (after every model is defined).
from qa_service.db.models import card_free  # noqa: F401  isort: skip

__all__ = [
    "Agent",
    "AgentStatusEvent",
    "AuditLog",
    "Base",
    "CalibrationAnswer",
    "CalibrationConsensus",
    "CalibrationItem",
    "CalibrationParticipant",
    "CalibrationSession",
    "Case",
    "CaseContact",
    "CaseKey",
    "Channel",
    "CoachingFormat",
    "CoachingMaterial",
    "CoachingStatus",
    "CoachingTask",
    "ConnectorConfig",
    "ConnectorCursor",
    "CriterionAnswer",
    "CriterionTrust",
    "Dispute",
    "DisputeStatus",
    "Evaluation",
    "EvaluationKind",
    "EvaluationStatus",
    "EvaluationVersion",
    "Interaction",
    "NeedRule",
    "ProcessingState",
    "Recording",
    "ReportRun",
    "ReviewAssignment",
    "ReviewComment",
    "Role",
    "Rubric",
    "RubricVersion",
    "SamplingRule",
    "StaffingEpisode",
    "StaffingPlan",
    "Team",
    "Tenant",
    "TopicSnapshot",
    "Tracker",
    "TrackerMatch",
    "TrainingNeed",
    "TransactionEvent",
    "Turn",
    "User",
]
