"""Card numbers in what the platform writes around the conversation: ids, labels, keys, URIs.

`redact_interaction` reads the conversation (turns, and `meta` values) as people's words.
Everything else a platform or its operator can type — the external id, the agent's id and
name, source, queue, topic, currency, the recording's URI, and the keys of `meta`,
`metrics.talk_ratio` and the quality flags — is checked here, at ingestion, before the
idempotency lookup, so a card in any of them is never stored.

Card runs become keyed tokens (`tokenize_card_runs`), not a bare placeholder: `external_id`
and `agent_id` must stay joinable (a repeat delivery finds its row, an agent keeps one row),
and two ids that differ only in their card digits must stay two ids.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from qa_service.core.interaction import CallMetrics, Interaction, TranscriptQuality
from qa_service.core.redaction.card_runs import tokenize_card_runs


def _tokenize_tree(value: Any, key: bytes) -> Any:
    """Strings and dict keys at any depth; numbers and other values as they are."""
    if isinstance(value, str):
        return tokenize_card_runs(value, key)
    if isinstance(value, dict):
        return {_tokenize_key(k, key): _tokenize_tree(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_tokenize_tree(v, key) for v in value]
    return value


def _tokenize_keys(value: Any, key: bytes) -> Any:
    """Dict keys at any depth; the values stay for `redact_interaction`, which counts a card there
    towards the interaction's card flag."""
    if isinstance(value, dict):
        return {_tokenize_key(k, key): _tokenize_keys(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_tokenize_keys(v, key) for v in value]
    return value


def _tokenize_key(name: Any, key: bytes) -> Any:
    return tokenize_card_runs(name, key) if isinstance(name, str) else name


def _optional(value: str | None, key: bytes) -> str | None:
    return tokenize_card_runs(value, key) if value is not None else None


def _meta(meta: dict[str, Any], key: bytes) -> dict[str, Any]:
    result: dict[str, Any] = _tokenize_keys(meta, key)
    if isinstance(result.get("agent_name"), str):
        # It names the agent's row (`services.ingestion.intake.agent_for`), read before the text redaction.
        result["agent_name"] = tokenize_card_runs(result["agent_name"], key)
    return result


def redact_platform_fields(item: Interaction, key: bytes) -> Interaction:
    """A copy of `item` with every card run in its platform fields and dict keys tokenized.

    Turn text and `meta` values are left to `redact_interaction` (they are people's words);
    here only `meta`'s keys at any depth, and the agent's name it carries.
    """
    metrics = item.metrics
    if metrics is not None:
        metrics = CallMetrics(silences=metrics.silences, overtalk=metrics.overtalk, holds=metrics.holds,
                              talk_ratio={tokenize_card_runs(k, key): v for k, v in metrics.talk_ratio.items()})
    quality = item.quality
    if quality is not None:
        quality = TranscriptQuality(score=quality.score, flags=[_tokenize_tree(f, key) for f in quality.flags])
    return replace(
        item,
        external_id=tokenize_card_runs(item.external_id, key),
        agent_id=tokenize_card_runs(item.agent_id, key),
        source=_optional(item.source, key),
        queue=_optional(item.queue, key),
        topic=_optional(item.topic, key),
        outcome=_optional(item.outcome, key),
        direction=tokenize_card_runs(item.direction, key),
        currency=tokenize_card_runs(item.currency, key),
        recording=_tokenize_tree(item.recording, key) if item.recording is not None else None,
        meta=_meta(item.meta, key),
        metrics=metrics,
        quality=quality,
    )
