"""The periodic-job registry: one entry per job, registered with RQ's cron scheduler as is."""

from __future__ import annotations

import importlib

import pytest

from qa_service import jobs, schedules
from qa_service.config import ConfigError
from qa_service.schedules import SCHEDULES, Schedule, register_all, with_intervals


def test_every_entry_is_a_runnable_job_with_one_timing() -> None:
    names = [s.name for s in SCHEDULES]
    assert "poll-connectors" in names and len(names) == len(set(names))
    for schedule in SCHEDULES:
        # RQ stores the function by dotted name: it must be importable from qa_service.jobs.
        module = importlib.import_module(schedule.func.__module__)
        assert module is jobs and getattr(module, schedule.func.__name__) is schedule.func
        assert schedule.queue in jobs.QUEUES
        assert (schedule.every is None) != (schedule.cron is None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({}, "exactly one"), ({"every": 60, "cron": "0 5 * * *"}, "exactly one"), ({"every": 0}, "positive"),
     ({"every": 60, "queue": "nope"}, "unknown queue")],
)
def test_a_bad_entry_is_refused_when_declared(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Schedule("x", jobs.poll_connectors, **kwargs)  # type: ignore[arg-type]


def test_operator_intervals_replace_only_the_named_entry() -> None:
    base = (Schedule("poll-connectors", jobs.poll_connectors, every=60),
            Schedule("nightly", jobs.poll_connectors, cron="0 2 * * *"))
    changed = with_intervals(base, {"poll-connectors": 15})
    assert [(s.name, s.every, s.cron) for s in changed] == [("poll-connectors", 15, None),
                                                              ("nightly", None, "0 2 * * *")]
    with pytest.raises(ConfigError, match="no-such"):
        with_intervals(base, {"no-such": 5})


def test_duplicate_names_are_refused() -> None:
    twice = (Schedule("a", jobs.poll_connectors, every=60), Schedule("a", jobs.poll_connectors, every=30))
    with pytest.raises(ValueError, match="unique"):
        register_all(_Recorder(), twice)


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def register(self, func, queue_name, *, interval=None, cron=None, name=""):  # type: ignore[no-untyped-def]
        self.calls.append((func, queue_name, interval, cron, name))


@pytest.mark.redis
def test_rq_cron_scheduler_enqueues_each_registered_job_on_its_queue(redis_url: str) -> None:
    from redis import Redis
    from rq import Queue
    from rq.cron import CronScheduler

    connection = Redis.from_url(redis_url)
    scheduler = CronScheduler(connection=connection)
    extra = Schedule("nightly-check", jobs.poll_connectors, cron="0 2 * * *")
    register_all(scheduler, (*SCHEDULES, extra))
    assert {job.name for job in scheduler.get_jobs()} == {s.name for s in SCHEDULES} | {"nightly-check"}
    due = scheduler.enqueue_jobs()  # interval jobs run at once; the cron one waits for 02:00 UTC
    assert {job.name for job in due} == {s.name for s in SCHEDULES if s.every}
    queued = Queue(jobs.TEXT_QUEUE, connection=connection).get_jobs()
    assert sorted(job.func_name for job in queued) == sorted(
        f"qa_service.jobs.{s.func.__name__}" for s in SCHEDULES if s.every and s.queue == jobs.TEXT_QUEUE)
    assert scheduler.enqueue_jobs() == []  # not again before its interval has passed


def test_the_scheduler_needs_redis() -> None:
    from qa_service.config import Settings

    with pytest.raises(ConfigError, match="REDIS_URL"):
        schedules.run(Settings(environment="test"))
