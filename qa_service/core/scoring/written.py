"""Answerers for written channels: addressing the customer by name in an e-mail."""

from __future__ import annotations

import re

from qa_service.core.morphology import lemma
from qa_service.core.rubric.model import Rule
from qa_service.core.scoring.context import ScoringContext
from qa_service.core.scoring.evidence import Outcome

_OPENING_CHARS = 200
_SIGN_OFF = re.compile(
    r"(?:с уважением|спасибо|заранее благодарю|заранее спасибо|благодарю)[,.!]?\s*\n+\s*([А-ЯЁ][а-яё]+)",
    re.IGNORECASE,
)
_INTRO = re.compile(r"меня зовут\s+([А-ЯЁ][а-яё]+)")
_ADDRESSED = re.compile(
    r"^\W*(?i:уважаем\w+|здравствуйте|добрый[ \t]+\w+|дорог\w+)[,!]?[ \t]+(\[имя\]|[А-ЯЁ][а-яё]+)")
# Stored text has customers' names redacted: a signature reads «С уважением, [имя]» or ends
# the message with a line of its own.  The placeholder still says the name is known.
NAME_PLACEHOLDER = "[имя]"
_SIGNED_PLACEHOLDER = re.compile(
    r"(?:(?:с уважением|спасибо|заранее благодарю|заранее спасибо|благодарю)[,.!]?\s*|\n\s*|^\s*)"
    r"\[имя\][\s.,!]*$",
    re.IGNORECASE,
)


def customer_name(ctx: ScoringContext) -> str | None:
    """The customer's first name: from the platform (`meta.customer_name`) or their signature."""
    known = ctx.interaction.meta.get("customer_name")
    if isinstance(known, str) and known.strip():
        return known.split()[0]
    for i in ctx.speaker_turns("customer"):
        text = ctx.turns[i].text
        for pattern in (_SIGN_OFF, _INTRO):
            m = pattern.search(text)
            if m:
                return m.group(1)
        if _SIGNED_PLACEHOLDER.search(text.rstrip()):
            return NAME_PLACEHOLDER
    return None


def answer_email_address(ctx: ScoringContext, rule: Rule) -> Outcome:
    """`yes` when the first reply addresses the customer by name; `na` when the name is unknown."""
    replies = ctx.speaker_turns("agent")
    if not replies:
        return Outcome("na", 0.9, "ответа оператора нет")
    first = replies[0]
    opening = ctx.turns[first].text[:_OPENING_CHARS]
    name = customer_name(ctx)
    salutations = rule.groups.get("salutations")
    greeted = ctx.texts[first].contains(salutations) if salutations else None
    addressed = _ADDRESSED.search(opening)
    if name is None:
        if addressed:
            return Outcome("yes", 0.8, f"обращение по имени: «{addressed.group(0).strip()}»", (ctx.evidence(first),))
        return Outcome("na", 0.75, "имя клиента неизвестно")
    if name == NAME_PLACEHOLDER:
        if NAME_PLACEHOLDER in opening and (greeted is not None or addressed):
            return Outcome("yes", 0.9, "обращение по имени (имя клиента скрыто)", (ctx.evidence(first),))
        return Outcome("no", 0.8, "клиент подписался, но в обращении имени нет", (ctx.evidence(first),))
    wanted = lemma(name)
    opening_lemmas = {lemma(w) for w in re.findall(r"[А-ЯЁа-яё]+", opening)}
    if wanted in opening_lemmas and (greeted is not None or addressed):
        return Outcome("yes", 0.92, f"обращение по имени «{name}»", (ctx.evidence(first),))
    return Outcome("no", 0.85, f"имя клиента «{name}» известно, но в обращении его нет", (ctx.evidence(first),))
