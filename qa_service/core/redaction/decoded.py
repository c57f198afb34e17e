"""The text a reader sees, not the bytes that encode it: URL-decoding and markup to text, with offsets.

A card hides from a reading of the raw text when its digits are URL-encoded («4111%201111…») or
split by markup («<b>4111</b> 1111 …» in an e-mail's HTML, «<w:t>4111</w:t>…» inside a DOCX).
A `DecodedView` is the decoded text together with, for each of its characters, the span of the
input it came from, so a card found in the view is removed from the input itself.

Python's `html.unescape` and `urllib.parse.unquote` decode but lose the offsets; the tokens here
are the same escapes, read one at a time.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from qa_service.core.redaction.card_runs import card_runs
from qa_service.core.redaction.card_words import worded_card_runs
from qa_service.core.redaction.cards import find_cards
from qa_service.core.redaction.document import Document
from qa_service.core.redaction.spans import Span, SpanIndex

_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+|\+")
_MARKUP = re.compile(
    r"<!--.*?-->|<!\[CDATA\[|\]\]>|<[!?][^<>]{0,2000}>"
    r"|<(?P<close>/?)(?P<name>[A-Za-z][\w:.-]{0,40})(?:\s[^<>]{0,2000})?/?>"
    r"|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?",
    re.DOTALL,
)
# Tags that break a line in what the reader sees; any other tag («b», «span», «w:r», «w:t») joins
# the text on either side, as a browser or a word processor shows it.
_BREAKING = frozenset((
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "thead", "tbody", "tfoot", "caption", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "blockquote", "pre", "title", "head", "body", "html", "section", "article",
    "header", "footer", "nav", "address", "dd", "dt", "dl", "w:p", "w:br", "w:tab", "w:tc", "w:cr",
))


@dataclass(frozen=True)
class DecodedView:
    """Decoded text; character i came from input[starts[i]:ends[i]]."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The input span that the view's [start, end) was decoded from."""
        return self.starts[start], self.ends[end - 1]

    def then(self, inner: DecodedView) -> DecodedView:
        """`inner` (a view of this view's text) expressed in this view's input offsets."""
        return DecodedView(inner.text, tuple(self.starts[s] for s in inner.starts),
                           tuple(self.ends[e - 1] for e in inner.ends))


def _build(text: str, pattern: re.Pattern[str], replace: object) -> DecodedView | None:
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    at = 0
    changed = False
    for match in pattern.finditer(text):
        for i in range(at, match.start()):
            starts.append(i)
            ends.append(i + 1)
        pieces.append(text[at : match.start()])
        decoded = replace(match)  # type: ignore[operator]
        if decoded != match.group():
            changed = True
        per_char = len(decoded) == len(match.group()) // 3 and match.group().startswith("%")
        for k in range(len(decoded)):
            if per_char:  # one ASCII escape per character: each maps to its own three characters
                starts.append(match.start() + 3 * k)
                ends.append(match.start() + 3 * k + 3)
            else:
                starts.append(match.start())
                ends.append(match.end())
        pieces.append(decoded)
        at = match.end()
    if not changed:
        return None
    for i in range(at, len(text)):
        starts.append(i)
        ends.append(i + 1)
    pieces.append(text[at:])
    return DecodedView("".join(pieces), tuple(starts), tuple(ends))


def _percent(match: re.Match[str]) -> str:
    escape = match.group()
    if escape == "+":
        return " "
    raw = bytes.fromhex(escape.replace("%", ""))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _markup(match: re.Match[str]) -> str:
    token = match.group()
    if token.startswith("&"):
        character = html.unescape(token)
        return " " if character.isspace() else character  # «&nbsp;» between groups is a space to a reader
    name = match.group("name")
    return " " if name and name.lower() in _BREAKING else ""


def url_decoded(text: str) -> DecodedView | None:
    """`text` with %XX escapes and «+» decoded, or None when there is nothing to decode."""
    return _build(text, _PERCENT, _percent) if "%" in text else None


def markup_as_text(text: str) -> DecodedView | None:
    """`text` with HTML/XML tags, comments and entities turned into what a reader sees, or None."""
    return _build(text, _MARKUP, _markup) if ("<" in text or "&" in text) else None


def decoded_views(text: str) -> list[DecodedView]:
    """Every decoded reading of `text` that differs from it: URL-decoded, markup as text, and both."""
    views: list[DecodedView] = []
    url = url_decoded(text)
    if url is not None:
        views.append(url)
    for base in [None, url]:
        source = text if base is None else base.text
        markup = markup_as_text(source)
        if markup is not None:
            views.append(markup if base is None else base.then(markup))
    return views


def decoded_texts(text: str) -> list[str]:
    """The decoded readings' texts alone (what the card scan checks besides the raw text)."""
    return [view.text for view in decoded_views(text)]


def decoded_card_spans(text: str, keep: SpanIndex) -> list[Span]:
    """Cards only a decoded reading or the words rule shows, as spans of `text` itself; `keep` spans stay.

    With `card_runs` in the redactor this is the card scan's whole rule (`card_words.stored_card_runs`),
    so nothing the scan would flag is left in the text.
    """
    found = [Span(r.start, r.end, "card") for r in worded_card_runs(text) if not keep.overlaps(r.start, r.end)]
    for view in decoded_views(text):
        doc = Document(view.text)
        spans = [*find_cards(doc, SpanIndex([])),
                 *(Span(r.start, r.end, "card") for r in [*card_runs(view.text), *worded_card_runs(view.text)])]
        for span in spans:
            start, end = view.source_span(span.start, span.end)
            if not keep.overlaps(start, end):
                found.append(Span(start, end, "card"))
    return found
