"""What the engine returns: answers with evidence, and the evaluation of one interaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Answer = str | float | None  # "yes" / "no" / "na", a number for scaled criteria, None = awaits a human


@dataclass(frozen=True)
class Evidence:
    """Where an answer comes from: a turn, its time span (calls) or send time (chat/e-mail)."""

    turn: int | None
    start: float | None
    end: float | None
    quote: str
    at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"turn": self.turn, "start": self.start, "end": self.end, "quote": self.quote}
        if self.at is not None:
            out["at"] = self.at.isoformat()
        return out


@dataclass(frozen=True)
class Outcome:
    """An answerer's verdict before points are attached."""

    answer: Answer
    confidence: float | None
    reason: str
    evidence: tuple[Evidence, ...] = ()
    flag_review: bool = False
    # Why the machine answered so: what decided (`rule`: phrases, asr, semantic, model …),
    # the text it matched or the closest miss, and the similarity or probability.
    why: dict[str, Any] | None = None


@dataclass
class CriterionAnswer:
    id: str
    answer: Answer
    points: float | None
    max_points: float
    critical: bool
    confidence: float | None
    reason: str
    evidence: list[Evidence] = field(default_factory=list)
    flag_review: bool = False
    why: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        # The contract's keys only: `why` travels separately (Evaluation.why_json).
        return {
            "id": self.id,
            "answer": self.answer,
            "points": self.points,
            "max_points": self.max_points,
            "critical": self.critical,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
            "reason": self.reason,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class ScoreSummary:
    score: float | None
    failed_critical: bool


@dataclass
class Evaluation:
    interaction: str
    rubric_id: str
    rubric_version: str
    score: float | None
    failed_critical: bool
    needs_review: bool
    criteria: list[CriterionAnswer]
    topic: str | None = None
    review_reasons: list[str] = field(default_factory=list)

    def answer(self, criterion_id: str) -> CriterionAnswer:
        for item in self.criteria:
            if item.id == criterion_id:
                return item
        raise KeyError(criterion_id)

    def why_json(self) -> dict[str, dict[str, Any]]:
        """criterion id → why the machine answered so (stored beside each answer)."""
        return {c.id: c.why for c in self.criteria}

    def to_json(self) -> dict[str, Any]:
        """The evaluation JSON of contracts/README.md."""
        return {
            "interaction": self.interaction,
            "rubric": {"id": self.rubric_id, "version": self.rubric_version},
            "score": self.score,
            "failed_critical": self.failed_critical,
            "needs_review": self.needs_review,
            "criteria": [c.to_json() for c in self.criteria],
        }
