"""A contact's reason and outcome, by phrase rules on lemmas, beside the platform's wrap-up code.

The reason is read from the customer's words (the agent's when speakers are unknown); the
outcome from how the agent closed the contact.  Each comes with the sentence that decided it.
Where the platform's wrap-up code names another reason, the contact is marked: wrong codes
distort the §3.2 reports, so the mismatch is shown and counted, never silently overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qa_service.core.cases.rules import find_phrases, lemmatized

REASONS = ("refund", "exchange", "sale", "emd", "baggage", "disruption", "complaint", "info", "other")
OUTCOMES = ("resolved", "transferred", "callback", "customer_action", "unresolved")

# When two reasons match equally often the earlier one wins: a complaint about a cancelled
# flight is a complaint, a refund or an exchange of a cancelled flight is a refund or an exchange.
_REASON_PHRASES: Mapping[str, tuple[str, ...]] = {
    "complaint": ("жалоба", "пожаловаться", "претензия", "безобразие", "возмутительно", "недоволен", "хамить",
                  "хамство", "нагрубить", "оставить отзыв о", "книга жалоб"),
    "refund": ("возврат", "вернуть деньги", "вернуть билет", "сдать билет", "вернуть средства", "возвратный",
               "вернуть стоимость", "деньги назад", "компенсация"),
    "exchange": ("обмен", "обменять", "поменять дата", "поменять рейс", "перенести дата", "перенести вылет",
                 "переоформить", "другой дата", "другой рейс", "изменить дата", "поменять билет"),
    "disruption": ("задержка рейса", "рейс задержать", "рейс отменить", "отмена рейса", "отменить рейс",
                   "рейс перенести", "изменение расписания", "изменить расписание", "опоздать на стыковка",
                   "задержать рейс", "рейс задерживаться", "рейс отменять"),
    "emd": ("выбор место", "выбрать место", "место у окно", "питание", "дополнительный услуга", "страховка",
            "повышение класс", "повысить класс", "emd", "эмд", "доплатить за место", "бизнес-зал", "приоритетный"),
    "baggage": ("багаж", "чемодан", "ручной кладь", "перевес", "сумка", "провоз", "негабаритный", "лыжи",
                "животное", "собака", "кошка"),
    "sale": ("купить билет", "купить", "покупка", "приобрести", "забронировать", "бронирование билета",
             "оформить билет", "нужный билет", "билет до", "билет в", "сколько стоить билет"),
    "info": ("подсказать", "узнать", "справка", "во сколько", "какой терминал", "регистрация", "статус рейса",
             "расписание", "уточнить", "сколько стоить", "можно ли"),
}

_OUTCOME_PHRASES: Mapping[str, tuple[str, ...]] = {
    "transferred": ("переключить на", "перевести на", "соединить с", "перевожу вас", "передать звонок",
                    "переключаю", "соединяю", "перевести звонок", "перевести вас"),
    "callback": ("перезвонить вам", "перезвоню", "обратный звонок", "связаться с вы", "свяжемся", "мы вам перезвонить",
                 "перезвонить", "ответить вам в течение"),
    "customer_action": ("ссылка на оплата", "ссылка для оплата", "оплатить по ссылка", "прислать документ",
                        "пришлите", "направить нам", "необходимо оплатить", "нужно оплатить", "приложить",
                        "отправить нам",
                        "вам нужно", "вам необходимо"),
    "unresolved": ("к сожаление не", "не получиться", "не можем", "невозможно", "не удаться", "не смочь",
                   "так и не", "ничего не сделать", "не решить"),
}
_RESOLVED_PHRASES = ("оформить", "готово", "выполнить", "отправить на почта", "подтвердить", "вернуться",
                     "всё готово", "успешно", "остаться ещё вопрос", "чем ещё помочь", "рад помочь", "отвечу")

# The platform's wrap-up codes, in the spellings seen on platforms (and those of core/topics.py).
WRAPUP_ALIASES: Mapping[str, str] = {
    "sale": "sale", "sales": "sale", "booking": "sale", "продажа": "sale",
    "exchange": "exchange", "change": "exchange", "обмен": "exchange",
    "refund": "refund", "возврат": "refund",
    "emd": "emd", "ancillary": "emd", "services": "emd", "seat": "emd", "доп. услуги": "emd", "услуги": "emd",
    "baggage": "baggage", "багаж": "baggage",
    "disruption": "disruption", "schedule": "disruption", "schedule_change": "disruption",
    "irregular": "disruption", "срыв": "disruption",
    "info": "info", "information": "info", "справка": "info",
    "complaint": "complaint", "claim": "complaint", "жалоба": "complaint",
    "other": "other", "прочее": "other",
}
DISPOSITION_ALIASES: Mapping[str, str] = {
    "resolved": "resolved", "solved": "resolved", "решено": "resolved",
    "transferred": "transferred", "transfer": "transferred", "переведен": "transferred",
    "callback": "callback", "перезвон": "callback",
    "customer_action": "customer_action", "pending_customer": "customer_action",
    "unresolved": "unresolved", "not_resolved": "unresolved", "не решено": "unresolved",
}
_READ_TURNS = 6  # the reason is stated early; later turns drift into the details


@dataclass(frozen=True)
class Found:
    value: str
    evidence: str | None  # the sentence (turn) that decided it
    turn: int | None
    source: str  # "rules", "platform" or "default"


@dataclass(frozen=True)
class ContactVerdict:
    reason: Found
    outcome: Found
    wrapup: str | None  # the platform's code mapped to a reason, if it sent one we know
    wrapup_mismatch: bool

    def to_json(self) -> dict[str, object]:
        return {"reason": self.reason.value, "reason_evidence": self.reason.evidence, "reason_turn": self.reason.turn,
                "outcome": self.outcome.value, "outcome_evidence": self.outcome.evidence,
                "outcome_turn": self.outcome.turn, "outcome_source": self.outcome.source,
                "wrapup": self.wrapup, "wrapup_mismatch": self.wrapup_mismatch}


Turns = Sequence[tuple[str, str]]  # (speaker, text)


def detect_reason(turns: Turns) -> Found:
    """The reason the most phrases name in the customer's first turns (ties: the order of REASONS above)."""
    speakers_known = any(s in ("agent", "customer") for s, _ in turns)
    chosen = [(i, t) for i, (s, t) in enumerate(turns) if s == "customer" or not speakers_known][:_READ_TURNS]
    counts: dict[str, int] = {}
    first_at: dict[str, int] = {}
    for index, text in chosen:
        doc = lemmatized(text)
        for reason, phrases in _REASON_PHRASES.items():
            hits = find_phrases(doc, phrases)
            if hits:
                counts[reason] = counts.get(reason, 0) + len(hits)
                first_at.setdefault(reason, index)
    if not counts:
        return Found("other", None, None, "default")
    order = list(_REASON_PHRASES)
    best = max(counts, key=lambda r: (counts[r], -order.index(r)))
    turn = first_at[best]
    return Found(best, turns[turn][1], turn, "rules")


def detect_outcome(turns: Turns, disposition: str | None = None) -> Found:
    """The platform's disposition where it sends one we know; else the agent's closing words."""
    if disposition and DISPOSITION_ALIASES.get(disposition.strip().lower()):
        return Found(DISPOSITION_ALIASES[disposition.strip().lower()], None, None, "platform")
    agent = [(i, t) for i, (s, t) in enumerate(turns) if s == "agent"] or list(enumerate(t for _, t in turns))
    # The close of the contact decides: the last agent turns, latest first.
    for index, text in reversed(agent[-4:]):
        doc = lemmatized(text)
        for outcome, phrases in _OUTCOME_PHRASES.items():
            if find_phrases(doc, phrases):
                return Found(outcome, text, index, "rules")
    for index, text in reversed(agent):
        if find_phrases(lemmatized(text), _RESOLVED_PHRASES):
            return Found("resolved", text, index, "rules")
    if not agent:
        return Found("unresolved", None, None, "default")
    return Found("resolved", None, None, "default")


def wrapup_reason(code: str | None) -> str | None:
    return WRAPUP_ALIASES.get(code.strip().lower()) if code else None


def judge_contact(turns: Turns, wrapup_code: str | None = None, disposition: str | None = None) -> ContactVerdict:
    """Reason, outcome and whether the agent's wrap-up code disagrees with the reason heard."""
    reason = detect_reason(turns)
    wrapup = wrapup_reason(wrapup_code)
    # Only a reason the rules found can contradict the code; "other" means we heard nothing.
    mismatch = wrapup is not None and reason.source == "rules" and wrapup != reason.value
    return ContactVerdict(reason, detect_outcome(turns, disposition), wrapup, mismatch)
