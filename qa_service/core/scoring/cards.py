"""`no_card_by_voice`: card data asked for, read out, or dictated and not stopped.

Text arrives redacted, so a dictated number shows up as the placeholders `[карта]`,
`[CVV]`, `[срок карты]`; ingestion also sets `meta.card_data_detected` from the audio.
"""

from __future__ import annotations

import re

from qa_service.core.interaction import Turn
from qa_service.core.rubric.model import PhraseGroup, Rule
from qa_service.core.scoring.card_requests import CardRequest, card_requests
from qa_service.core.scoring.context import ScoringContext
from qa_service.core.scoring.evidence import Evidence, Outcome
from qa_service.core.scoring.matching import IndexedText, Match

# Stopping the customer is said in many ways («не отправляйте данные карты», «удалите это
# сообщение», «никогда не присылайте…»): a negated verb of handing data over, or «удалить»,
# counts as a stop whatever the rubric's phrase list says.
_SHARE_VERBS = frozenset({"диктовать", "продиктовать", "называть", "назвать", "отправлять", "отправить", "писать",
                          "написать", "присылать", "прислать", "сообщать", "сообщить", "передавать", "передать",
                          "пересылать", "переслать", "вводить", "ввести", "публиковать", "опубликовать",
                          "указывать", "указать", "говорить", "сказать", "озвучивать", "озвучить"})
_DELETE_VERBS = frozenset({"удалить", "удалять", "стереть"})
_NEGATIONS = frozenset({"не", "нельзя", "никогда", "запрещено"})
_SENTENCE_END = re.compile(r"[.!?\n]")


def _negated_share(text: IndexedText) -> bool:
    lemmas = [text.lem.lemmas[i] for i in text.words]
    for pos, lem in enumerate(lemmas):
        if lem in _DELETE_VERBS:
            return True
        if lem in _SHARE_VERBS and any(x in _NEGATIONS for x in lemmas[max(0, pos - 3):pos]):
            return True
    return False


def _stops(text: IndexedText, stop: PhraseGroup | None) -> bool:
    """Does this agent turn stop the customer from sharing card data?"""
    return (stop is not None and text.contains(stop) is not None) or _negated_share(text)


def _warning(text: IndexedText, match: Match, stop: PhraseGroup | None) -> bool:
    """Is an «ask» phrase actually part of a warning («не отправляйте данные карты»)?

    Only the sentence around the match is read: a request and a warning may share a turn.
    """
    raw = text.lem.text
    lo = max((m.end() for m in _SENTENCE_END.finditer(raw, 0, match.start)), default=0)
    hi = next((m.start() for m in _SENTENCE_END.finditer(raw, match.end)), len(raw))
    words = [i for i in text.words if lo <= text.lem.starts[i] < hi]
    before = [text.lem.lemmas[i] for i in words if text.lem.starts[i] < match.start]
    if any(lem in _NEGATIONS for lem in before[-3:]):  # «не отправляйте (нам) данные карты»
        return True
    sentence = [text.lem.lemmas[i] for i in words]
    if any(lem in _DELETE_VERBS for lem in sentence):
        return True
    return stop is not None and any(lo <= m.start < hi for m in text.find(stop))


def word_probabilities(turn: Turn) -> list[tuple[int, int, float]] | None:
    """(start, end, probability) of each recognised word in the turn's text; None for typed text."""
    if not turn.words:
        return None
    out: list[tuple[int, int, float]] = []
    at = 0
    for word in turn.words:
        token = word.word.strip()
        found = turn.text.find(token, at) if token else -1
        if found < 0:
            continue
        out.append((found, found + len(token), word.probability))
        at = found + len(token)
    return out


_WHAT = {"number": "номер карты", "code": "код с обратной стороны (CVV)", "expiry": "срок действия карты"}


def _heard_requests(ctx: ScoringContext, index: int, stop: PhraseGroup | None) -> list[CardRequest]:
    """Requests read from concepts (misheard forms too), minus those inside a warning sentence."""
    turn = ctx.turns[index]
    found = card_requests(turn.text, word_probabilities(turn))
    text = ctx.texts[index]
    return [r for r in found if r.doubtful or not _warning(text, Match(r.start, r.end, r.what), stop)]


def answer_card_data(ctx: ScoringContext, rule: Rule) -> Outcome:
    ask = rule.groups.get("ask")
    stop = rule.groups.get("stop")
    placeholders = rule.groups.get("placeholders")
    reply_turns = int(rule.params.get("reply_turns", 2))
    factor = ctx.speaker_factor("agent")
    agent_turns = ctx.speaker_turns("agent")
    failures: list[Evidence] = []
    reasons: list[str] = []
    doubts: list[Evidence] = []
    if ask:
        for i in agent_turns:
            requests = [m for m in ctx.texts[i].find(ask) if not _warning(ctx.texts[i], m, stop)]
            if requests:
                req = requests[0]
                failures.append(ctx.evidence(i, req))
                reasons.append(f"оператор запросил данные карты: «{ctx.turns[i].text[req.start:req.end]}»")
                continue
            heard = _heard_requests(ctx, i, stop)
            sure = [r for r in heard if not r.doubtful]
            if sure:
                failures.append(ctx.evidence(i, Match(sure[0].start, sure[0].end, sure[0].what)))
                quote = ctx.turns[i].text[sure[0].start:sure[0].end].strip()
                reasons.append(f"оператор запросил {_WHAT[sure[0].what]}: «{quote}»")
            elif heard:
                doubts.append(ctx.evidence(i, Match(heard[0].start, heard[0].end, heard[0].what)))
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
            halt = next((j for j in following if _stops(ctx.texts[j], stop)), None)
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
                if not any(_stops(ctx.texts[j], stop) for j in near):
                    failures.append(ctx.evidence(i, m))
                    reasons.append("данные карты в разговоре без остановки")
    if failures:
        return Outcome("no", 0.9 * factor, "; ".join(dict.fromkeys(reasons)), tuple(failures[:5]))
    if ctx.interaction.meta.get("card_data_detected") and not stopped:
        return Outcome("no", 0.5, "при загрузке обнаружены данные карты, остановки оператором не найдено",
                       flag_review=True)
    if stopped:
        return Outcome("yes", 0.85 * factor, "клиент начал диктовать карту, оператор остановил", tuple(stopped))
    if doubts:
        # A critical «yes» is not given on words the recogniser was unsure of: a person listens.
        return Outcome(None, 0.4, f"возможно, оператор запросил данные карты (распознано неуверенно): "
                       f"«{doubts[0].quote}»", tuple(doubts[:5]), flag_review=True)
    return Outcome("yes", 0.9 * factor, "данные карты не запрашивались и не назывались")
