"""The redaction pipeline: find keep-spans, run every detector, resolve overlaps, replace."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from qa_service.core.redaction.card_details import find_cvv, find_expiry
from qa_service.core.redaction.card_runs import card_runs, mask_card_runs
from qa_service.core.redaction.cards import find_cards
from qa_service.core.redaction.contacts import AIRLINE_PUBLIC_PHONES, find_emails, find_phones, keep_set
from qa_service.core.redaction.decoded import decoded_card_spans
from qa_service.core.redaction.document import Document
from qa_service.core.redaction.identifiers import find_inn, find_passports, find_snils
from qa_service.core.redaction.keep import find_kept
from qa_service.core.redaction.names import find_names
from qa_service.core.redaction.numbers import has_number_words
from qa_service.core.redaction.spans import CARD_SPAN_KINDS, Redaction, Span, SpanIndex, apply, resolve


@lru_cache(maxsize=32)
def _public(keep_phones: tuple[str, ...]) -> frozenset[str]:
    return keep_set(keep_phones)


def find_spans(text: str, keep_phones: Iterable[str] = AIRLINE_PUBLIC_PHONES, *, names: bool = True,
               keep_names: Iterable[str] = ()) -> list[Span]:
    """Every piece of card or personal data in `text`, as sorted non-overlapping spans.

    `names`: customers' person names too (a tenant may turn it off); `keep_names` are the
    agent's own name words (lower case), which are not a customer's data.
    """
    if not text:
        return []
    doc = Document(text)
    tickets, kept = find_kept(doc)
    phones, public_lines = find_phones(doc, SpanIndex(tickets + kept), _public(tuple(keep_phones)))
    shield = SpanIndex(tickets + kept + public_lines)
    keep_cards = SpanIndex(tickets + public_lines)
    cards = find_cards(doc, keep_cards)
    # The stored-text rule the card scan applies (any Luhn-valid 13–19 digits, any separators):
    # what the scan would flag is never left in by a reading of the speech that passed it over.
    cards += [Span(r.start, r.end, "card") for r in card_runs(text) if not keep_cards.overlaps(r.start, r.end)]
    # What a reader sees: URL-decoded («4111%201111…»), markup as text («<b>4111</b> 1111…»).
    cards += decoded_card_spans(text, keep_cards)
    candidates = [
        *cards,
        *find_cvv(doc, cards),
        *find_expiry(doc, cards),
        *find_snils(doc, shield),
        *find_inn(doc, shield),
        *find_passports(doc, shield),
        *phones,
        *find_emails(doc),
        *(find_names(text, shield, keep_names) if names else ()),
    ]
    return resolve(candidates)


def redact(text: str, *, keep_phones: Iterable[str] = AIRLINE_PUBLIC_PHONES, names: bool = True,
           keep_names: Iterable[str] = ()) -> Redaction:
    """Replace card and personal data with typed placeholders; spans index the input text."""
    spans = find_spans(text, keep_phones, names=names, keep_names=keep_names)
    return Redaction(apply(text, spans), spans)


def contains_card_number(text: str) -> bool:
    """True when `text` holds a card number, written or spoken (for the ingestion flag)."""
    if not text:
        return False
    doc = Document(text)
    tickets, _ = find_kept(doc)
    return bool(find_cards(doc, SpanIndex(tickets)))


def redact_card_data(text: str) -> str:
    """Only a card's data (number, CVV, expiry) replaced, also URL-encoded: for what staff type.

    Review comments, override reasons, disputes, notes and names are people's work, quoted back to
    them: a phone or a name in them stays; a card number, in any writing, never does.
    """
    if not text or not (any(c.isdigit() for c in text) or has_number_words(text)):
        return text  # no digit and no number word («четыре», «four»): nothing to look at
    spans = [s for s in find_spans(text, names=False) if s.kind in CARD_SPAN_KINDS]
    return mask_card_runs(apply(text, spans))
