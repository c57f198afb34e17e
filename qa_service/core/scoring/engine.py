"""Score one interaction against a rubric: applicability, answers, evidence, review flags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qa_service.core.interaction import Interaction
from qa_service.core.rubric.model import Criterion, Rubric, Rule
from qa_service.core.scoring.arithmetic import points_for, summarize
from qa_service.core.scoring.cards import answer_card_data
from qa_service.core.scoring.context import ScoringContext
from qa_service.core.scoring.evidence import CriterionAnswer, Evaluation, Outcome
from qa_service.core.scoring.learned import answer_classifier
from qa_service.core.scoring.manual import answer_manual
from qa_service.core.scoring.phrases import answer_forbidden, answer_phrases, candidate_turns
from qa_service.core.scoring.sla import answer_email_reply, answer_first_reply, answer_reply_time
from qa_service.core.scoring.timing import answer_hold, answer_overtalk
from qa_service.core.scoring.words import CHANNELS, DIRECTIONS, TOPICS, answer_word, word
from qa_service.core.scoring.written import answer_email_address
from qa_service.core.topics import TopicGuess, detect_topic

Answerer = Callable[[ScoringContext, Rule], Outcome]
ANSWERERS: dict[str, Answerer] = {
    "phrases": answer_phrases,
    "forbidden": answer_forbidden,
    "hold": answer_hold,
    "overtalk": answer_overtalk,
    "first_reply": answer_first_reply,
    "reply_time": answer_reply_time,
    "email_reply": answer_email_reply,
    "card_data": answer_card_data,
    "email_address": answer_email_address,
    "classifier": answer_classifier,
    "manual": answer_manual,
}
# ASR flags that make any transcript-based answer doubtful.
POOR_FLAGS = frozenset({"swapped_channels", "repetition_loop", "low_confidence", "text_on_silence"})
POOR_FACTOR = 0.8
TOPIC_UNSURE = 0.5


class _Scorer:
    def __init__(self, interaction: Interaction, rubric: Rubric, topic: TopicGuess) -> None:
        self.interaction = interaction
        self.rubric = rubric
        self.topic = topic
        self.ctx = ScoringContext(interaction, topic.topic)
        self.answers: dict[str, CriterionAnswer] = {}
        quality = interaction.quality
        self.poor = quality is not None and (quality.is_poor or bool(POOR_FLAGS & set(quality.flags)))

    def answer(self, criterion: Criterion, visiting: frozenset[str] = frozenset()) -> CriterionAnswer:
        if criterion.id in self.answers:
            return self.answers[criterion.id]
        outcome = self._outcome(criterion, visiting | {criterion.id})
        confidence = outcome.confidence
        if confidence is not None and self.poor and outcome.answer != "na":
            confidence *= POOR_FACTOR
        result = CriterionAnswer(
            id=criterion.id,
            answer=outcome.answer,
            points=points_for(outcome.answer, criterion.weight),
            max_points=criterion.weight,
            critical=criterion.critical,
            confidence=confidence,
            reason=outcome.reason,
            evidence=list(outcome.evidence),
            flag_review=outcome.flag_review,
            why=self._why(criterion, outcome),
        )
        self.answers[criterion.id] = result
        return result

    def _outcome(self, criterion: Criterion, visiting: frozenset[str]) -> Outcome:
        item = self.interaction
        applies = criterion.applies
        if applies.channels is not None and item.channel not in applies.channels:
            return Outcome("na", 1.0, f"не применяется к каналу «{word(CHANNELS, item.channel)}»")
        if applies.directions is not None and item.direction not in applies.directions:
            return Outcome("na", 1.0, f"не применяется: {word(DIRECTIONS, item.direction)} не оцениваются")
        if applies.topics is not None:
            if self.topic.topic is None:
                return Outcome("na", TOPIC_UNSURE, "тема обращения не определена", flag_review=True)
            if not self.topic.topics & set(applies.topics):
                confidence = self.topic.confidence if self.topic.source == "classifier" else 1.0
                found = self._found_anyway(criterion)
                if found is not None:
                    return found
                return Outcome("na", confidence, f"тема «{word(TOPICS, self.topic.topic)}»: критерий не применяется")
        if applies.depends_on is not None and applies.depends_on not in visiting:
            other = self.answer(self.rubric.criterion(applies.depends_on), visiting)
            if other.answer not in applies.depends_answers:
                answered = answer_word(other.answer)
                return Outcome("na", other.confidence or 0.5,
                               f"зависит от «{self._title(applies.depends_on)}»: там «{answered}»")
        rule = self._rule_for(criterion)
        outcome = ANSWERERS[rule.kind](self.ctx, rule)
        topical = applies.topics is not None and self.topic.source == "classifier"
        if topical and outcome.confidence is not None:
            # A criterion gated by a guessed topic is only as sure as the guess lets it be.
            confidence = min(outcome.confidence, 0.5 + self.topic.confidence / 2)
            return Outcome(outcome.answer, confidence, outcome.reason, outcome.evidence, outcome.flag_review,
                           outcome.why)
        return outcome

    def _title(self, criterion_id: str) -> str:
        try:
            return self.rubric.criterion(criterion_id).title or criterion_id
        except KeyError:
            return criterion_id

    def _why(self, criterion: Criterion, outcome: Outcome) -> dict[str, Any]:
        why: dict[str, Any] = {"rule": self._rule_for(criterion).kind}
        if outcome.why:
            why.update(outcome.why)
        elif outcome.answer == "na" and "применяется" in outcome.reason:
            why["rule"] = "applicability"
        if outcome.evidence and "matched" not in why and "closest" not in why:
            why["quote"] = outcome.evidence[0].quote
        return why

    def _found_anyway(self, criterion: Criterion) -> Outcome | None:
        """A criterion N/A by topic that still applies because its phrases were said.

        Fare conditions stated during a sale mean refund or exchange was discussed (the
        standard's applicability), whatever the wrap-up code says."""
        rule = self._rule_for(criterion)
        if not rule.params.get("applies_when_found"):
            return None
        outcome = ANSWERERS[rule.kind](self.ctx, rule)
        if outcome.answer != "yes":
            return None
        topic = word(TOPICS, self.topic.topic)
        return Outcome("yes", outcome.confidence, f"тема «{topic}», но условия обмена/возврата названы: "
                       + outcome.reason, outcome.evidence, outcome.flag_review, outcome.why)

    def _rule_for(self, criterion: Criterion) -> Rule:
        for override in criterion.overrides:
            if override.directions is not None and self.interaction.direction not in override.directions:
                continue
            if override.topics is not None and not self.topic.topics & set(override.topics):
                continue
            return override.rule
        return criterion.rule


def score_interaction(interaction: Interaction, rubric: Rubric) -> Evaluation:
    """Answer every criterion of `rubric` for `interaction` and compute the score."""
    scorer = _Scorer(interaction, rubric, detect_topic(interaction))
    answers = [scorer.answer(c) for c in rubric.criteria]
    summary = summarize((a.answer, a.max_points, a.critical) for a in answers)
    reasons: list[str] = []
    if summary.failed_critical:
        reasons.append("failed_critical")
    low = [a.id for a in answers if a.confidence is not None and a.confidence < rubric.review_confidence]
    if low:
        reasons.append("low_confidence:" + ",".join(low))
    if scorer.poor:
        reasons.append("poor_transcript")
    flagged = [a.id for a in answers if a.flag_review]
    if flagged:
        reasons.append("flagged:" + ",".join(flagged))
    return Evaluation(
        interaction=interaction.external_id,
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        score=summary.score,
        failed_critical=summary.failed_critical,
        needs_review=bool(reasons),
        criteria=answers,
        topic=scorer.topic.topic,
        review_reasons=reasons,
    )


def classifier_input(interaction: Interaction, rubric: Rubric, criterion_id: str) -> tuple[str, str, list[str]] | None:
    """(model, positive label, the lemma texts it reads) where scoring answers `criterion_id` of this
    interaction with a classifier; None when another rule answers it here (or the rubric lacks it).

    The same rule choice (overrides by direction and detected topic) and the same candidate turns
    as scoring, so a model retrained on these texts learns what it will be asked at scoring time.
    """
    try:
        criterion = rubric.criterion(criterion_id)
    except KeyError:
        return None
    scorer = _Scorer(interaction, rubric, detect_topic(interaction))
    rule = scorer._rule_for(criterion)
    if rule.kind != "classifier":
        return None
    texts = [scorer.ctx.texts[i].lemma_text for i in candidate_turns(scorer.ctx, rule)]
    return str(rule.params["model"]), str(rule.params.get("positive_label", "yes")), texts
