"""A criterion answered by a trained classifier over the speaker's turns in the window."""

from __future__ import annotations

from qa_service.core.classifiers import positive_probabilities
from qa_service.core.rubric.model import Rule
from qa_service.core.scoring.context import ScoringContext
from qa_service.core.scoring.evidence import Outcome
from qa_service.core.scoring.phrases import candidate_turns
from qa_service.core.scoring.words import model_name, probability

THRESHOLD = 0.5  # a turn with P(positive) at or above it answers `yes` (also the retraining figures)


def answer_classifier(ctx: ScoringContext, rule: Rule) -> Outcome:
    """`yes` when some turn is classified positive; confidence is the model's probability."""
    name = str(rule.params["model"])
    label = str(rule.params.get("positive_label", "yes"))
    indices = candidate_turns(ctx, rule)
    if not indices:
        return Outcome("no", 0.6, "нет реплик в нужном окне")
    probs = positive_probabilities(name, [ctx.texts[i].lemma_text for i in indices], label)
    if probs is None:
        return Outcome(None, None, f"модель {model_name(name)} не найдена: требуется ручная проверка",
                       flag_review=True)
    factor = ctx.speaker_factor(rule.speaker)
    best_p, best_i = max(zip(probs, indices, strict=True))
    why = {"rule": f"model:{name}", "probability": round(best_p, 3), "threshold": THRESHOLD,
           "matched" if best_p >= THRESHOLD else "closest": ctx.turns[best_i].text[:200]}
    if best_p >= THRESHOLD:
        return Outcome("yes", best_p * factor, f"модель {model_name(name)}: вероятность {probability(best_p)}",
                       (ctx.evidence(best_i),), why=why)
    return Outcome("no", (1.0 - best_p) * factor, (f"модель {model_name(name)}: ни одной подходящей реплики "
                   f"(наибольшая вероятность {probability(best_p)})"),
                   (ctx.evidence(best_i),), why=why)
