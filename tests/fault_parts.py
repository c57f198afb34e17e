"""Real parts for the fault tests: supervised RQ workers, and Redis and PostgreSQL servers of a
test's own that it may stop and start.

The machine's Redis (6379) and PostgreSQL (5432) are shared by every test run on it, so a test
that restarts a server starts a private one on a free port: `redis-server` without persistence,
and a throwaway PostgreSQL cluster made by `initdb` (run as the `postgres` OS user when the
tests run as root: PostgreSQL refuses to run as root).  Without the binaries the test skips
locally and fails in CI, as the other real-part fixtures do (`conftest._unavailable`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from connector_allowance import connectors_allowed_env
from redis import Redis
from rq import Worker
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import Evaluation, EvaluationKind, Interaction, ProcessingState
from qa_service.db.session import session_factory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what}; CI must run these tests against real servers", pytrace=False)
    pytest.skip(f"{what}; install it to run this test")


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120, every: float = 0.2) -> None:
    """Poll `condition` (a state in Redis, PostgreSQL or a process) until it holds; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def pipeline_counts(settings: Settings, tenant_id: int) -> dict[str, int]:
    """What PostgreSQL holds for the tenant: items stored (and distinct), by state, machine evaluations."""
    with session_factory(settings.sqlalchemy_url)() as session:
        mine = Interaction.tenant_id == tenant_id
        by_state = dict(
            session.execute(select(Interaction.state, func.count()).where(mine).group_by(Interaction.state)).all()
        )
        evaluations = session.scalar(
            select(func.count(Evaluation.id))
            .join(Interaction, Interaction.id == Evaluation.interaction_id)
            .where(mine, Evaluation.kind == EvaluationKind.AUTO)
        )
        evaluated = session.scalar(
            select(func.count(func.distinct(Evaluation.interaction_id)))
            .join(Interaction, Interaction.id == Evaluation.interaction_id)
            .where(mine, Evaluation.kind == EvaluationKind.AUTO)
        )
        distinct_items = session.scalar(select(func.count(func.distinct(Interaction.external_id))).where(mine))
    return {
        "stored": sum(by_state.values()),
        "distinct": int(distinct_items or 0),
        "scored": by_state.get(ProcessingState.SCORED, 0),
        "failed": by_state.get(ProcessingState.FAILED, 0),
        "evaluations": int(evaluations or 0),
        "evaluated": int(evaluated or 0),
    }


# --- supervised workers -------------------------------------------------------------------------


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url or "",
        QA_ENV="test",
        QA_INSTANCE_DIR=str(settings.instance_dir),
        QA_JOB_RETRY_INTERVALS=",".join(map(str, settings.retry_intervals)),
        QA_PIPELINE_RESUME_AGE=str(settings.pipeline_resume_age_seconds),
        QA_JOB_TIMEOUT=str(settings.job_timeout_seconds),
        **connectors_allowed_env(settings),
        **extra,
    )


def session_members(session_id: int) -> list[int]:
    """Every live process of a session (RQ's scheduler child leaves its worker's process group, not its session)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session_id and fields[0] != "Z":  # a zombie is already dead
            members.append(int(stat.parent.name))
    return members


def kill_session(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a process started with `start_new_session` and everything it started, and reap it."""
    deadline = time.monotonic() + 10
    while members := session_members(process.pid):
        assert time.monotonic() < deadline, f"processes of the killed worker survive: {members}"
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)  # a retry interval for the kill loop, not a wait for something to happen
    process.wait(timeout=30)


@dataclass
class _Slot:
    process: subprocess.Popen[bytes]
    started: float


@dataclass
class Supervisor:
    """Keeps `count` `qa-service worker` processes running, restarting any that dies (as systemd or
    Docker's restart policy does), and kills one on request."""

    settings: Settings
    queues: str
    count: int
    log_dir: Path
    restarts: int = 0
    kills: int = 0
    _spawned: int = 0
    _slots: list[_Slot] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _spawn(self) -> _Slot:
        self._spawned += 1
        log = (self.log_dir / f"worker-{self._spawned}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "qa_service", "worker", "--queues", self.queues],
            env=worker_env(self.settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return _Slot(process, time.monotonic())

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            with self._lock:
                for i, slot in enumerate(self._slots):
                    if slot.process.poll() is not None:
                        kill_session(slot.process)  # anything it left behind
                        self._slots[i] = self._spawn()
                        self.restarts += 1

    def kill_oldest(self) -> None:
        """SIGKILL the longest-running worker (it is then restarted by the watcher)."""
        with self._lock:
            slot = min(self._slots, key=lambda s: s.started)
            kill_session(slot.process)
            self.kills += 1

    def kill_busy(self, connection: Redis, target: Callable[[str], bool] = lambda job_id: True) -> str | None:
        """SIGKILL a worker of ours running a job `target` accepts; the job's id, or None if none is."""
        with self._lock:
            ours = {slot.process.pid: slot for slot in self._slots if slot.process.poll() is None}
            for worker in Worker.all(connection=connection):
                job_id = worker.get_current_job_id()
                if worker.pid in ours and job_id and target(job_id):
                    kill_session(ours[worker.pid].process)
                    self.kills += 1
                    return job_id
        return None

    def logs_tail(self, chars: int = 3000) -> str:
        texts = [p.read_text(errors="replace")[-chars:] for p in sorted(self.log_dir.glob("worker-*.log"))[-3:]]
        return "\n---\n".join(texts)

    def __enter__(self) -> Supervisor:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._slots = [self._spawn() for _ in range(self.count)]
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        with self._lock:
            for slot in self._slots:
                kill_session(slot.process)


# --- a private Redis ----------------------------------------------------------------------------


class PrivateRedis:
    """`redis-server` on a free port, without persistence: a restart loses every key, as a crash would."""

    def __init__(self, workdir: Path) -> None:
        if shutil.which("redis-server") is None:
            unavailable("redis-server is missing (apt-get install redis-server)")
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        wait_for(lambda: _port_open(self.port), "the private Redis to listen", 30)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # a crash, not a shutdown: nothing is saved
            self.process.wait(timeout=30)
            self.process = None


@contextlib.contextmanager
def private_redis(workdir: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- a private PostgreSQL -----------------------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free port (trust auth on loopback, fsync off: a test's data)."""

    def __init__(self) -> None:
        bindir = _postgres_bin()
        if bindir is None:
            unavailable("PostgreSQL's initdb is missing (apt-get install postgresql)")
            raise AssertionError  # unreachable: unavailable() skips or fails
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="qa-test-pg-"))
        self.data = self.root / "data"
        self._user: str | None = None
        if os.geteuid() == 0:  # PostgreSQL will not run as root: the cluster belongs to `postgres`
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                unavailable("running as root and there is no `postgres` OS user to own a test cluster")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._user = "postgres"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
                  "--locale=C.UTF-8")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{tool} failed: {result.stdout[-2000:]}{result.stderr[-2000:]}"

    def admin_url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off -c max_connections=100")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-t", "60", "-l", str(self.root / "log"),
                  "start")

    def stop(self) -> None:
        # Immediate: every connection is cut at once, as a crash or a failover would.
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def close(self) -> None:
        with contextlib.suppress(AssertionError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.close()
