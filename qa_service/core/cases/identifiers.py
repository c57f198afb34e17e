"""What identifies a customer's matter — booking code, ticket/EMD number, phone, e-mail — as keyed hashes.

Identifiers are personal data: a case is linked on HMAC-SHA256 digests under a secret of the
tenant's own (derived from the application's secret), computed from the clear text at ingestion,
before redaction; only the digests and a masked display form are ever stored.  The same value in
two tenants gives two unrelated digests, so no table can be joined across airlines.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Kinds that name one matter (a booking, a ticket); a phone or e-mail names a person, who may
# have several matters, or share the number with a relative (weak keys, see services/cases/linking).
STRONG = ("booking", "ticket", "emd")
WEAK = ("phone", "email")
KINDS = (*STRONG, *WEAK)

# Cyrillic letters that look like Latin ones: a code typed on a Russian keyboard is still the code.
_LOOKALIKE = str.maketrans("АВЕКМНОРСТУХавекмнорстух", "ABEKMHOPCTYXABEKMHOPCTYX")
_BOOKING_CONTEXT = re.compile(r"(брон\w*|pnr|код\w*|заказ\w*|booking)[\s:№#-]*$", re.IGNORECASE)
_CODE = re.compile(r"(?<![\w-])[A-Za-zА-Яа-я0-9]{6}(?![\w-])")
_TICKET = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{10})(?![\d-])")
_EMD_CONTEXT = re.compile(r"(emd|эмд|квитанц\w*|mco)[^.\n]{0,25}$", re.IGNORECASE)
_TICKET_CONTEXT = re.compile(r"(билет\w*|ticket)[^.\n]{0,25}$", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(?:\+7|8|7)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_META_KEYS: Mapping[str, str] = {
    "booking_code": "booking", "pnr": "booking", "booking": "booking",
    "ticket_number": "ticket", "ticket": "ticket", "emd_number": "emd", "emd": "emd",
    "customer_phone": "phone", "caller": "phone", "ani": "phone", "phone": "phone",
    "customer_email": "email", "email": "email", "from_address": "email",
}


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str  # normalised clear value: lives only in memory, never stored
    start: int = -1  # span in the text it was found in (-1: a platform field)
    end: int = -1


def normalise(kind: str, raw: str) -> str:
    if kind == "booking":
        return raw.translate(_LOOKALIKE).upper()
    if kind in ("ticket", "emd"):
        return re.sub(r"\D", "", raw)
    if kind == "phone":
        digits = re.sub(r"\D", "", raw)
        return "7" + digits[-10:] if len(digits) >= 10 else digits
    return raw.strip().lower()


def _booking_codes(text: str) -> Iterable[Identifier]:
    for match in _CODE.finditer(text):
        raw = match.group(0)
        code = normalise("booking", raw)
        if not re.fullmatch(r"[A-Z0-9]{6}", code) or code.isdigit():
            continue
        said_as_code = bool(_BOOKING_CONTEXT.search(text[max(0, match.start() - 30) : match.start()]))
        # Without «бронь»/«PNR» before it, only a mixed letters-and-digits code in capitals counts:
        # a six-letter Russian word is not a booking code.
        shaped = raw.isupper() and any(c.isdigit() for c in raw) and any(c.isalpha() for c in raw)
        if (said_as_code and raw.upper() == raw) or shaped:
            yield Identifier("booking", code, match.start(), match.end())


def _tickets(text: str) -> Iterable[Identifier]:
    for match in _TICKET.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if _EMD_CONTEXT.search(before):
            kind = "emd"
        elif _TICKET_CONTEXT.search(before) or "-" in match.group(0):
            kind = "ticket"
        else:
            continue
        yield Identifier(kind, match.group(1) + match.group(2), match.start(), match.end())


def find_in_text(text: str, *, personal: bool = True, ignore_phones: Iterable[str] = ()) -> list[Identifier]:
    """Identifiers in one turn's clear text; `personal` adds phones and e-mails (the customer's turns)."""
    found = [*_booking_codes(text), *_tickets(text)]
    if personal:
        ignored = {normalise("phone", p) for p in ignore_phones}
        for match in _PHONE.finditer(text):
            value = normalise("phone", match.group(0))
            if len(value) == 11 and value not in ignored:
                found.append(Identifier("phone", value, match.start(), match.end()))
        found += [Identifier("email", normalise("email", m.group(0)), m.start(), m.end())
                  for m in _EMAIL.finditer(text)]
    return found


def find_in_meta(meta: Mapping[str, Any], *, ignore_phones: Iterable[str] = (),
                 ignore_emails: Iterable[str] = ()) -> list[Identifier]:
    """Identifiers the platform sends as fields (booking code, caller's number, sender's address)."""
    found: list[Identifier] = []
    ignored_phones = {normalise("phone", p) for p in ignore_phones}
    ignored_emails = {normalise("email", e) for e in ignore_emails}
    for key, kind in _META_KEYS.items():
        value = meta.get(key)
        if not isinstance(value, str | int) or not str(value).strip():
            continue
        clear = normalise(kind, str(value))
        if (kind == "phone" and (len(clear) != 11 or clear in ignored_phones)) or (
                kind == "email" and ("@" not in clear or clear in ignored_emails)):
            continue
        found.append(Identifier(kind, clear))
    return found


def tenant_secret(app_secret: bytes, tenant_id: int) -> bytes:
    """The tenant's own linking key: HMAC of the application's secret, so it is never stored anywhere."""
    return hmac.new(app_secret, f"case-link:tenant:{tenant_id}".encode(), hashlib.sha256).digest()


def digest(secret: bytes, kind: str, value: str) -> str:
    """The keyed hash a case is linked on (hex, 64 characters)."""
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def display(kind: str, value: str) -> str:
    """The masked form shown to people: enough to tell two bookings apart on a page, not to use one."""
    if kind == "booking":  # one character each side: two letters together would read as a word
        return value[:1] + "*" * (len(value) - 2) + value[-1:]
    if kind in ("ticket", "emd"):
        return value[:3] + "*" * (len(value) - 6) + value[-3:]
    return "*" * len(value)


def mask(text: str) -> str:
    """`text` with booking codes and ticket/EMD numbers masked in place (same length: stored offsets hold)."""
    chars = list(text)
    for found in [*_booking_codes(text), *_tickets(text)]:
        span = text[found.start : found.end]
        keep_head, keep_tail = (1, 1) if found.kind == "booking" else (3, 3)
        alnum = [i for i, c in enumerate(span) if c.isalnum()]
        for position in alnum[keep_head : len(alnum) - keep_tail]:
            chars[found.start + position] = "*"
    return "".join(chars)
