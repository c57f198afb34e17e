"""A criterion answered by a trained classifier over the speaker's turns in the window."""

from __future__ import annotations

from qa_service.core.classifiers import positive_probabilities
from qa_service.core.rubric.model import Rule
from qa_service.core.scoring.context import ScoringContext
from qa_service.core.scoring.evidence import Outcome
from qa_service.core.scoring.phrases import candidate_turns
from qa_service.core.scoring.questions import question_spans
from qa_service.core.scoring.words import model_name, probability

THRESHOLD = 0.5  # a turn with P(positive) at or above it answers `yes` (also the retraining figures)


def _questions(rule: Rule, ctx: ScoringContext, indices: list[int]) -> list[tuple[int, int, int]]:
    """(turn, start, end) to classify: the question pieces of each turn (`scoring.questions`).

    An offer or explanation («могу предложить другой рейс или вернуть деньги.») is no
    question, however much its words resemble one; a request for an identifier neither."""
    asks = rule.groups.get("asks")
    identifiers = rule.groups.get("identifiers")
    return [(i, start, end) for i in indices
            for start, end in question_spans(ctx.turns[i].text, asks, identifiers)]


def _lemma_text(ctx: ScoringContext, index: int, start: int, end: int) -> str:
    """The classifier's view (word lemmas) of part of a turn, from the turn's own lemmatization."""
    lem = ctx.texts[index].lem
    return " ".join(lemma for lemma, at in zip(lem.lemmas, lem.starts, strict=True)
                    if start <= at < end and any(ch.isalnum() for ch in lemma))


def answer_classifier(ctx: ScoringContext, rule: Rule) -> Outcome:
    """`yes` when some turn (or question sentence) is classified positive; confidence is the model's probability."""
    name = str(rule.params["model"])
    label = str(rule.params.get("positive_label", "yes"))
    indices = candidate_turns(ctx, rule)
    if not indices:
        return Outcome("no", 0.6, "нет реплик в нужном окне")
    factor = ctx.speaker_factor(rule.speaker)
    if rule.params.get("questions_only"):
        asked = _questions(rule, ctx, indices)
        if not asked:
            return Outcome("no", 0.8 * factor, "оператор не задал ни одного вопроса",
                           (ctx.evidence(indices[0]),), why={"rule": f"model:{name}", "questions": 0})
        texts = [_lemma_text(ctx, i, start, end) for i, start, end in asked]
        quoted = [(i, ctx.turns[i].text[start:end].strip()) for i, start, end in asked]
    else:
        texts = [ctx.texts[i].lemma_text for i in indices]
        quoted = [(i, ctx.turns[i].text) for i in indices]
    probs = positive_probabilities(name, texts, label)
    if probs is None:
        return Outcome(None, None, f"модель {model_name(name)} не найдена: требуется ручная проверка",
                       flag_review=True)
    best = max(range(len(probs)), key=lambda k: probs[k])
    best_p, (best_i, best_text) = probs[best], quoted[best]
    why = {"rule": f"model:{name}", "probability": round(best_p, 3), "threshold": THRESHOLD,
           "matched" if best_p >= THRESHOLD else "closest": best_text[:200]}
    if best_p >= THRESHOLD:
        return Outcome("yes", best_p * factor, f"модель {model_name(name)}: вероятность {probability(best_p)}",
                       (ctx.evidence(best_i),), why=why)
    return Outcome("no", (1.0 - best_p) * factor, (f"модель {model_name(name)}: ни одной подходящей реплики "
                   f"(наибольшая вероятность {probability(best_p)})"),
                   (ctx.evidence(best_i),), why=why)
