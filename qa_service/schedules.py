"""Every periodic job of the service, in one place, run by `qa-service scheduler` (one per deployment).

A feature with periodic work adds ONE entry to `SCHEDULES`: a job function from
`qa_service.jobs` (it takes no arguments, like every job it takes ids or nothing, and is
idempotent) and when it runs.  The scheduler registers the list with RQ's cron scheduler,
which enqueues each job on its queue; workers run it.

Timing rules:
- `every` (seconds) for work that must happen continuously: connector polling, a staffing
  check every few minutes, an orphaned-spool sweep.
- `cron` only for jobs the whole deployment runs at one moment.  RQ evaluates cron
  expressions in UTC, so work due at a *tenant's local time* (daily reports at 08:00
  Europe/Moscow, nightly training needs) is a frequent tick instead (e.g. every 5 min):
  the job asks the service which tenants are due now in their `Tenant.timezone` and
  records what it sent, as `poll_connectors` does with each connector's own interval.

"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from qa_service import jobs
from qa_service.config import ConfigError, Settings


@dataclass(frozen=True)
class Schedule:
    """One periodic job: a name (unique, shown in RQ's dashboard), the job, its queue, and when."""

    name: str
    func: Callable[[], Any]
    every: int | None = None  # seconds between runs
    cron: str | None = None  # a UTC cron expression (see the module's timing rules)
    queue: str = jobs.TEXT_QUEUE

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"schedule {self.name!r}: give exactly one of every= or cron=")
        if self.every is not None and self.every <= 0:
            raise ValueError(f"schedule {self.name!r}: every= must be a positive number of seconds")
        if self.queue not in jobs.QUEUES:
            raise ValueError(f"schedule {self.name!r}: unknown queue {self.queue!r}")


SCHEDULES: tuple[Schedule, ...] = (
    # Each connector has its own interval; this tick starts the ones that are due.
    Schedule("poll-connectors", jobs.poll_connectors, every=60),
    # Hourly rather than nightly: recomputing needs is idempotent, and an overdue coaching task's
    # notice should not wait for the night.
    Schedule("training-needs", jobs.refresh_all_training_needs, every=3600),
    # Raw recordings no pipeline step will read any more (a crash between commit and transcription).
    Schedule("spool-sweep", jobs.sweep_spool, every=3600),
    # Interactions whose next step's job was lost (a killed worker, Redis restarted or down at a commit).
    Schedule("pipeline-resume", jobs.resume_stalled_pipeline, every=300),
    # §3.1.5.4: at least the minimum of agents on the line, every hour; an episode alerts once.
    Schedule("staffing-check", jobs.check_staffing, every=300),
    # Each tenant's yesterday at its local `report_time`; the job skips tenants not yet due or done.
    Schedule("daily-reports", jobs.generate_daily_reports, every=900),
    # Issue 24: customers' first turns clustered, each topic and tracker tested for an emerging day.
    Schedule("topics", jobs.refresh_topics, cron="30 1 * * *"),
    # Retention in days, so hourly is precise enough; each run is idempotent and audited per tenant.
    Schedule("retention", jobs.apply_retention_all, every=3600),
)


class CronRegistry(Protocol):
    """What `register_all` needs of RQ's `CronScheduler` (a fake in unit tests would do too)."""

    def register(self, func: Callable[..., Any], queue_name: str, *, interval: int | None = ...,
                 cron: str | None = ..., name: str = ...) -> object: ...


def with_intervals(schedules: Sequence[Schedule], every: Mapping[str, int]) -> tuple[Schedule, ...]:
    """The schedules with some intervals changed by the operator (`qa-service scheduler --every`)."""
    unknown = sorted(set(every) - {s.name for s in schedules})
    if unknown:
        raise ConfigError(f"нет периодических задач {unknown}", f"no periodic jobs named {unknown}")
    return tuple(replace(s, every=every[s.name], cron=None) if s.name in every else s for s in schedules)


def register_all(registry: CronRegistry, schedules: Sequence[Schedule] = SCHEDULES) -> None:
    """Register every schedule with RQ's cron scheduler (names must be unique)."""
    names = [s.name for s in schedules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"schedule names must be unique: {duplicates}")
    for schedule in schedules:
        registry.register(schedule.func, schedule.queue, interval=schedule.every, cron=schedule.cron,
                          name=schedule.name)


def run(settings: Settings, every: Mapping[str, int] | None = None) -> None:
    """Run the scheduler until stopped: one per deployment, round the clock."""
    from rq.cron import CronScheduler

    settings.require_secret()
    if settings.redis_url is None:
        raise ConfigError("для планировщика нужен REDIS_URL", "the scheduler needs REDIS_URL")
    scheduler = CronScheduler(connection=jobs.redis_connection(settings.redis_url))
    register_all(scheduler, with_intervals(SCHEDULES, every or {}))
    scheduler.start()
