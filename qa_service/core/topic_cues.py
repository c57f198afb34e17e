"""What the customer asks for, read from the words of the request: «вернуть билет», «поменять», «жалоба».

The topic classifier was trained on chats and e-mails, where the request is a whole
message; in a call it is one sentence among greetings and fillers, and the word «билет»
in it pulls every call towards «продажа билета» (a refund call scored as a sale loses its
fare-rules criterion).  The verbs and nouns of a request say it plainly, so they are read
first, on lemmas, in the customer's first turns of an inbound call.
"""

from __future__ import annotations

from collections.abc import Iterable

from qa_service.core.morphology import lemmatize

# topic → cue lemma sequences (adjacent or with one word between); order is priority.
CUES: dict[str, tuple[tuple[str, ...], ...]] = {
    "complaint": (("жалоба",), ("пожаловаться",), ("жаловаться",), ("претензия",), ("компенсация",),
                  ("возмутительно",), ("безобразие",), ("недовольный",)),
    "refund": (("вернуть", "билет"), ("сдать", "билет"), ("вернуть", "деньги"), ("возврат",), ("сдать",),
               ("вернуть", "стоимость")),
    "exchange": (("поменять",), ("обменять",), ("перенести",), ("переоформить",), ("обмен",), ("изменить", "дата"),
                 ("другой", "дата"), ("другой", "день")),
    "sale": (("купить", "билет"), ("забронировать",), ("приобрести",), ("купить",), ("оформить", "билет"),
             ("оплата", "не", "пройти"), ("нужный", "билет"), ("нужно", "билет"), ("докупить",), ("купить", "место"),
             ("оформить",)),
    "baggage": (("багаж",), ("чемодан",), ("кладь",), ("перевес",), ("животное",), ("собака",), ("кошка",),
                ("кот",), ("питомец",), ("лыжи",), ("велосипед",), ("место", "у", "окно"), ("выбрать", "место"),
                ("питание",)),
    "info": (("узнать",), ("подсказать",), ("во", "сколько"), ("можно", "ли"), ("какой", "правило")),
}
_READ_CUSTOMER = 3


def _found(lemmas: list[str], cue: tuple[str, ...]) -> bool:
    for at, lem in enumerate(lemmas):
        if lem != cue[0] or (at > 0 and lemmas[at - 1] in ("не", "без") and cue[0] != "не"):
            continue  # «билеты ещё не купили» is no purchase, «без багажа» no baggage question
        if len(cue) == 1:
            return True
        rest = lemmas[at + 1:at + 1 + len(cue) + 1]
        if all(word in rest for word in cue[1:]):
            return True
    return False


def cue_topics(texts: Iterable[str]) -> list[str]:
    """Topics the request's words name, in priority order (empty when none does)."""
    lemmas = [lem for text in texts for lem in lemmatize(text).lemmas if any(ch.isalnum() for ch in lem)]
    found = [topic for topic, cues in CUES.items() if any(_found(lemmas, cue) for cue in cues)]
    if "info" in found and len(found) > 1:
        found.remove("info")  # «подскажите, можно ли вернуть билет» asks for a refund
    return found


def request_texts(turns: list[tuple[str, str]], outbound: bool) -> list[str]:
    """The turns a request is read from: the customer's first ones.  In an outbound call the
    customer makes no request (the agent calls about a change), so nothing is read."""
    if outbound:
        return []
    return [text for speaker, text in turns if speaker == "customer"][:_READ_CUSTOMER]
