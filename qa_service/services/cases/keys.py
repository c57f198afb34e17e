"""A contact's identifiers as "kind:digest" under the tenant's own secret — the clear values never leave memory."""

from __future__ import annotations

from collections.abc import Iterable

from qa_service.config import Settings
from qa_service.core.cases.identifiers import Identifier, digest, display, find_in_meta, find_in_text, tenant_secret
from qa_service.core.interaction import Interaction as DomainInteraction


def keyed(settings: Settings, tenant_id: int, found: Iterable[Identifier]) -> list[str]:
    secret = tenant_secret(settings.secret_key.encode(), tenant_id)
    return sorted({f"{i.kind}:{digest(secret, i.kind, i.value)}" for i in found})


def booking_display(found: Iterable[Identifier]) -> str | None:
    return next((display(i.kind, i.value) for i in found if i.kind == "booking"), None)


def contact_identifiers(item: DomainInteraction, kept_phones: Iterable[str], own_addresses: Iterable[str] = ()
                        ) -> list[Identifier]:
    """From the clear contact: platform fields, and the turns (phones and e-mails only from the customer)."""
    kept = tuple(kept_phones)
    found = find_in_meta(item.meta, ignore_phones=kept, ignore_emails=own_addresses)
    speakers_known = any(t.speaker in ("agent", "customer") for t in item.turns)
    for turn in item.turns:
        personal = turn.speaker == "customer" or not speakers_known
        for text in (turn.text, turn.subject or ""):
            found += find_in_text(text, personal=personal, ignore_phones=kept)
    return found
