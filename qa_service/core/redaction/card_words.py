"""The stored-text card rule for numbers in words, and the whole rule the card scan applies.

`card_runs` reads digits; a card written «четыре один один один …» or «four one one one …» has
none.  Here a number run (`numbers.number_runs`: Russian and English words, digits, both) is read
at its groups: any Luhn-valid window of 13–19 digits with at least one group in words is a card.
`stored_card_runs` is every reading the scan makes of one stored text: the digits, the
URL-decoded and markup-as-text readings (`decoded`), and the words in each of them.
"""

from __future__ import annotations

from qa_service.core.redaction.card_runs import CardRun, card_runs
from qa_service.core.redaction.cards import luhn_valid
from qa_service.core.redaction.numbers import has_number_words, number_runs, windows


def worded_card_runs(text: str) -> list[CardRun]:
    """Luhn-valid 13–19-digit readings of numbers with words in them, non-overlapping."""
    if not has_number_words(text):
        return []
    found: list[CardRun] = []
    for run in number_runs(text):
        if len(run.digits) < 13 or not any(g.spoken for g in run.groups):
            continue
        valid: dict[int, list[tuple[int, str]]] = {}
        for i, j, digits in windows(run, 13, 19):
            if luhn_valid(digits) and any(g.spoken for g in run.groups[i : j + 1]):
                valid.setdefault(i, []).append((j, digits))
        taken_until = -1
        for i in sorted(valid):
            if i <= taken_until:
                continue
            # From each group: a 16-digit reading (most cards) before the longest, as the redactor reads.
            j, digits = max(valid[i], key=lambda w: (len(w[1]) == 16, len(w[1])))
            found.append(CardRun(run.groups[i].start, run.groups[j].end, digits))
            taken_until = j
    return found


def stored_card_runs(text: str) -> list[CardRun]:
    """Every card the scan sees in `text`: digits, URL-decoded, markup as text, and in words.

    Offsets of a decoded reading's runs index that reading (a finding reports digits, not places).
    """
    from qa_service.core.redaction.card_runs import card_runs_anywhere
    from qa_service.core.redaction.decoded import decoded_texts

    found = card_runs_anywhere(text)
    seen = {run.digits for run in found}
    extra = worded_card_runs(text)
    for decoded in decoded_texts(text):
        extra.extend([*card_runs(decoded), *worded_card_runs(decoded)])
    for run in extra:  # a reading that only repeats a number already found adds nothing
        if run.digits not in seen:
            seen.add(run.digits)
            found.append(run)
    return found
