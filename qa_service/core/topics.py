"""The contact's topic (sale, exchange, refund, baggage, info, complaint), which decides applicability.

The platform's wrap-up code wins when it sends one; otherwise the topic classifier reads
the customer's turns.  A second topic counts as discussed when it is clearly likely too,
because one call often moves from an exchange to a refund.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa_service.core.classifiers import predict
from qa_service.core.interaction import Interaction
from qa_service.core.topic_cues import cue_topics, request_texts

TOPIC_MODEL = "topic"
_ALIASES = {
    "sale": "sale", "sales": "sale", "booking": "sale", "продажа": "sale",
    "exchange": "exchange", "change": "exchange", "обмен": "exchange",
    "refund": "refund", "возврат": "refund",
    "baggage": "baggage", "services": "baggage", "ancillary": "baggage", "багаж": "baggage",
    "info": "info", "information": "info", "справка": "info",
    "complaint": "complaint", "claim": "complaint", "жалоба": "complaint",
}
_ALSO_DISCUSSED = 0.3
_READ_TURNS = 8
_CUE_CONFIDENCE = 0.8
_CLASSIFIER_SURE = 0.9  # a classifier this sure is kept over the request's words


@dataclass(frozen=True)
class TopicGuess:
    topic: str | None
    topics: frozenset[str]
    confidence: float
    source: str  # "platform", "classifier" or "none"


def detect_topic(interaction: Interaction) -> TopicGuess:
    """Wrap-up code if known, else the classifier over the customer's first turns."""
    if interaction.topic:
        code = _ALIASES.get(interaction.topic.strip().lower())
        if code is not None:
            return TopicGuess(code, frozenset({code}), 1.0, "platform")
    speakers_known = any(t.speaker in ("agent", "customer") for t in interaction.turns)
    turns = [t for t in interaction.turns if t.speaker == "customer" or not speakers_known]
    text = "\n".join(f"{t.subject or ''} {t.text}" for t in turns[:_READ_TURNS])
    guess = predict(TOPIC_MODEL, text)
    cues = cue_topics(request_texts([(t.speaker, t.text) for t in interaction.turns],
                                    interaction.direction == "outbound")) if interaction.channel == "call" else []
    if guess is None:
        if cues:
            return TopicGuess(cues[0], frozenset(cues[:1]), _CUE_CONFIDENCE, "classifier")
        return TopicGuess(None, frozenset(), 0.0, "none")
    discussed = {label for label, p in guess.probabilities.items() if p >= _ALSO_DISCUSSED} | {guess.label}
    if cues and cues[0] != guess.label and guess.probability < _CLASSIFIER_SURE:
        # A call's request is one sentence; its words outweigh a classifier trained on whole messages.
        # Another topic counts as discussed when both the words and the classifier name it.
        return TopicGuess(cues[0], frozenset({cues[0]} | (discussed & set(cues))), _CUE_CONFIDENCE, "classifier")
    return TopicGuess(guess.label, frozenset(discussed), guess.probability, "classifier")
