"""The job catalogue: every job a service requests by name exists, and settings are bound, not read per job."""

from __future__ import annotations

import inspect

import pytest

from qa_service import jobs
from qa_service.config import Settings
from qa_service.jobs import queue
from qa_service.services import after_commit


def test_every_job_a_service_requests_is_in_the_catalogue() -> None:
    requested = {value for name, value in vars(after_commit).items() if name.isupper() and isinstance(value, str)
                 and not name.startswith("_")}
    assert {"transcribe_interaction", "score_interaction", "send_calibration_invitations"} <= requested
    assert requested <= set(jobs.JOBS)
    for func in jobs.JOBS.values():
        assert func.__module__ == "qa_service.jobs" and func.queue in jobs.QUEUES  # type: ignore[attr-defined]


def test_the_catalogue_imports_its_services_at_the_top() -> None:
    # Each job calls one service it names at the top of the module: no import inside a job.
    for func in jobs.JOBS.values():
        assert "import " not in inspect.getsource(func), func.__name__


def test_a_job_reads_the_settings_its_process_installed() -> None:
    bound = Settings(environment="test", secret_key="bound")
    caller = Settings(environment="test", secret_key="caller")
    saved = list(queue._installed)
    try:
        queue._installed.clear()
        with pytest.raises(RuntimeError, match=r"jobs\.install"):
            jobs.current_settings()
        jobs.install(bound)
        assert jobs.current_settings() is bound
        with jobs.using_settings(caller):  # a job run in-process sees its caller's settings
            assert jobs.current_settings() is caller
        assert jobs.current_settings() is bound
    finally:
        queue._installed[:] = saved


def test_only_the_interaction_steps_mark_their_failure_on_the_interaction() -> None:
    marked = {name for name, func in jobs.JOBS.items() if getattr(func, "on_failure", None) is not None}
    assert marked == set(jobs.INTERACTION_STEPS)
