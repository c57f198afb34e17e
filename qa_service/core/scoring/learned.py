"""A criterion answered by a trained classifier over the speaker's turns in the window."""

from __future__ import annotations

import re

from qa_service.core.classifiers import lemma_text as _lemma_text
from qa_service.core.classifiers import positive_probabilities
from qa_service.core.rubric.model import Rule
from qa_service.core.scoring.context import ScoringContext
from qa_service.core.scoring.evidence import Outcome
from qa_service.core.scoring.phrases import candidate_turns

_THRESHOLD = 0.5
_SENTENCE = re.compile(r"[^.!?…]+[.!?…]*")
_PUNCTUATED = re.compile(r"[.!?…]")


def _questions(rule: Rule, ctx: ScoringContext, indices: list[int]) -> list[tuple[int, str | None]]:
    """(turn, sentence) to classify: the question sentences of punctuated turns; (turn, None)
    for an unpunctuated turn, classified whole.

    Where a turn is punctuated (typed text, a punctuating ASR), a clarifying question is a
    sentence ending in «?» or a request («уточните…», «назовите…»): an offer or explanation
    («могу предложить другой рейс или вернуть деньги.») is no question, however much its
    words resemble one.  ASR text without punctuation gives no such sign, so such a turn is
    classified whole."""
    asks = rule.groups.get("asks")
    out: list[tuple[int, str | None]] = []
    for i in indices:
        text = ctx.turns[i].text
        if not _PUNCTUATED.search(text):
            out.append((i, None))
            continue
        for m in _SENTENCE.finditer(text):
            sentence = m.group().strip()
            if sentence.endswith("?") or (asks and any(r.search(sentence) for r in asks.regexes)):
                out.append((i, sentence))
    return out


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
        texts = [ctx.texts[i].lemma_text if q is None else _lemma_text(q) for i, q in asked]
        quoted = [(i, ctx.turns[i].text if q is None else q) for i, q in asked]
    else:
        texts = [ctx.texts[i].lemma_text for i in indices]
        quoted = [(i, ctx.turns[i].text) for i in indices]
    probs = positive_probabilities(name, texts, label)
    if probs is None:
        return Outcome(None, None, f"модель {name} не найдена: требуется ручная проверка", flag_review=True)
    best = max(range(len(probs)), key=lambda k: probs[k])
    best_p, (best_i, best_text) = probs[best], quoted[best]
    why = {"rule": f"model:{name}", "probability": round(best_p, 3), "threshold": _THRESHOLD,
           "matched" if best_p >= _THRESHOLD else "closest": best_text[:200]}
    if best_p >= _THRESHOLD:
        return Outcome("yes", best_p * factor, f"модель {name}: p={best_p:.2f}", (ctx.evidence(best_i),), why=why)
    return Outcome("no", (1.0 - best_p) * factor, f"модель {name}: ни одной подходящей реплики (max p={best_p:.2f})",
                   (ctx.evidence(best_i),), why=why)
