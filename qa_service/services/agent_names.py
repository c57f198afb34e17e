"""How an agent is named to people: name and platform id, and the connectors' `unassigned` placeholder.

Connectors store `unassigned` as the agent of an interaction nobody answered (an e-mail in the
shared mailbox, say); people read «Оператор не назначен» for it, without a platform id.
"""

from __future__ import annotations

UNASSIGNED_AGENT = "unassigned"
UNASSIGNED_AGENT_NAME = "Оператор не назначен"


def agent_label(name: str, external_id: str) -> str:
    """`Анна Смирнова (A-101)`; the placeholder agent by its name alone."""
    return name if external_id == UNASSIGNED_AGENT else f"{name} ({external_id})"
