"""Training needs: who needs which module, with the numbers and the conversations that show it.

`compute_training_needs` runs nightly (a job) and on demand (the trainer's button).  It reads
the *current answers* — `services.coaching.current_answers` is the one place that decides which answer counts
for an interaction (a person's review where there is one, the machine's otherwise) — applies
the standard's rules and the team comparison of `core.coaching_stats`, and keeps the
`training_needs` table in step: new needs open, flagged ones get fresh numbers, and a need
whose rate has recovered resolves itself.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.core.coaching_stats import (
    AVERAGE_WINDOW,
    MIN_SAMPLE,
    GapCell,
    low_average,
    team_gap_tests,
    wilson,
)
from qa_service.db.models import Agent, CoachingStatus, CoachingTask, NeedRule, TrainingNeed
from qa_service.services.coaching.current_answers import ScoredInteraction, current_answers
from qa_service.services.rubrics.catalog import CriterionInfo, criterion_catalog, criterion_info

GAP_WINDOW_DAYS = 30  # the team comparison looks at this many days of answers
LOOKBACK_DAYS = 120  # the "last 20 scored interactions" are searched this far back
MAX_EVIDENCE = 10


@dataclass(frozen=True)
class NeedsRun:
    opened: int
    updated: int
    resolved: int


# --- the rules -------------------------------------------------------------------------------


@dataclass
class _Flag:
    agent_id: int
    rule: NeedRule
    criterion_id: str
    module: str
    reason: str
    failures: int
    applicable: int
    team_failures: int = 0
    team_applicable: int = 0
    p_value: float | None = None
    score: float | None = None
    evidence: tuple[int, ...] = ()
    first_seen: datetime | None = None


def _failures_of(rows: Iterable[ScoredInteraction], criterion_id: str) -> tuple[int, int, list[ScoredInteraction]]:
    failures, applicable, failing = 0, 0, []
    for row in rows:
        for cid, answer, _ in row.answers:
            if cid == criterion_id and answer in ("yes", "no"):
                applicable += 1
                if answer == "no":
                    failures += 1
                    failing.append(row)
    return failures, applicable, failing


def _module_for(catalog: dict[tuple[str, str], CriterionInfo], criterion_id: str,
                failing: list[ScoredInteraction]) -> str | None:
    """The module of the channel where the agent fails the criterion most (politeness: T-TONE on calls, T-WRITE)."""
    channels = Counter(row.channel for row in failing)
    for channel, _ in channels.most_common():
        module = criterion_info(catalog, criterion_id, channel).module
        if module:
            return module
    return criterion_info(catalog, criterion_id).module


def _evidence(failing: list[ScoredInteraction]) -> tuple[int, ...]:
    newest = sorted(failing, key=lambda r: r.started_at, reverse=True)
    return tuple(dict.fromkeys(r.interaction_id for r in newest))[:MAX_EVIDENCE]


def _last_coached(session: Session, tenant_id: int) -> dict[tuple[int, str], datetime]:
    """When each agent last completed coaching of each module."""
    rows = session.execute(
        select(CoachingTask.agent_id, CoachingTask.module, CoachingTask.completed_at)
        .where(CoachingTask.tenant_id == tenant_id, CoachingTask.status == CoachingStatus.DONE,
               CoachingTask.completed_at.is_not(None))
    )
    latest: dict[tuple[int, str], datetime] = {}
    for agent_id, module, completed_at in rows:
        key = (agent_id, module)
        assert completed_at is not None
        if key not in latest or completed_at > latest[key]:
            latest[key] = completed_at
    return latest


def _standard_rules(
    agent_id: int, rows: list[ScoredInteraction], catalog: dict[tuple[str, str], CriterionInfo],
    coached: dict[tuple[int, str], datetime],
) -> list[_Flag]:
    """Below 75 on average over the last 20 scored interactions; any critical failure."""
    flags = []
    recent = sorted((r for r in rows if r.score is not None), key=lambda r: r.started_at, reverse=True)[
        :AVERAGE_WINDOW]
    check = low_average([float(r.score) for r in recent if r.score is not None])
    if check.flagged:
        # The module to start with: the criterion the agent fails most in those interactions.
        counts = Counter(cid for r in recent for cid, answer, _ in r.answers if answer == "no")
        worst = next((cid for cid, _ in counts.most_common()
                      if criterion_info(catalog, cid).module), None)
        if worst is not None:
            failures, applicable, failing = _failures_of(recent, worst)
            low_rows = sorted((r for r in recent if (r.score or 0) < 75), key=lambda r: r.score or 0)
            flags.append(_Flag(
                agent_id, NeedRule.LOW_AVERAGE, worst, _module_for(catalog, worst, failing) or "",
                f"средний балл {check.average:.1f} < 75 за последние {check.count} оценённых обращений",
                failures, applicable, score=check.average,
                evidence=tuple(r.interaction_id for r in low_rows)[:MAX_EVIDENCE],
                first_seen=min((r.started_at for r in low_rows), default=None),
            ))
    critical_ids = {cid for r in recent for cid, answer, critical in r.answers if critical and answer == "no"}
    for criterion_id in sorted(critical_ids):
        failures, applicable, failing = _failures_of(recent, criterion_id)
        module = _module_for(catalog, criterion_id, failing) or ""
        after = coached.get((agent_id, module))
        # Coaching of the module answers the failures before it; only a new failure reopens the need.
        failing = [r for r in failing if after is None or r.started_at > after]
        if failing:
            flags.append(_Flag(
                agent_id, NeedRule.CRITICAL, criterion_id, module,
                f"критическая ошибка: {len(failing)} из последних {len(recent)} обращений",
                failures, applicable, score=check.average, evidence=_evidence(failing),
                first_seen=min(r.started_at for r in failing),
            ))
    return flags


def _team_gaps(
    rows: list[ScoredInteraction], agents: dict[int, int | None], catalog: dict[tuple[str, str], CriterionInfo],
    coached: dict[tuple[int, str], datetime],
) -> list[_Flag]:
    """Per agent and criterion: failing significantly more often than the rest of the team."""
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    failing: dict[tuple[int, str], list[ScoredInteraction]] = defaultdict(list)
    for row in rows:
        for criterion_id, answer, _ in row.answers:
            module = criterion_info(catalog, criterion_id, row.channel).module or ""
            after = coached.get((row.agent_id, module))
            # Answers from before the agent's coaching on this module no longer speak for them.
            if after is not None and row.started_at <= after:
                continue
            if answer in ("yes", "no"):
                cell = counts[(row.agent_id, criterion_id)]
                cell[1] += 1
                if answer == "no":
                    cell[0] += 1
                    failing[(row.agent_id, criterion_id)].append(row)
    by_group: dict[tuple[int | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for (agent_id, criterion_id), (fails, total) in counts.items():
        group = by_group[(agents.get(agent_id), criterion_id)]
        group[0] += fails
        group[1] += total
    cells = []
    for (agent_id, criterion_id), (fails, total) in counts.items():
        if fails == 0:
            continue
        group_fails, group_total = by_group[(agents.get(agent_id), criterion_id)]
        cells.append(GapCell((agent_id, criterion_id), fails, total, group_fails - fails, group_total - total))
    flags = []
    for result in team_gap_tests(cells):
        if not result.significant:
            continue
        agent_id, criterion_id = result.key  # type: ignore[misc]
        rows_failing = failing[(agent_id, criterion_id)]
        gap_module = _module_for(catalog, criterion_id, rows_failing)
        if not gap_module:
            continue
        flags.append(_Flag(
            agent_id, NeedRule.TEAM_GAP, criterion_id, gap_module,
            f"не выполнено в {result.agent.failures} из {result.agent.applicable} против "
            f"{result.team.failures} из {result.team.applicable} в команде (p = {result.p_value:.3g}, Холм)",
            result.agent.failures, result.agent.applicable, result.team.failures, result.team.applicable,
            p_value=result.p_value, evidence=_evidence(rows_failing),
            first_seen=min(r.started_at for r in rows_failing),
        ))
    return flags


def _with_team_rates(flags: list[_Flag], rows: list[ScoredInteraction], agents: dict[int, int | None]) -> None:
    """The team's rate beside the standard's flags too, so every need reads "the agent's rate against the team's"."""
    counts: dict[tuple[int | None, str], list[int]] = defaultdict(lambda: [0, 0])
    own: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        for criterion_id, answer, _ in row.answers:
            if answer in ("yes", "no"):
                failed = int(answer == "no")
                for cell in (counts[(agents.get(row.agent_id), criterion_id)], own[(row.agent_id, criterion_id)]):
                    cell[0] += failed
                    cell[1] += 1
    for flag in flags:
        group = counts[(agents.get(flag.agent_id), flag.criterion_id)]
        mine = own[(flag.agent_id, flag.criterion_id)]
        flag.team_failures, flag.team_applicable = group[0] - mine[0], group[1] - mine[1]


def compute_training_needs(session: Session, tenant_id: int, now: datetime) -> NeedsRun:
    """Open, refresh and resolve the tenant's training needs from the current answers (caller commits)."""
    catalog = criterion_catalog(session, tenant_id)
    agents = {a: t for a, t in session.execute(select(Agent.id, Agent.team_id).where(Agent.tenant_id == tenant_id))}
    rows = current_answers(session, tenant_id, now - timedelta(days=LOOKBACK_DAYS), now)
    by_agent: dict[int, list[ScoredInteraction]] = defaultdict(list)
    for row in rows:
        by_agent[row.agent_id].append(row)
    coached = _last_coached(session, tenant_id)
    flags: list[_Flag] = []
    for agent_id, agent_rows in by_agent.items():
        flags.extend(_standard_rules(agent_id, agent_rows, catalog, coached))
    gap_since = now - timedelta(days=GAP_WINDOW_DAYS)
    recent_rows = [r for r in rows if r.started_at >= gap_since]
    _with_team_rates(flags, recent_rows, agents)
    flags.extend(_team_gaps(recent_rows, agents, catalog, coached))

    open_needs = {
        (n.agent_id, n.rule, n.criterion_ids): n
        for n in session.scalars(
            select(TrainingNeed).where(TrainingNeed.tenant_id == tenant_id, TrainingNeed.resolved_at.is_(None))
        )
    }
    opened = updated = 0
    seen = set()
    for flag in flags:
        key = (flag.agent_id, flag.rule, flag.criterion_id)
        seen.add(key)
        need = open_needs.get(key)
        if need is None:
            need = TrainingNeed(tenant_id=tenant_id, agent_id=flag.agent_id, rule=flag.rule,
                                criterion_ids=flag.criterion_id, since=flag.first_seen or now, created_at=now)
            session.add(need)
            opened += 1
        else:
            updated += 1
        rate = wilson(flag.failures, flag.applicable)
        need.module = flag.module
        need.reason = flag.reason
        need.failures, need.applicable = flag.failures, flag.applicable
        need.rate_low = None if flag.applicable == 0 else rate.low
        need.rate_high = None if flag.applicable == 0 else rate.high
        need.team_failures, need.team_applicable = flag.team_failures, flag.team_applicable
        need.p_value = flag.p_value
        need.score_before = flag.score
        need.evidence_interaction_ids = list(flag.evidence)
        need.updated_at = now
    resolved = 0
    for key, need in open_needs.items():
        if key not in seen:
            need.resolved_at = now
            resolved += 1
    session.flush()
    return NeedsRun(opened, updated, resolved)


__all__ = ["MIN_SAMPLE", "NeedsRun", "compute_training_needs"]
