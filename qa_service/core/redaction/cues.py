"""Words around a number that say what it is: a card, or money."""

from __future__ import annotations

import re

from qa_service.core.redaction.document import Document
from qa_service.core.redaction.numbers import NumberRun

# Money said around a run of numbers: «12 500, 13 400 и 15 600 рублей» is a price list, and
# its groups must not be read together as a 16-digit card.
CURRENCY_AFTER = re.compile(r"^\W{0,3}(?:руб|р\.|₽|rub|евро|€|\$|долл|usd|eur|тенге|тыс|%|кг|мин|час)")
MONEY_CUE = re.compile(
    r"тариф|цен[аыею]|стоимост|стоит|сумм|итого|доплат|сбор|штраф|списал|вернули|возврат\w* в размере"
)
CARD_CONTEXT = re.compile(r"карт|card|visa|виза|мастеркард|mastercard|\bмир\b|maestro|маэстро|пан\b|\bpan\b")


def money_run(doc: Document, run: NumberRun) -> bool:
    """Is this run an amount or a list of amounts (a currency after it, a price cue nearer than a card cue)?"""
    if CURRENCY_AFTER.match(doc.lower[run.end : run.end + 12]):
        return True
    return doc.last_before(MONEY_CUE, run.start, 40) > doc.last_before(CARD_CONTEXT, run.start, 80)
