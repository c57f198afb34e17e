"""Answerers for phrase rules: required phrases (`phrases`) and `forbidden` ones."""

from __future__ import annotations

from qa_service.core.redaction.names import self_introduced
from qa_service.core.rubric.model import PhraseGroup, Rule
from qa_service.core.scoring.booking_codes import read_back, spoken_codes
from qa_service.core.scoring.context import ScoringContext
from qa_service.core.scoring.evidence import Evidence, Outcome
from qa_service.core.scoring.matching import Match
from qa_service.core.scoring.rudeness import rude_by_meaning
from qa_service.core.scoring.semantic import THRESHOLD, closest, semantic_match

FOUND_CONFIDENCE = 0.92
ABSENT_CONFIDENCE = 0.8  # an ASR slip can hide a phrase that was said
_EVIDENCE_LIMIT = 5
_BOOKING_TOPICS = frozenset({"exchange", "refund"})  # always about an existing booking
_CONFIRM_REPLIES = 2


def _label(group: PhraseGroup) -> str:
    shown = [s for s in group.source if not s.startswith("re:")][:3]
    return " / ".join(f"«{s}»" for s in shown) or "шаблон"


def candidate_turns(ctx: ScoringContext, rule: Rule) -> list[int]:
    """Turns the rule looks at, minus those holding a negative (`none_of`) phrase."""
    indices = ctx.window(ctx.speaker_turns(rule.speaker), rule.window)
    if rule.none_of:
        indices = [i for i in indices if ctx.texts[i].contains(rule.none_of) is None]
    return indices


def answer_phrases(ctx: ScoringContext, rule: Rule) -> Outcome:
    """`yes` when every all-of group has a phrase in the window (in one turn if `same_turn`)."""
    factor = ctx.speaker_factor(rule.speaker)
    indices = candidate_turns(ctx, rule)
    if not indices:
        return Outcome("no", 0.6 * factor, "нет реплик в нужном окне")
    if rule.same_turn:
        for i in indices:
            matches = [ctx.texts[i].contains(g, fuzzy=True) for g in rule.all_of]
            if all(m is not None for m in matches):
                first = next(m for m in matches if m is not None)
                quoted = ", ".join(f"«{m.phrase}»" for m in matches if m is not None)
                return Outcome("yes", FOUND_CONFIDENCE * factor, f"найдено в одной реплике: {quoted}",
                               (ctx.evidence(i, first),))
        return Outcome("no", ABSENT_CONFIDENCE * factor, "нет реплики со всеми нужными фразами",
                       (ctx.evidence(indices[0]),))
    found: list[tuple[int, Match]] = []
    missing: list[PhraseGroup] = []
    for group in rule.all_of:
        hit = next(((i, m) for i in indices if (m := ctx.texts[i].contains(group)) is not None), None)
        if hit is None:  # an ASR slip («северный вертер») is accepted only when nothing matched exactly
            hit = next(((i, m) for i in indices if (m := ctx.texts[i].contains(group, fuzzy=True)) is not None), None)
        if hit is None and rule.params.get("self_name") and group is rule.all_of[-1]:
            hit = _self_name(ctx, indices)
        if hit is None and rule.params.get("semantic"):
            hit = next(((i, m) for i in indices if (m := semantic_match(ctx.texts[i], group)) is not None), None)
        if hit is None:
            missing.append(group)
        else:
            found.append(hit)
    evidence = _dedup([ctx.evidence(i, m) for i, m in found])
    if missing and rule.groups.get("booking") and rule.groups.get("confirm"):
        confirmed = _confirmed_booking(ctx, rule.groups["booking"], rule.groups["confirm"])
        if confirmed is not None:
            i, m = confirmed
            return Outcome("yes", ABSENT_CONFIDENCE * factor,
                           f"клиент назвал бронирование, оператор подтвердил: «{ctx.turns[i].text[m.start:m.end]}»",
                           (ctx.evidence(i, m),), why={"rule": "phrases", "matched": [ctx.turns[i].text[m.start:m.end]],
                                                       "phrases": [m.phrase], "similarity": 1.0})
    if missing and rule.params.get("code_readback"):
        echoed = _code_read_back(ctx)
        if echoed is not None:
            i, m = echoed
            return Outcome("yes", ABSENT_CONFIDENCE * factor,
                           f"клиент продиктовал код бронирования, оператор его повторил: «{m.phrase}»",
                           (ctx.evidence(i, m),), why={"rule": "code_readback", "matched": [m.phrase],
                                                       "similarity": 1.0})
    if missing and rule.groups.get("transaction") and not _transaction(ctx, rule.groups["transaction"]):
        return Outcome("na", 0.75, "оформления (продажи, обмена, возврата) в разговоре нет")
    if missing and rule.groups.get("booking") and ctx.topic not in _BOOKING_TOPICS \
            and not any(_names_booking(ctx, i, rule.groups["booking"]) for i in range(len(ctx.texts))):
        return Outcome("na", 0.7, "бронирование в разговоре не упоминается и это не обмен/возврат")
    if missing:
        what = "; ".join(_label(g) for g in missing)
        why: dict[str, object] = {"rule": "phrases", "missing": [_label(g) for g in missing]}
        if rule.params.get("semantic"):
            miss = _closest(ctx, indices, missing[0])
            if miss is not None:
                what += (f"; ближе всего «{miss.heard}» к «{miss.phrase}» "
                         f"(сходство {miss.similarity:.2f} < {THRESHOLD:.2f})")
                why.update(closest=miss.heard, phrase=miss.phrase, similarity=round(miss.similarity, 3),
                           threshold=THRESHOLD)
        return Outcome("no", ABSENT_CONFIDENCE * factor, f"не найдено: {what}", evidence or (ctx.evidence(indices[0]),),
                       why=why)
    quoted = ", ".join(_quoted(m) for _, m in found)
    weakest = min((m for _, m in found), key=lambda m: m.similarity)
    confidence = FOUND_CONFIDENCE * factor * weakest.similarity ** 0.5
    why = {"rule": _decider(weakest), "matched": [m.heard or m.phrase for _, m in found],
           "phrases": [m.phrase for _, m in found], "similarity": round(weakest.similarity, 3)}
    return Outcome("yes", confidence, f"найдено: {quoted}", evidence, why=why)


def _decider(match: Match) -> str:
    """Which matcher found the phrase: exact lemmas, the ASR reading, meaning, or the agent's name."""
    return match.via


def _closest(ctx: ScoringContext, indices: list[int], group: PhraseGroup) -> Match | None:
    """Why not: the clause that came closest in meaning to a phrase of the group."""
    misses = [m for i in indices if (m := closest(ctx.texts[i], group)) is not None]
    return max(misses, key=lambda m: m.similarity) if misses else None


def _names_booking(ctx: ScoringContext, index: int, booking: PhraseGroup) -> bool:
    """Does the turn name a booking: a booking word, a written PNR, or a code spelled out loud?"""
    return ctx.texts[index].contains(booking) is not None or bool(spoken_codes(ctx.turns[index].text))


def _confirmed_booking(ctx: ScoringContext, booking: PhraseGroup, confirm: PhraseGroup) -> tuple[int, Match] | None:
    """The agent's reply after the customer named a booking, when it confirms finding it.

    The reply is the next agent turn, or the one after it when the agent first asked the
    customer to hold on («одну минуту, смотрю» … «да, вижу»)."""
    agent = ctx.speaker_turns("agent")
    for i in ctx.speaker_turns("customer"):
        if not _names_booking(ctx, i, booking):
            continue
        for reply in [j for j in agent if j > i][:_CONFIRM_REPLIES]:
            if (m := ctx.texts[reply].contains(confirm)) is not None and m.start < 40:
                return reply, m
    return None


def _code_read_back(ctx: ScoringContext) -> tuple[int, Match] | None:
    """An agent turn that says back a booking code the customer spelled earlier."""
    agent = ctx.speaker_turns("agent")
    for i in ctx.speaker_turns("customer"):
        for code in spoken_codes(ctx.turns[i].text):
            found = read_back(code, ((j, ctx.turns[j].text) for j in agent if j > i))
            if found is not None:
                j, start, end = found
                return j, Match(start, end, ctx.turns[j].text[start:end])
    return None


def _transaction(ctx: ScoringContext, group: PhraseGroup) -> bool:
    """Did the agent carry out a sale, exchange or refund (a statement, not a question)?"""
    for i in ctx.speaker_turns("agent"):
        text = ctx.turns[i].text
        for m in ctx.texts[i].find(group):
            tail = text[m.end:]
            ends = [at for at in (tail.find(c) for c in ".!?\n") if at >= 0]
            if not ends or tail[min(ends)] != "?":
                return True
    return False


def _self_name(ctx: ScoringContext, indices: list[int]) -> tuple[int, Match] | None:
    """The agent's first name given without a rubric phrase («с вами Ольга», «Ветер», Марина»)."""
    for i in indices:
        text = ctx.turns[i].text
        names = self_introduced(text)
        if names:
            name = sorted(names)[0]
            at = text.lower().find(name)
            return i, Match(at, at + len(name), f"имя оператора «{text[at:at + len(name)]}»", via="self_name")
    return None


def _quoted(match: Match) -> str:
    """The phrase, and for an ASR reading what was heard and how similar it is."""
    if match.heard is None:
        return f"«{match.phrase}»"
    if match.via == "semantic":
        return f"по смыслу «{match.phrase}» ≈ «{match.heard}» (сходство {match.similarity:.2f})"
    return f"«{match.phrase}» (распознано «{match.heard}», сходство {match.similarity:.2f})"


def answer_forbidden(ctx: ScoringContext, rule: Rule) -> Outcome:
    """`no` when any forbidden phrase or pattern occurs in the speaker's turns."""
    factor = ctx.speaker_factor(rule.speaker)
    indices = candidate_turns(ctx, rule)
    hits: list[tuple[int, Match]] = []
    for i in indices:
        for group in rule.all_of:
            hits.extend((i, m) for m in ctx.texts[i].find(group))
    examples = rule.groups.get("examples")
    if not hits and examples:
        for i in indices:
            if (m := rude_by_meaning(ctx.turns[i].text, examples)) is not None:
                return Outcome("no", FOUND_CONFIDENCE * factor * m.similarity,
                               f"по смыслу «{m.heard}» ≈ «{m.phrase}» (сходство {m.similarity:.2f})",
                               (ctx.evidence(i, m),), why={"rule": "semantic", "matched": [m.heard],
                                                           "phrases": [m.phrase], "similarity": round(m.similarity, 3)})
    if hits:
        hits.sort(key=lambda h: (h[0], h[1].start))
        shown = ", ".join(f"«{ctx.turns[i].text[m.start:m.end]}»" for i, m in hits[:_EVIDENCE_LIMIT])
        evidence = _dedup([ctx.evidence(i, m) for i, m in hits])[:_EVIDENCE_LIMIT]
        why = {"rule": "forbidden", "matched": [ctx.turns[i].text[m.start:m.end] for i, m in hits[:_EVIDENCE_LIMIT]]}
        return Outcome("no", FOUND_CONFIDENCE * factor, f"недопустимые фразы: {shown}", tuple(evidence), why=why)
    return Outcome("yes", 0.85 * factor, "недопустимых фраз не найдено")


def _dedup(items: list[Evidence]) -> tuple[Evidence, ...]:
    seen: set[int | None] = set()
    out: list[Evidence] = []
    for item in items:
        if item.turn not in seen:
            seen.add(item.turn)
            out.append(item)
    return tuple(out)
