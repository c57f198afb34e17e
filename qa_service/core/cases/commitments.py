"""What the agent committed to in the conversation: a refund (and its amount), an amount read back,
a payment link sent.  Read from the agent's turns by phrase rules on lemmas; amounts as written
digits (the transcriber writes numbers as digits)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa_service.core.cases.rules import find_phrases, lemmatized

REFUND_PROMISED = "refund_promised"
AMOUNT_READ_BACK = "amount_read_back"
PAYMENT_LINK = "payment_link"

_REFUND = ("оформить возврат", "возврат оформить", "деньги вернуться", "вернуть деньги", "вернуть вам",
           "средства вернуться", "средства поступить", "вернуть средства", "возврат денежный средство",
           "сумма вернуться", "оформлю возврат", "вернуться на карта", "вернуться в течение")
_LINK = ("ссылка на оплата", "ссылка для оплата", "ссылку на оплата", "отправить ссылка", "направить ссылка",
         "оплатить по ссылка", "платёжный ссылка", "платежный ссылка")
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[   ]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s*(?:руб|₽|р\.|rub)", re.IGNORECASE)


@dataclass(frozen=True)
class Commitment:
    kind: str
    turn: int
    quote: str
    amount: float | None = None

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "turn": self.turn, "quote": self.quote, "amount": self.amount}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Commitment:
        amount = data.get("amount")
        return cls(str(data["kind"]), int(str(data["turn"])), str(data["quote"]),
                   float(str(amount)) if amount is not None else None)


def amounts(text: str) -> list[float]:
    """Money amounts written in `text` («12 400 рублей», «5400,50 руб.», «800 ₽»)."""
    found = []
    for match in _AMOUNT.finditer(text):
        whole = re.sub(r"\D", "", match.group(1))
        cents = match.group(2) or "0"
        found.append(float(f"{whole}.{cents}"))
    return found


def find_commitments(turns: Sequence[tuple[str, str]]) -> list[Commitment]:
    """The agent's commitments in turn order (all turns when speakers are unknown)."""
    speakers_known = any(s in ("agent", "customer") for s, _ in turns)
    found: list[Commitment] = []
    for index, (speaker, text) in enumerate(turns):
        if speakers_known and speaker != "agent":
            continue
        doc = lemmatized(text)
        said = amounts(text)
        if find_phrases(doc, _REFUND):
            found.append(Commitment(REFUND_PROMISED, index, text, said[0] if said else None))
        if find_phrases(doc, _LINK):
            found.append(Commitment(PAYMENT_LINK, index, text))
        found += [Commitment(AMOUNT_READ_BACK, index, text, amount) for amount in said]
    return found
