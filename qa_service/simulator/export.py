"""The simulated platform as a drop folder: Asterisk CDR + MixMonitor recordings, JSON lines, CSVs.

What a PBX and an export job would leave on an SFTP share, for the drop-folder connector's
demo:  `cdr/Master.csv` (no header, local time), `monitor/YYYY/MM/DD/in-…-<uniqueid>.wav`,
`interactions-chats.jsonl` (contract documents), `status-agents.csv`,
`staffing-plan.csv`.  Agents' PBX extensions map to their ids with `AGENT_EXTENSIONS`.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from qa_service.simulator.audio import cached_call
from qa_service.simulator.data import MSK, PlatformData
from qa_service.simulator.scripts import AGENTS

AGENT_EXTENSIONS = {f"1{agent.id[-3:]}": agent.id for agent in AGENTS}  # "1101" → "A-101"
_EXTENSION_OF = {agent_id: ext for ext, agent_id in AGENT_EXTENSIONS.items()}
_LOCAL = "%Y-%m-%d %H:%M:%S"


def _local(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(MSK)


def _cdr_row(index: int, call: dict[str, Any]) -> tuple[list[str], str | None]:
    start, end = _local(call["started_at"]), _local(call["ended_at"])
    inbound = call["direction"] == "in"
    uniqueid = f"{int(start.timestamp())}.{index}"
    customer = f"7999000{index:04d}"
    extension = _EXTENSION_OF.get((call.get("operator") or {}).get("id", ""), "")
    answered = call["result"] == "answered"
    answer = start + timedelta(seconds=call["wait_sec"]) if answered else None
    src, dst = (customer, "5000") if inbound else (extension, customer)
    row = [
        "", src, dst, "from-trunk" if inbound else "from-internal", src,
        f"SIP/trunk-{index:08x}" if inbound else f"SIP/{extension}-{index:08x}",
        f"SIP/{extension}-{index + 1:08x}" if inbound and extension else ("SIP/trunk-0" if not inbound else ""),
        "Queue" if inbound else "Dial", f"{call['queue']},t" if inbound else f"SIP/{customer}@trunk",
        start.strftime(_LOCAL), answer.strftime(_LOCAL) if answer else "", end.strftime(_LOCAL),
        str(int((end - start).total_seconds())), str(int((end - answer).total_seconds())) if answer else "0",
        "ANSWERED" if answered else "NO ANSWER", "DOCUMENTATION", uniqueid,
        f"topic={call['wrapup']};sale={call['amount']}" if call.get("wrapup") else "",
    ]
    recording = None
    if call.get("recording"):
        prefix = f"in-5000-{customer}" if inbound else f"out-{customer}-{extension}"
        recording = f"monitor/{start:%Y/%m/%d}/{prefix}-{start:%Y%m%d-%H%M%S}-{uniqueid}.wav"
    return row, recording


def export_dropfolder(data: PlatformData, target: Path, cache_dir: Path) -> dict[str, int]:
    """Write the dataset as a drop folder under `target`; counts of what was written."""
    (target / "cdr").mkdir(parents=True, exist_ok=True)
    cdr = io.StringIO()
    writer = csv.writer(cdr, quoting=csv.QUOTE_ALL, lineterminator="\n")
    recordings = 0
    for index, call in enumerate(data.calls):
        row, recording = _cdr_row(index, call)
        writer.writerow(row)
        if recording is not None:
            audio, _ = cached_call(data.call_lines[call["id"]], call["operator"]["name"], cache_dir)
            (target / recording).parent.mkdir(parents=True, exist_ok=True)
            (target / recording).write_bytes(audio)
            recordings += 1
    (target / "cdr" / "Master.csv").write_text(cdr.getvalue(), "utf-8")
    lines = [_chat_document(chat) for chat in data.chats]
    (target / "interactions-chats.jsonl").write_text(
        "".join(json.dumps(doc, ensure_ascii=False) + "\n" for doc in lines), "utf-8"
    )
    with (target / "status-agents.csv").open("w", encoding="utf-8", newline="") as handle:
        status_writer = csv.writer(handle, lineterminator="\n")
        status_writer.writerow(["agent_id", "status", "at"])
        status_writer.writerows([s["operator_id"], s["state"], s["at"]] for s in data.statuses)
    with (target / "staffing-plan.csv").open("w", encoding="utf-8", newline="") as handle:
        plan_writer = csv.writer(handle, lineterminator="\n")
        plan_writer.writerow(["hour_start", "planned_agents", "queue"])
        plan_writer.writerows([s["hour"], s["planned"], s["queue"]] for s in data.staffing)
    return {"calls": len(data.calls), "recordings": recordings, "chats": len(lines),
            "status_events": len(data.statuses), "staffing_slots": len(data.staffing)}


def _chat_document(chat: dict[str, Any]) -> dict[str, Any]:
    return {
        "external_id": chat["id"],
        "channel": "chat",
        "agent_id": chat["operator"]["id"],
        "queue": chat["queue"],
        "topic": chat["topic"],
        "started_at": chat["opened_at"],
        "ended_at": chat["closed_at"],
        "outcome": "closed",
        "turns": [
            {"speaker": "agent" if m["author"] == "operator" else "customer", "text": m["text"], "at": m["sent_at"]}
            for m in chat["messages"]
        ],
        "meta": {"agent_name": chat["operator"]["name"]},
    }
