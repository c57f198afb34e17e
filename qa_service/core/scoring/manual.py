"""Manual criteria: left for a human (`null`), with automatic flags that ask for a look."""

from __future__ import annotations

import re

from qa_service.core.rubric.model import Rule
from qa_service.core.scoring.context import ScoringContext
from qa_service.core.scoring.evidence import Evidence, Outcome

_QUESTION = re.compile(r"\?")


def answer_manual(ctx: ScoringContext, rule: Rule) -> Outcome:
    flag = rule.params.get("flag")
    if flag == "personal_data_before_identification":
        return _personal_data_flag(ctx, rule)
    if flag == "unanswered_questions":
        return _questions_flag(ctx)
    return Outcome(None, None, "требует ручной проверки")


def _personal_data_flag(ctx: ScoringContext, rule: Rule) -> Outcome:
    identify = rule.groups.get("before")
    personal = rule.groups.get("personal_data")
    agent = ctx.speaker_turns("agent")
    identified_at = next((i for i in agent if identify and ctx.texts[i].contains(identify)), None)
    hits: list[Evidence] = []
    for i in agent:
        if personal and (m := ctx.texts[i].contains(personal)) is not None:
            early = identified_at is None or i < identified_at
            spelled = "[паспорт]" in ctx.turns[i].text or "[карта]" in ctx.turns[i].text
            if early or spelled:
                hits.append(ctx.evidence(i, m))
    if hits:
        return Outcome(None, None, "требует ручной проверки: персональные данные прозвучали до идентификации",
                       tuple(hits[:3]), flag_review=True)
    return Outcome(None, None, "требует ручной проверки")


def _questions_flag(ctx: ScoringContext) -> Outcome:
    customer = ctx.speaker_turns("customer")
    agent = ctx.speaker_turns("agent")
    if not customer or not agent:
        return Outcome(None, None, "требует ручной проверки")
    asked = sum(len(_QUESTION.findall(ctx.turns[i].text)) for i in customer)
    reply = ctx.turns[agent[0]].text
    paragraphs = len([p for p in re.split(r"\n\s*\n", reply) if p.strip()]) - 2  # greeting and signature
    if asked > 1 and paragraphs < asked:
        reason = f"требует ручной проверки: вопросов клиента {asked}, абзацев ответа {max(paragraphs, 0)}"
        return Outcome(None, None, reason,
                       (ctx.evidence(customer[0]), ctx.evidence(agent[0])), flag_review=True)
    return Outcome(None, None, "требует ручной проверки")
