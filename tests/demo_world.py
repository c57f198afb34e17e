"""Demo-like data for UI tests: what `make demo` seeds, on the test samples instead of the simulator.

`seed_demo_world(settings)` stores the sample chat, e-mail and transcribed call for the demo's
agents Анна (A-101) and Светлана (A-105) through the real ingestion and scoring (in-process),
an e-mail no agent answered (the connectors' `unassigned` placeholder), then runs the demo's
own set-up (`demo.tenant`, `demo.reports`): teams, the week's sample, released
evaluations and a dispute, a calibration session, coaching needs, yesterday's reports.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from qa_service.config import Settings
from qa_service.db.session import transaction
from qa_service.demo.reports import demo_card_chat, seed_demo_reports
from qa_service.demo.tenant import (
    link_demo_agent,
    prepare_demo_accounts,
    seed_demo_calibration,
    seed_demo_coaching,
    seed_demo_teams,
    seed_demo_work,
)
from qa_service.services.ingestion.intake import store_interaction

SAMPLES = Path(__file__).resolve().parent / "data" / "interactions"
SAMPLE_NAMES = ("chat-refund.json", "email-baggage.json", "call-exchange.json")


def _shifted(name: str, agent: str, started: datetime) -> dict:  # type: ignore[type-arg]
    """A sample interaction moved to `started`, as agent `agent`, with an external id of its own."""
    item = json.loads((SAMPLES / name).read_text())
    shift = started - datetime.fromisoformat(item["started_at"])
    item |= {"external_id": f"{item['external_id']}-{agent}", "agent_id": agent,
             "started_at": started.isoformat(),
             "ended_at": (datetime.fromisoformat(item["ended_at"]) + shift).isoformat()}
    for message in item.get("messages") or []:
        if message.get("at"):
            message["at"] = (datetime.fromisoformat(message["at"]) + shift).isoformat()
    item.pop("recording", None)  # the sample call comes transcribed: no audio to fetch
    return item  # type: ignore[no-any-return]


def seed_demo_world(settings: Settings, *, everything: bool = True) -> int:
    """The demo's data on the test samples; returns the demo tenant's id.

    `everything=False` leaves out coaching, reports and the unanswered e-mail (the shorter
    set the review, dispute and admin first minutes need).
    """
    accounts = prepare_demo_accounts(settings)
    now = datetime.now(UTC)
    items = [(name, agent) for name in SAMPLE_NAMES for agent in ("A-101", "A-105")]
    if everything:
        items.append(("email-baggage.json", "unassigned"))  # what a connector stores for nobody's mail
    for n, (name, agent) in enumerate(items):
        item = _shifted(name, agent, now - timedelta(hours=n + 1))
        with transaction(settings.sqlalchemy_url) as session:
            store_interaction(session, settings, accounts.tenant_id, item)  # scored after the commit, in-process
    link_demo_agent(settings, accounts.tenant_id)
    seed_demo_teams(settings, accounts.tenant_id)
    seed_demo_work(settings, accounts.tenant_id, now=now)
    seed_demo_calibration(settings, accounts.tenant_id)
    if everything:
        seed_demo_coaching(settings, accounts.tenant_id)
        demo_card_chat(settings, accounts.tenant_id, now)
        seed_demo_reports(settings, accounts.tenant_id, now)
    return accounts.tenant_id
