"""No id or English code in the Russian UI: every role walks every page on demo-like data.

Each role signs in on the demo's data (`demo_world`: scored calls, chats and e-mails with
machine reasons, released evaluations, a dispute, a calibration session, coaching needs,
yesterday's reports), opens every page its navigation links to and every page those link
to (one of each kind: `/interactions/7` and `/interactions/9` are one kind), and the
visible text — tags and attributes stripped, so an id in a `title` hint is allowed, as
the issue allows ids only as hints — must contain no Latin word but the few listed below.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
from demo_world import seed_demo_world
from factories import sign_in
from flask import Flask

from qa_service.config import Settings
from qa_service.demo.tenant import DEMO_PASSWORD, DEMO_USERS
from qa_service.web import create_app

# Latin a Russian page may show: the product's name, the language switch, the keys of the
# keyboard legend, abbreviations Russian contact centres use as they are (SLA, PCI DSS, CVV),
# file formats and protocols, and data that is Latin by nature (sign-in e-mails, platform ids
# such as `CALL-0001` or `chat-2026-11-21-0042-A-101`, booking codes, version hashes, time
# zone names, «Re:» of an e-mail subject), and the standard's own training module numbers
# (`T-HOLD · Этикет удержания…`), which trainers use as course numbers.
ALLOWED = {
    "qa_service", "RU", "EN", "Ctrl", "Enter", "Esc", "Shift", "Tab", "Y/N/A", "J/K",
    "SLA", "PCI", "DSS", "CVV", "CVC", "PNR", "AutoQA",
    "PDF", "XLSX", "CSV", "JSON", "YAML", "DOCX", "PPTX", "TXT", "JPG", "PNG", "WAV", "HTTP", "API", "IMAP",
    "CDR", "Asterisk", "Re",
}
DATA_LIKE = re.compile(
    r"^(?:[\w.+-]+@[\w.-]+"                            # e-mail addresses
    r"|[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*-\d[\w-]*"  # platform ids: CALL-0001, chat-2026-11-21-0042-A-101
    r"|[A-Z]{2,}[0-9]+|[A-Z0-9]{5,6}"                  # booking codes, agent ids
    r"|(?=[a-f]*\d)[0-9a-f]{6,}"                       # version hashes
    r"|[A-Z][a-z]+/[A-Z][A-Za-z_]+"                    # time zones: Europe/Moscow
    r"|T-[A-Z]+)$"                                     # the standard's training module numbers (§4), beside titles
)
SKIP = re.compile(r"^/(?:static|logout|api|metrics|health|rq)\b|\.(?:csv|xlsx|pdf|wav|mp3|ogg|flac|png)\b"
                  r"|/(?:audio|recording|export|download)\b|[?&](?:lang|format)=")
PAGES_PER_ROLE = 120


def visible_text(html: str) -> str:
    """What a reader sees: no scripts, styles, tags or attributes (so `title` hints are not text).

    A rubric's YAML source (`<pre class="rubric-text">`, an admin's «text of the rubric») is the
    customer's document as written, keys and all, not the interface's words."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r'<pre class="rubric-text">.*?</pre>', " ", html, flags=re.S)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def leaks(text: str) -> set[str]:
    """Latin words of two or more characters that are neither allowed nor data by nature."""
    # A word starts after a non-alphanumeric: `3e5980a1` (a hash) is not the word `e5980a1`.
    words = set(re.findall(r"(?<![0-9A-Za-z])[A-Za-z][A-Za-z0-9_@./\-]*[A-Za-z0-9_]", text))
    return {w for w in words if w not in ALLOWED and not DATA_LIKE.match(w)}


def _kind(path: str) -> str:
    """One page of each kind: digits do not make a new page, query values do not either."""
    parts = urlsplit(path)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def _links(html: str) -> Iterator[str]:
    for href in re.findall(r'href="([^"#]+)"', html):
        href = unescape(href)
        if href.startswith("/") and not href.startswith("//") and not SKIP.search(href):
            yield href


def _walk(client: Any) -> dict[str, str]:
    """Path -> visible text of every page reachable in two clicks from the signed-in home page (one of each kind)."""
    seen_kinds: set[str] = set()
    pages: dict[str, str] = {}
    frontier = ["/"]
    for _depth in range(4):  # home, its redirect, the nav pages, what they link to
        following: list[str] = []
        for path in frontier:
            if _kind(path) in seen_kinds or len(pages) >= PAGES_PER_ROLE:
                continue
            seen_kinds.add(_kind(path))
            response = client.get(path)
            if response.status_code in (301, 302, 303):
                following.append(response.headers["Location"])  # a local redirect is one more page
                continue
            if response.status_code != 200 or not response.mimetype.startswith("text/html"):
                assert response.status_code in (200, 403, 404, 405), f"{path}: {response.status_code}"
                continue
            html = response.get_data(as_text=True)
            pages[path] = visible_text(html)
            following.extend(_links(html))
        frontier = following
    return pages


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    from qa_service.db.migrate import upgrade

    folder = tmp_path_factory.mktemp("demo-words")
    settings = Settings(environment="test", instance_dir=folder / "instance", secret_key="test-secret")
    upgrade(settings.sqlalchemy_url)
    seed_demo_world(settings)
    return create_app(settings)


@pytest.mark.parametrize("email", [user[0] for user in DEMO_USERS], ids=[user[2].value for user in DEMO_USERS])
def test_every_page_of_every_role_speaks_russian(demo_app: Flask, email: str) -> None:
    client: Any = demo_app.test_client()
    sign_in(client, email, DEMO_PASSWORD)
    pages = _walk(client)
    assert len(pages) >= 3, f"{email} reached only {sorted(pages)}"
    found = {path: sorted(leaks(text)) for path, text in pages.items() if leaks(text)}
    assert found == {}, "English codes or ids on Russian pages:\n" + "\n".join(
        f"  {path}: {words}" for path, words in sorted(found.items()))


def test_the_walk_sees_what_the_demo_holds(demo_app: Flask) -> None:
    """The walk is only as good as the data: the pages carry machine reasons, queues and the lost owner."""
    client: Any = demo_app.test_client()
    sign_in(client, "qa@demo.local", DEMO_PASSWORD)
    pages = _walk(client)
    kinds = {_kind(path) for path in pages}
    assert {"/interactions/N?", "/queue?", "/calibration/N?", "/disputes/N?"} <= kinds, sorted(kinds)


def test_the_filter_catches_codes() -> None:
    assert leaks("модель clarifying_question: p=1.00 · очередь ru-general · unassigned") == {
        "clarifying_question", "ru-general", "unassigned"}
    assert leaks("CALL-0001-A-101 · chat-2026-11-21-0042-A-101 · qa@demo.local · Europe/Moscow · KLM123 · "
                 "Ctrl+Enter · b9beb88602f9") == set()
    assert leaks("first_response · hold_etiquette · N/A · sale · web-chat") == {
        "first_response", "hold_etiquette", "N/A", "sale", "web-chat"}
