"""MIME parsing and threading on real raw messages (koi8-r QP, windows-1251 base64, utf-8 HTML)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from qa_service.connectors.mime_thread import html_to_text, parse_message, strip_quoted, thread_document
from qa_service.core.interaction import validate_interaction

AGENT = "support@severny-veter.example"

# A customer's letter as a Russian mail client sends it: KOI8-R, quoted-printable, RFC 2047 subject.
CUSTOMER_KOI8 = b"""Return-Path: <client1@example.com>
Message-ID: <e1.1@example.com>
Date: Tue, 24 Nov 2026 10:15:00 +0300
From: =?koi8-r?b?6dfBziDzzcnSzs/X?= <Client1@Example.com>
To: support@severny-veter.example
Subject: =?koi8-r?b?98/a19LB1CDCyczF1ME=?=
X-Priority: 1 (Highest)
MIME-Version: 1.0
Content-Type: text/plain; charset="koi8-r"
Content-Transfer-Encoding: quoted-printable

=FA=C4=D2=C1=D7=D3=D4=D7=D5=CA=D4=C5!
=E8=CF=DE=D5 =D7=C5=D2=CE=D5=D4=D8 =C2=C9=CC=C5=D4, =D2=C5=CA=D3 =D0=C5=D2=
=C5=CE=C5=D3=CC=C9. =EB=CF=C4 =C2=D2=CF=CE=C9=D2=CF=D7=C1=CE=C9=D1 KX7P2M.
=EB=C1=CB =C2=D9=D3=D4=D2=CF =D7=C5=D2=CE=D5=D4 =C4=C5=CE=D8=C7=C9?

=E9=D7=C1=CE =F3=CD=C9=D2=CE=CF=D7
"""

# The agent's reply from Outlook: windows-1251, base64, the customer's letter quoted under «пишет:».
AGENT_CP1251 = b"""Message-ID: <e1.2@severny-veter.example>
In-Reply-To: <e1.1@example.com>
References: <e1.1@example.com>
Date: Tue, 24 Nov 2026 13:40:00 +0300
From: =?windows-1251?b?wO3t4A==?= <support@severny-veter.example>
To: client1@example.com
Subject: =?windows-1251?b?UmU6IMLu5+Lw4PIg4ejr5fLg?=
X-Agent-Id: A-101
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1251
Content-Transfer-Encoding: base64

0+Lg5uDl7PvpIMji4O0gz+Xy8O7i6PchCgrC4Pgg8uDw6PQg7eXi7ufi8ODy7fvpLCDi5fDtuOwg
4P3w7u/u8PLu4vvlIPHh7vD7IDE4MDAg8PPh6+XpLgoK0SDz4uDm5e3o5ewsCsDt7eAKyu7t8uDq
8u376SD25e3y8CDg4ujg6u7s7+Dt6Ogg0eXi5fDt++kgwuXy5fAK0uXrLiA4IDgwMCA1NTUtMzUt
MzUKCjI0LjExLjIwMjYsIDEwOjE1LCDI4uDtINHs6PDt7uIgPGNsaWVudDFAZXhhbXBsZS5jb20+
IO/o+OXyOgo+IMfk8ODi8fLi8+ny5SEKPiDV7vfzIOLl8O3z8vwg4ejr5fIK
"""

# The customer answers from a web mail: UTF-8 HTML only, the history in a gmail_quote, a PDF attached.
CUSTOMER_HTML = """Message-ID: <e1.3@example.com>
In-Reply-To: <e1.2@severny-veter.example>
References: <e1.1@example.com> <e1.2@severny-veter.example>
Date: Tue, 24 Nov 2026 15:00:00 +0300
From: client1@example.com
To: support@severny-veter.example
Subject: =?utf-8?b?UmU6IFJlOiDQktC+0LfQstGA0LDRgiDQsdC40LvQtdGC0LA=?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

<html><head><style>p {color: red}</style></head><body><p>Спасибо&nbsp;за ответ!</p>
<p>А справку от врача куда прислать?</p>
<div class="gmail_quote">24.11.2026, 13:40, Анна пишет:<blockquote>Ваш тариф невозвратный</blockquote></div>
</body></html>
--b1
Content-Type: application/pdf; name="spravka.pdf"
Content-Disposition: attachment; filename="spravka.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==
--b1--
""".encode()


def test_koi8r_quoted_printable_letter() -> None:
    message = parse_message(CUSTOMER_KOI8)
    assert message.subject == "Возврат билета"
    assert message.from_name == "Иван Смирнов" and message.from_address == "client1@example.com"
    assert "Хочу вернуть билет, рейс перенесли. Код бронирования KX7P2M." in message.text
    assert message.date == datetime(2026, 11, 24, 10, 15, tzinfo=timezone(timedelta(hours=3)))
    assert message.thread_key == "<e1.1@example.com>"


def test_windows1251_base64_reply_loses_the_quote_but_keeps_the_signature() -> None:
    message = parse_message(AGENT_CP1251)
    assert message.subject == "Re: Возврат билета"
    assert message.text.startswith("Уважаемый Иван Петрович!")
    assert "Контактный центр авиакомпании Северный Ветер" in message.text
    assert "пишет" not in message.text and "Хочу вернуть" not in message.text
    assert message.headers["X-Agent-Id"] == "A-101"
    assert message.thread_key == "<e1.1@example.com>"


def test_html_only_letter_with_attachment() -> None:
    message = parse_message(CUSTOMER_HTML)
    assert message.text == "Спасибо за ответ!\n\nА справку от врача куда прислать?"
    assert message.attachments == [{"name": "spravka.pdf", "size": 52, "type": "application/pdf"}]
    assert message.thread_key == "<e1.1@example.com>"


def test_thread_document() -> None:
    messages = [parse_message(raw) for raw in (CUSTOMER_HTML, AGENT_CP1251, CUSTOMER_KOI8)]
    doc = thread_document(messages, source="mail", agent_addresses=(AGENT,))
    validate_interaction(doc)
    assert doc["external_id"] == "e1.1@example.com"
    assert [t["speaker"] for t in doc["turns"]] == ["customer", "agent", "customer"]
    assert doc["agent_id"] == "A-101" and doc["meta"]["agent_name"] == "Анна"
    assert doc["outcome"] == "replied"
    assert doc["started_at"] == "2026-11-24T10:15:00+03:00" and doc["ended_at"] == "2026-11-24T15:00:00+03:00"
    assert doc["meta"]["urgent"] is True
    assert doc["meta"]["attachments"][0]["name"] == "spravka.pdf"
    assert doc["meta"]["attachments"][0]["message_id"] == "<e1.3@example.com>"
    # Attachments are listed, never kept: nothing of the PDF's bytes is in the document.
    assert "JVBERi0" not in str(doc)


def test_unreplied_thread_has_no_outcome_and_no_agent() -> None:
    doc = thread_document([parse_message(CUSTOMER_KOI8)], source="mail", agent_addresses=(AGENT,))
    validate_interaction(doc)
    assert "outcome" not in doc and doc["agent_id"] == "unassigned"


def test_strip_quoted_history_styles() -> None:
    outlook = (
        "Добрый день.\nОтвет ниже.\n\nОт: Иван <a@example.com>\nОтправлено: 24 ноября 2026 г.\nТема: Вопрос\n\nтекст"
    )
    assert strip_quoted(outlook) == "Добрый день.\nОтвет ниже."
    english = "Thanks!\n\nOn Tue, 24 Nov 2026 at 10:15, Ivan <a@example.com> wrote:\n> old"
    assert strip_quoted(english) == "Thanks!"
    original = "Готово.\n-----Original Message-----\nFrom: x"
    assert strip_quoted(original) == "Готово."
    inline = "> вопрос\nответ\n> ещё вопрос\nещё ответ"
    assert strip_quoted(inline) == "ответ\nещё ответ"
    # A signature is the agent's own text and is scored: it stays.
    assert strip_quoted("Текст\n-- \nАнна") == "Текст\n-- \nАнна"


def test_html_to_text_drops_scripts_and_quotes() -> None:
    html = "<div>Один<br>Два</div><script>alert(1)</script><blockquote>старое</blockquote><p>Три &amp; четыре</p>"
    assert html_to_text(html) == "Один\nДва\n\nТри & четыре"


def test_message_without_message_id_gets_a_stable_one() -> None:
    raw = b"From: a@example.com\nSubject: hi\nDate: Tue, 24 Nov 2026 10:15:00 +0300\n\nbody\n"
    assert parse_message(raw).message_id == parse_message(raw).message_id
    assert parse_message(raw).message_id.endswith("@no-message-id>")


def test_a_mime_bomb_is_refused_before_the_recursive_parser_sees_it() -> None:
    from qa_service.connectors.base import PoisonItem

    depth = 2000
    body = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth))
    raw = ("From: a@example.ru\r\nMessage-ID: <bomb@x>\r\n" + body + "Content-Type: text/plain\r\n\r\nhi\r\n").encode()
    with pytest.raises(PoisonItem, match="2000 вложенных"):
        parse_message(raw)
    shallow = raw.replace(body.encode(), body[: body.index("--b3")].encode() + b"--b3\r\n")
    assert parse_message(shallow).message_id == "<bomb@x>"  # a few levels are ordinary mail


def test_html_text_of_deeply_nested_tags_takes_linear_time() -> None:
    text = html_to_text("<div>слово " * 30000 + "</div>" * 30000)
    assert text.count("слово") == 30000
