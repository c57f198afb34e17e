"""AutoQA scoring: answers every automatic criterion with evidence and a confidence."""

from qa_service.core.scoring.arithmetic import recompute
from qa_service.core.scoring.engine import score_interaction
from qa_service.core.scoring.evidence import CriterionAnswer, Evaluation, Evidence, ScoreSummary
from qa_service.core.scoring.impact import CriterionImpact, ImpactReport, preview_impact

__all__ = [
    "CriterionAnswer",
    "CriterionImpact",
    "Evaluation",
    "Evidence",
    "ImpactReport",
    "ScoreSummary",
    "preview_impact",
    "recompute",
    "score_interaction",
]
