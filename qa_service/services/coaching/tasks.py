"""Coaching: a trainer assigns a module with materials and examples, schedules and records the
session; the agent opens the materials and acknowledges.  Who sees what follows the role table.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePath

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qa_service.core.coaching_modules import MODULE_TITLES
from qa_service.core.errors import UserFacingError
from qa_service.db.blobs import BlobStore
from qa_service.db.models import (
    Agent,
    CoachingFormat,
    CoachingMaterial,
    CoachingStatus,
    CoachingTask,
    CriterionAnswer,
    Evaluation,
    EvaluationKind,
    Interaction,
    Role,
    Team,
    TrainingNeed,
)
from qa_service.services.access import AnySelect, Viewer, scope_interactions
from qa_service.services.agent_names import agent_label
from qa_service.services.audit import record
from qa_service.services.coaching.materials import (
    Upload,
    check_link,
    check_upload,
)
from qa_service.services.form_versions import (
    require_version,
    state_token,
)
from qa_service.services.input_limits import (
    check_text,
)

COACHES = (Role.ADMIN, Role.QA, Role.TRAINER)
GROUP_SUGGESTED_FROM = 3  # agents needing one module: a group session is cheaper than 1:1s

class CoachingError(UserFacingError):
    pass


def _not_found() -> CoachingError:
    return CoachingError("задание не найдено", "coaching task not found")


# --- scope -----------------------------------------------------------------------------------


def scope_agents(stmt: AnySelect, viewer: Viewer) -> AnySelect:
    """Restrict a select over `Agent` to the agents `viewer` may see coaching of."""
    stmt = stmt.where(Agent.tenant_id == viewer.tenant_id)
    if viewer.role == Role.SUPERVISOR:
        return stmt.where(Agent.team_id.in_(viewer.team_ids))
    if viewer.role == Role.AGENT:
        return stmt.where(Agent.id.in_(viewer.agent_ids))
    return stmt


def visible_agents(session: Session, viewer: Viewer) -> list[Agent]:
    return list(session.scalars(scope_agents(select(Agent), viewer).order_by(Agent.name)))


# --- assigning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCoaching:
    agent_ids: Sequence[int]
    module: str
    format: CoachingFormat = CoachingFormat.ONE_TO_ONE
    due_at: datetime | None = None
    scheduled_at: datetime | None = None
    notes: str = ""
    links: Sequence[str] = ()
    examples: Sequence[tuple[int, str]] = ()  # (interaction id, "good" | "bad")
    need_id: int | None = None
    delivered_by_customer: bool = False
    uploads: Sequence[Upload] = field(default_factory=tuple)


def assign_coaching(session: Session, viewer: Viewer, blobs: BlobStore, new: NewCoaching,
                    now: datetime) -> list[CoachingTask]:
    """One task per agent (a group session gives each participant theirs), with the same materials."""
    if viewer.role not in COACHES:
        raise CoachingError("назначать обучение может тренер", "only a trainer assigns coaching")
    if new.module not in MODULE_TITLES:
        raise CoachingError("выберите модуль обучения из стандарта", "choose a training module of the standard")
    agents = list(session.scalars(scope_agents(select(Agent).where(Agent.id.in_(list(new.agent_ids))), viewer)))
    if not agents or len(agents) != len(set(new.agent_ids)):
        raise CoachingError("выберите оператора", "choose an agent")
    if new.due_at is not None and new.due_at < now - timedelta(days=1):
        raise CoachingError("срок уже прошёл", "the due date is in the past")
    notes = check_text(new.notes.strip(), CoachingTask.notes, "заметки для оператора", "notes for the agent")
    checked = [(upload, check_upload(upload)) for upload in new.uploads]
    links = [check_link(link) for link in new.links if link.strip()]
    example_ids = [i for i, _ in new.examples]
    known = set(session.scalars(select(Interaction.id).where(
        Interaction.tenant_id == viewer.tenant_id, Interaction.id.in_(example_ids))))
    if set(example_ids) - known:
        raise CoachingError("пример не найден", "example interaction not found")
    need = None
    if new.need_id is not None:
        need = session.scalar(select(TrainingNeed).where(
            TrainingNeed.id == new.need_id, TrainingNeed.tenant_id == viewer.tenant_id))
    stored = []
    for upload, mime in checked:
        suffix = PurePath(upload.filename).suffix.lower()
        key = f"tenant-{viewer.tenant_id}/coaching/{uuid.uuid4().hex}{suffix}"
        blobs.put_bytes(key, upload.content)
        stored.append((PurePath(upload.filename).name[:300], key, mime, len(upload.content)))
    tasks = []
    for agent in agents:
        task = CoachingTask(
            tenant_id=viewer.tenant_id, agent_id=agent.id, trainer_id=viewer.user_id, module=new.module,
            format=new.format, due_at=new.due_at, scheduled_at=new.scheduled_at, notes=notes or None,
            delivered_by_customer=new.delivered_by_customer, created_at=now,
            training_need_id=need.id if need is not None and need.agent_id == agent.id else None,
            example_interactions=[{"interaction_id": i, "kind": "good" if kind == "good" else "bad"}
                                  for i, kind in new.examples],
        )
        for title, key, mime, size in stored:
            task.materials.append(CoachingMaterial(tenant_id=viewer.tenant_id, title=title, blob_key=key,
                                                   mime_type=mime, size_bytes=size, created_at=now))
        for link in links:
            task.materials.append(CoachingMaterial(tenant_id=viewer.tenant_id, title=link, url=link, created_at=now))
        session.add(task)
        tasks.append(task)
    session.flush()
    for task in tasks:
        named = next((a for a in agents if a.id == task.agent_id), None)
        record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="coaching.assign",
               entity="coaching_task", entity_id=task.id,
               details={"module": task.module,
                        "agent": agent_label(named.name, named.external_id) if named else None,
                        "format": task.format.value,
                        "due_at": task.due_at.isoformat() if task.due_at else None})
    return tasks


# --- reading ---------------------------------------------------------------------------------


def _tasks_stmt(viewer: Viewer) -> Select[CoachingTask, Agent]:
    visible = scope_agents(select(Agent.id), viewer)
    return (
        select(CoachingTask, Agent)
        .join(Agent, Agent.id == CoachingTask.agent_id)
        .where(CoachingTask.tenant_id == viewer.tenant_id, CoachingTask.agent_id.in_(visible))
    )


def sees_tasks(viewer: Viewer) -> bool:
    """The airline's reviewer sees needs and effects by module and team, not the agents' tasks."""
    return viewer.role != Role.CUSTOMER


def list_tasks(session: Session, viewer: Viewer, *, open_only: bool = False) -> list[tuple[CoachingTask, Agent]]:
    if not sees_tasks(viewer):
        return []
    stmt = _tasks_stmt(viewer)
    if open_only:
        stmt = stmt.where(CoachingTask.status != CoachingStatus.DONE)
    stmt = stmt.order_by(
        (CoachingTask.status == CoachingStatus.DONE).asc(), CoachingTask.due_at.asc(), CoachingTask.id.desc())
    return [(row[0], row[1]) for row in session.execute(stmt).all()]


def get_task(session: Session, viewer: Viewer, task_id: int) -> tuple[CoachingTask, Agent]:
    row = session.execute(_tasks_stmt(viewer).where(CoachingTask.id == task_id)).first() if sees_tasks(
        viewer) else None
    if row is None:
        raise _not_found()
    return row[0], row[1]


def interactions_by_id(session: Session, viewer: Viewer, ids: Sequence[int]) -> dict[int, Interaction]:
    """Evidence and example interactions, as far as `viewer` may open them."""
    stmt = scope_interactions(select(Interaction).where(Interaction.id.in_(list(ids))), viewer)
    return {i.id: i for i in session.scalars(stmt)}


def good_examples(session: Session, viewer: Viewer, criterion_id: str, limit: int = 5) -> list[Interaction]:
    """Recent interactions where the criterion was met: something to show beside the failures."""
    stmt = scope_interactions(
        select(Interaction)
        .join(Evaluation, Evaluation.interaction_id == Interaction.id)
        .join(CriterionAnswer, CriterionAnswer.evaluation_id == Evaluation.id)
        .where(CriterionAnswer.criterion_id == criterion_id, CriterionAnswer.answer == "yes",
               Evaluation.kind != EvaluationKind.CALIBRATION)
        .order_by(Interaction.started_at.desc())
        .limit(limit * 3),
        viewer,
    )
    return list(dict.fromkeys(session.scalars(stmt)))[:limit]


def get_material(session: Session, viewer: Viewer, material_id: int) -> CoachingMaterial:
    material = session.scalar(select(CoachingMaterial).where(
        CoachingMaterial.id == material_id, CoachingMaterial.tenant_id == viewer.tenant_id))
    if material is None:
        raise CoachingError("материал не найден", "material not found")
    get_task(session, viewer, material.task_id)
    return material


@dataclass(frozen=True)
class NeedRow:
    need: TrainingNeed
    agent: Agent
    team: str | None


def list_needs(session: Session, viewer: Viewer, *, open_only: bool = True) -> list[NeedRow]:
    visible = scope_agents(select(Agent.id), viewer)
    stmt = (
        select(TrainingNeed, Agent, Team.name)
        .join(Agent, Agent.id == TrainingNeed.agent_id)
        .outerjoin(Team, Team.id == Agent.team_id)
        .where(TrainingNeed.tenant_id == viewer.tenant_id, TrainingNeed.agent_id.in_(visible))
        .order_by(TrainingNeed.resolved_at.is_not(None), Agent.name, TrainingNeed.module, TrainingNeed.id)
    )
    if open_only:
        stmt = stmt.where(TrainingNeed.resolved_at.is_(None))
    return [NeedRow(n, a, t) for n, a, t in session.execute(stmt).all()]


def get_need(session: Session, viewer: Viewer, need_id: int) -> NeedRow:
    visible = scope_agents(select(Agent.id), viewer)
    row = session.execute(
        select(TrainingNeed, Agent, Team.name)
        .join(Agent, Agent.id == TrainingNeed.agent_id)
        .outerjoin(Team, Team.id == Agent.team_id)
        .where(TrainingNeed.id == need_id, TrainingNeed.tenant_id == viewer.tenant_id,
               TrainingNeed.agent_id.in_(visible))
    ).first()
    if row is None:
        raise CoachingError("потребность в обучении не найдена", "training need not found")
    return NeedRow(row[0], row[1], row[2])


@dataclass(frozen=True)
class ModuleDemand:
    module: str
    agents: int
    needs: int
    group_suggested: bool
    agent_ids: tuple[int, ...] = ()


def demand_by_module(rows: Sequence[NeedRow]) -> list[ModuleDemand]:
    agents: dict[str, set[int]] = defaultdict(set)
    needs: dict[str, int] = defaultdict(int)
    for row in rows:
        agents[row.need.module].add(row.agent.id)
        needs[row.need.module] += 1
    return sorted(
        (ModuleDemand(m, len(a), needs[m], len(a) >= GROUP_SUGGESTED_FROM, tuple(sorted(a)))
         for m, a in agents.items()),
        key=lambda d: (-d.agents, d.module),
    )


def demand_by_team(rows: Sequence[NeedRow]) -> list[tuple[str | None, str, int]]:
    """(team, module, agents) — what the airline's reviewer is shown instead of individual rows."""
    agents: dict[tuple[str | None, str], set[int]] = defaultdict(set)
    for row in rows:
        agents[(row.team, row.need.module)].add(row.agent.id)
    return sorted(((t, m, len(a)) for (t, m), a in agents.items()), key=lambda r: (r[0] or "", r[1]))


# --- the session and the agent's acknowledgement --------------------------------------------


def _coachable(session: Session, viewer: Viewer, task_id: int) -> CoachingTask:
    if viewer.role not in COACHES:
        raise CoachingError("вести обучение может тренер", "only a trainer runs coaching")
    return get_task(session, viewer, task_id)[0]


def task_version(task: CoachingTask) -> str:
    """The version a task's forms are drawn from (the task has no version column)."""
    return state_token([task.status.value, task.scheduled_at, task.attended, task.session_notes, task.completed_at,
                        task.acknowledged_at])


def schedule_session(
    session: Session, viewer: Viewer, task_id: int, when: datetime, *, form_version: str | None = None
) -> CoachingTask:
    task = _coachable(session, viewer, task_id)
    require_version(task_version(task), form_version, "задание по обучению", "the coaching task")
    before = task.scheduled_at
    task.scheduled_at = when
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="coaching.schedule",
           entity="coaching_task", entity_id=task.id,
           details={"at": {"from": before.isoformat() if before else None, "to": when.isoformat()}})
    return task


def record_session(session: Session, viewer: Viewer, task_id: int, *, attended: bool, notes: str,
                   held_at: datetime, form_version: str | None = None) -> CoachingTask:
    """Record what happened; a session the agent missed keeps the task open."""
    task = _coachable(session, viewer, task_id)
    if task.status == CoachingStatus.DONE:
        raise CoachingError("занятие уже проведено", "the session is already recorded")
    require_version(task_version(task), form_version, "задание по обучению", "the coaching task")
    notes = check_text(notes.strip(), CoachingTask.session_notes, "заметки о занятии", "session notes")
    before = task.status
    task.attended = attended
    task.session_notes = notes or None
    if attended:
        task.status = CoachingStatus.DONE
        task.completed_at = held_at
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="coaching.session",
           entity="coaching_task", entity_id=task.id,
           details={"attended": attended, "status": {"from": before.value, "to": task.status.value},
                    "at": held_at.isoformat()})
    return task


def acknowledge_task(session: Session, viewer: Viewer, task_id: int, now: datetime) -> CoachingTask:
    if viewer.role != Role.AGENT:
        raise CoachingError("подтверждает сам оператор", "only the agent acknowledges")
    task = get_task(session, viewer, task_id)[0]
    if task.acknowledged_at is None:
        task.acknowledged_at = now
        if task.status == CoachingStatus.ASSIGNED:
            task.status = CoachingStatus.ACKNOWLEDGED
        record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="coaching.acknowledge",
               entity="coaching_task", entity_id=task.id)
    return task
