"""The rubric as data: criteria with weights, applicability and how each is answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qa_service.core.rubric.patterns import Pattern

TOPICS = ("sale", "exchange", "refund", "baggage", "info", "complaint")
ANSWER_KINDS = (
    "phrases",
    "forbidden",
    "hold",
    "overtalk",
    "first_reply",
    "reply_time",
    "email_reply",
    "card_data",
    "email_address",
    "classifier",
    "manual",
)


@dataclass(frozen=True)
class PhraseGroup:
    """Alternatives (any of them matches): lemma sequences and regular expressions."""

    phrases: tuple[tuple[str, ...], ...] = ()
    regexes: tuple[Pattern, ...] = ()  # compiled by RE2 (core/rubric/patterns.py)
    source: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # the phrase as written in the rubric, aligned with `phrases`

    def __bool__(self) -> bool:
        return bool(self.phrases or self.regexes)


@dataclass(frozen=True)
class Window:
    """Which turns a rule looks at: the first/last N seconds or N turns of the speaker."""

    first_seconds: float | None = None
    last_seconds: float | None = None
    first_turns: int | None = None
    last_turns: int | None = None


@dataclass(frozen=True)
class Rule:
    """How one criterion is answered automatically (`kind` picks the answerer)."""

    kind: str
    speaker: str | None = None
    window: Window | None = None
    all_of: tuple[PhraseGroup, ...] = ()
    none_of: PhraseGroup = field(default_factory=PhraseGroup)
    same_turn: bool = False
    groups: dict[str, PhraseGroup] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Applicability:
    """When a criterion applies; otherwise it is answered `na`."""

    channels: tuple[str, ...] | None = None
    directions: tuple[str, ...] | None = None
    topics: tuple[str, ...] | None = None
    depends_on: str | None = None
    depends_answers: tuple[str, ...] = ("yes",)


@dataclass(frozen=True)
class RuleOverride:
    """A different rule for some directions/topics (e.g. the outbound greeting)."""

    directions: tuple[str, ...] | None
    topics: tuple[str, ...] | None
    rule: Rule


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    weight: float
    critical: bool
    section: str
    rule: Rule
    applies: Applicability = field(default_factory=Applicability)
    overrides: tuple[RuleOverride, ...] = ()
    training_module: str | None = None

    @property
    def is_manual(self) -> bool:
        return self.rule.kind == "manual"


@dataclass(frozen=True)
class Rubric:
    id: str
    title: str
    channel: str
    version: str
    criteria: tuple[Criterion, ...]
    review_confidence: float = 0.6
    path: str | None = None

    def criterion(self, criterion_id: str) -> Criterion:
        for item in self.criteria:
            if item.id == criterion_id:
                return item
        raise KeyError(criterion_id)
