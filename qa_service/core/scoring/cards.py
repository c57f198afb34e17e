"""`no_card_by_voice`: card data asked for, read out, or dictated and not stopped.

Text arrives redacted, so a dictated number shows up as the placeholders `[карта]`,
`[CVV]`, `[срок карты]`; ingestion also sets `meta.card_data_detected` from the audio.
"""

from __future__ import annotations

from qa_service.core.rubric.model import Rule
from qa_service.core.scoring.context import ScoringContext
from qa_service.core.scoring.evidence import Evidence, Outcome


def answer_card_data(ctx: ScoringContext, rule: Rule) -> Outcome:
    ask = rule.groups.get("ask")
    stop = rule.groups.get("stop")
    placeholders = rule.groups.get("placeholders")
    reply_turns = int(rule.params.get("reply_turns", 2))
    factor = ctx.speaker_factor("agent")
    agent_turns = ctx.speaker_turns("agent")
    failures: list[Evidence] = []
    reasons: list[str] = []
    if ask:
        for i in agent_turns:
            if (m := ctx.texts[i].contains(ask)) is not None:
                failures.append(ctx.evidence(i, m))
                reasons.append(f"оператор запросил данные карты: «{ctx.turns[i].text[m.start:m.end]}»")
    stopped: list[Evidence] = []
    if placeholders and ctx.speakers_known:
        for i in agent_turns:
            if (m := ctx.texts[i].contains(placeholders)) is not None:
                failures.append(ctx.evidence(i, m))
                reasons.append("оператор произнёс/написал данные карты")
        for i in ctx.speaker_turns("customer"):
            m = ctx.texts[i].contains(placeholders)
            if m is None:
                continue
            following = [j for j in agent_turns if j > i][:reply_turns]
            halt = next((j for j in following if stop and ctx.texts[j].contains(stop) is not None), None)
            if halt is None:
                failures.append(ctx.evidence(i, m))
                reasons.append("клиент продиктовал данные карты, оператор не остановил")
            else:
                stopped.append(ctx.evidence(halt))
    elif placeholders:
        # Mono: we cannot tell who said the number; a stop phrase nearby is the only signal.
        for i, text in enumerate(ctx.texts):
            if (m := text.contains(placeholders)) is not None:
                near = range(i, min(len(ctx.texts), i + reply_turns + 1))
                if not (stop and any(ctx.texts[j].contains(stop) for j in near)):
                    failures.append(ctx.evidence(i, m))
                    reasons.append("данные карты в разговоре без остановки")
    if failures:
        return Outcome("no", 0.9 * factor, "; ".join(dict.fromkeys(reasons)), tuple(failures[:5]))
    if ctx.interaction.meta.get("card_data_detected") and not stopped:
        return Outcome("no", 0.5, "при загрузке обнаружены данные карты, остановки оператором не найдено",
                       flag_review=True)
    if stopped:
        return Outcome("yes", 0.85 * factor, "клиент начал диктовать карту, оператор остановил", tuple(stopped))
    return Outcome("yes", 0.9 * factor, "данные карты не запрашивались и не назывались")
