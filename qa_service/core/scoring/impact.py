"""Impact preview: how a draft rubric would change stored evaluations before it is published."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from qa_service.core.interaction import Interaction
from qa_service.core.rubric.model import Rubric
from qa_service.core.scoring.engine import score_interaction


@dataclass
class CriterionImpact:
    id: str
    changed: int = 0
    compared: int = 0
    transitions: dict[str, int] = field(default_factory=dict)  # "yes→no" → count


@dataclass
class ImpactReport:
    current_version: str
    draft_version: str
    interactions: int = 0
    criteria: dict[str, CriterionImpact] = field(default_factory=dict)
    score_before: float | None = None
    score_after: float | None = None
    scores_changed: int = 0

    def format(self) -> str:
        """A plain-text table for the CLI (Russian labels, English in brackets)."""
        def num(value: float | None) -> str:
            return "—" if value is None else f"{value:.2f}"

        lines = [
            f"Рубрика (rubric): {self.current_version} → {self.draft_version}",
            f"Взаимодействий (interactions): {self.interactions}; оценка изменилась (score changed): "
            f"{self.scores_changed}",
            f"Средняя оценка (average score): {num(self.score_before)} → {num(self.score_after)}"
            + (f" ({self.score_after - self.score_before:+.2f})"
               if self.score_before is not None and self.score_after is not None else ""),
            "Критерий (criterion)            изменений (changed)  переходы (transitions)",
        ]
        for item in sorted(self.criteria.values(), key=lambda c: (-c.changed, c.id)):
            moves = ", ".join(f"{k}: {v}" for k, v in sorted(item.transitions.items())) or "—"
            lines.append(f"{item.id:<32}{item.changed:>5} / {item.compared:<12}{moves}")
        return "\n".join(lines)


def _label(answer: object) -> str:
    return "null" if answer is None else str(answer)


def preview_impact(interactions: Iterable[Interaction], current: Rubric, draft: Rubric) -> ImpactReport:
    """Re-score `interactions` with both rubrics; count changed answers and the score shift."""
    report = ImpactReport(current.version, draft.version)
    before: list[float] = []
    after: list[float] = []
    for interaction in interactions:
        old = score_interaction(interaction, current)
        new = score_interaction(interaction, draft)
        report.interactions += 1
        if old.score != new.score:
            report.scores_changed += 1
        if old.score is not None:
            before.append(old.score)
        if new.score is not None:
            after.append(new.score)
        old_answers = {a.id: a.answer for a in old.criteria}
        for answer in new.criteria:
            impact = report.criteria.setdefault(answer.id, CriterionImpact(answer.id))
            impact.compared += 1
            previous = old_answers.get(answer.id, "absent")
            if previous != answer.answer:
                impact.changed += 1
                key = f"{_label(previous)}→{_label(answer.answer)}"
                impact.transitions[key] = impact.transitions.get(key, 0) + 1
        for removed in set(old_answers) - {a.id for a in new.criteria}:
            impact = report.criteria.setdefault(removed, CriterionImpact(removed))
            impact.compared += 1
            impact.changed += 1
            key = f"{_label(old_answers[removed])}→absent"
            impact.transitions[key] = impact.transitions.get(key, 0) + 1
    report.score_before = round(sum(before) / len(before), 2) if before else None
    report.score_after = round(sum(after) / len(after), 2) if after else None
    return report
