"""The simulated platform's records, in the platform's own JSON shape (not our contract).

The shape deliberately differs from the interaction contract (`operator.id`, `wrapup`,
`result: lost`…) so the HTTP connector's field mapping is exercised.  Deterministic for a
seed; every time is relative to `anchor` (the server's start), in +03:00.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from qa_service.simulator.scripts import AGENTS, CUSTOMERS, TOPICS, Agent, Line, call_lines, chat_messages, email_bodies
from qa_service.simulator.transactions import add_transactions

MSK = timezone(timedelta(hours=3))
MAILBOX = "support@severny-veter.example"


@dataclass
class PlatformData:
    """Everything the simulated platform serves."""

    anchor: datetime
    seed: int
    calls: list[dict[str, Any]] = field(default_factory=list)
    call_lines: dict[str, list[Line]] = field(default_factory=dict)
    chats: list[dict[str, Any]] = field(default_factory=list)
    emails: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    staffing: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)

    def collection(self, kind: str) -> list[dict[str, Any]]:
        """The records of one endpoint, in cursor order."""
        return {"calls": self.calls, "chats": self.chats, "emails": self.emails,
                "agent-statuses": self.statuses, "staffing": self.staffing, "transactions": self.transactions}[kind]


def _t(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _operator(agent: Agent) -> dict[str, str]:
    return {"id": agent.id, "name": agent.name}


def estimated_seconds(lines: list[Line]) -> float:
    """Roughly how long espeak-ng takes to say the lines (the audio module places them exactly)."""
    return sum(line.pause + 0.3 + len(line.text) * 0.066 for line in lines)


def generate(
    seed: int = 7, calls: int = 24, chats: int = 12, emails: int = 8, now: datetime | None = None
) -> PlatformData:
    """The sample dataset: the same for a seed, placed in the hours before `now`."""
    anchor = (now or datetime.now(MSK)).astimezone(MSK).replace(second=0, microsecond=0)
    rng = random.Random(seed)
    data = PlatformData(anchor=anchor, seed=seed)
    _calls(data, rng, calls)
    _chats(data, rng, chats)
    _emails(data, rng, emails)
    _statuses(data, rng)
    _staffing(data, rng)
    # Booking/payment events after everything else drew from `rng`: the other records stay as they were.
    data.transactions = [*add_transactions(data.calls, seed, "started_at", "wrapup"),
                         *add_transactions(data.chats, seed, "opened_at", "topic")]
    for records in (data.calls, data.chats, data.emails, data.statuses, data.staffing, data.transactions):
        records.sort(key=lambda r: (r["updated_at"], r["id"]))
    return data


def _calls(data: PlatformData, rng: random.Random, count: int) -> None:
    for i in range(count):
        agent = AGENTS[i % len(AGENTS)]
        outbound = i % 5 == 4
        # Chosen so the default 24 calls cover every topic and show each faulty agent's fault.
        topic = "info" if outbound else TOPICS[(i + 3 * (i // len(AGENTS))) % len(TOPICS)]
        call_id = f"C-{data.seed:02d}{i + 1:05d}"
        start = data.anchor - timedelta(minutes=(count - i) * 17 + rng.randint(0, 9), seconds=rng.randint(0, 59))
        wait = 0 if outbound else rng.randint(3, 45)
        record: dict[str, Any] = {
            "id": call_id,
            "direction": "out" if outbound else "in",
            "queue": "outbound" if outbound else ("sales" if topic == "sale" else "service"),
            "started_at": _t(start),
            "wait_sec": wait,
        }
        if not outbound and i % 7 == 1:  # a caller who gave up in the queue: no agent, no recording
            end = start + timedelta(seconds=wait + 30)
            record.update(operator=None, result="lost", wait_sec=wait + 30, ended_at=_t(end), wrapup=None,
                          amount=0, recording=None, updated_at=_t(end))
            data.calls.append(record)
            continue
        lines = call_lines(topic, agent, rng, outbound=outbound)
        end = start + timedelta(seconds=wait + estimated_seconds(lines))
        amount = {"sale": 12400, "baggage": 2500}.get(topic, 0)
        record.update(
            operator=_operator(agent),
            result="answered",
            ended_at=_t(end),
            wrapup=topic,
            amount=amount,
            recording=f"/api/v1/calls/{call_id}/recording",
            updated_at=_t(end),
        )
        data.calls.append(record)
        data.call_lines[call_id] = lines


def _chats(data: PlatformData, rng: random.Random, count: int) -> None:
    for i in range(count):
        agent = AGENTS[(i * 3) % len(AGENTS)]
        topic = TOPICS[i % len(TOPICS)]
        start = data.anchor - timedelta(minutes=(count - i) * 31 + rng.randint(0, 15))
        moment = start
        messages: list[dict[str, str]] = []
        agent_replies = 0
        for speaker, text in chat_messages(topic, agent, rng):
            if speaker == "agent":
                slow = "slow_chat" in agent.faults
                first = agent_replies == 0
                delay = (185 if first else rng.randint(130, 170)) if slow else rng.randint(15, 45 if first else 90)
                agent_replies += 1
            else:
                delay = rng.randint(20, 90) if messages else 0
            moment = moment + timedelta(seconds=delay)
            author = "operator" if speaker == "agent" else "client"
            messages.append({"author": author, "text": text, "sent_at": _t(moment)})
        data.chats.append({
            "id": f"CH-{data.seed:02d}{i + 1:05d}",
            "operator": _operator(agent),
            "queue": "web-chat",
            "topic": topic,
            "opened_at": _t(start),
            "closed_at": _t(moment),
            "status": "closed",
            "messages": messages,
            "updated_at": _t(moment),
        })


def _emails(data: PlatformData, rng: random.Random, count: int) -> None:
    for i in range(count):
        agent = AGENTS[(i * 5 + 3) % len(AGENTS)]
        topic = TOPICS[(i + 2) % len(TOPICS)]
        customer = CUSTOMERS[i % len(CUSTOMERS)]
        subject, letter, reply = email_bodies(topic, agent, customer)
        address = f"client{i + 1}@example.com"
        thread_id = f"E-{data.seed:02d}{i + 1:05d}"
        received = data.anchor - timedelta(hours=36 + i * 3, minutes=rng.randint(0, 59))
        msg_id = f"<{thread_id.lower()}.1@example.com>"
        messages: list[dict[str, Any]] = [{
            "id": msg_id, "from": "client", "address": address, "name": f"{customer[0]} {customer[2]}",
            "sent_at": _t(received), "subject": subject, "body": letter,
            "attachments": [{"name": "bilet.pdf", "size": 48213, "type": "application/pdf"}] if i % 3 == 0 else [],
        }]
        replied = i != count - 1 or count == 1  # the newest letter is still waiting for an answer
        if replied:
            delay = timedelta(hours=30) if "slow_email" in agent.faults else timedelta(hours=rng.randint(2, 6))
            messages.append({
                "id": f"<{thread_id.lower()}.2@severny-veter.example>", "from": "operator", "address": MAILBOX,
                "name": agent.name, "agent_id": agent.id, "sent_at": _t(received + delay),
                "subject": f"Re: {subject}", "body": reply, "attachments": [], "in_reply_to": msg_id,
            })
            if i % 2 == 0:
                messages.append({
                    "id": f"<{thread_id.lower()}.3@example.com>", "from": "client", "address": address,
                    "name": f"{customer[0]} {customer[2]}", "sent_at": _t(received + delay + timedelta(hours=1)),
                    "subject": f"Re: {subject}", "body": "Спасибо за ответ!", "attachments": [],
                    "in_reply_to": messages[-1]["id"],
                })
        data.emails.append({
            "id": thread_id,
            "mailbox": MAILBOX,
            "subject": subject,
            "topic": topic,
            "operator": _operator(agent) if replied else None,
            "received_at": messages[0]["sent_at"],
            "messages": messages,
            "updated_at": messages[-1]["sent_at"],
        })


_PLATFORM_STATES = {"ready": "Available", "on_call": "Busy", "not_ready": "Pause", "break": "Lunch",
                    "logged_out": "Offline"}


def _statuses(data: PlatformData, rng: random.Random) -> None:
    counter = 0
    for index, agent in enumerate(AGENTS):
        moment = data.anchor - timedelta(hours=10) + timedelta(minutes=index * 10)
        plan: list[tuple[str, int]] = [("ready", rng.randint(5, 20))]
        for cycle in range(6):
            plan += [("on_call", rng.randint(4, 15)), ("not_ready", 2), ("ready", rng.randint(10, 40))]
            if cycle == 2:
                plan.append(("break", 30))
        if index % 2 == 0:
            plan.append(("logged_out", 0))
        for state, minutes in plan:
            if moment > data.anchor:
                break
            counter += 1
            data.statuses.append({
                "id": f"S-{data.seed:02d}{counter:06d}",
                "operator_id": agent.id,
                "state": _PLATFORM_STATES[state],
                "at": _t(moment),
                "updated_at": _t(moment),
            })
            moment += timedelta(minutes=minutes)


def _staffing(data: PlatformData, rng: random.Random) -> None:
    planned_on = data.anchor.replace(minute=0) - timedelta(days=2)
    first_hour = data.anchor.replace(minute=0) - timedelta(hours=24)
    for offset in range(48):
        hour = first_hour + timedelta(hours=offset)
        base = 4 if hour.hour < 7 else (11 if 9 <= hour.hour < 19 else 7)
        planned = 3 if hour.hour == 4 else base + rng.randint(0, 1)  # 04:00 is under-staffed on purpose
        data.staffing.append({"id": f"P-{hour:%Y%m%d%H}", "hour": _t(hour), "planned": planned,
                              "queue": "all", "updated_at": _t(planned_on)})
