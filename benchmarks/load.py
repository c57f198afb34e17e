"""Load benchmark: reviewers and the platform's pushes together, against the whole service on this machine.

Run: `.venv/bin/python benchmarks/load.py [--duration 300] [--interactions 100000] [--reuse]`.

Parts, all real and local: PostgreSQL (`QA_BENCH_POSTGRES`, default
postgresql://postgres@127.0.0.1:5432/postgres; the database `qa_bench_load` is dropped and
seeded unless `--reuse`), a private `redis-server` on a free port (the machine's Redis is
shared, so the benchmark never touches it), gunicorn with `--web-workers` (2) sync workers,
`--rq-workers` (1) `qa-service worker --queues text`, and Debian's `wrk` as the load tool.
The seed is `benchmarks/web.py`'s (INSERT … SELECT generate_series: N interactions with
turns, 20 000 machine evaluations), plus a QA user, an API token and a review sample.

Four wrk processes run at the same time for `--duration` seconds, one per request kind, so
each kind has its own latency histogram:
  list         the signed-in QA specialist's list, every request another filter set / keyset page
  interaction  an evaluated interaction's page, every request another one
  queue        the review queue page
  push         POST /api/v1/interactions with the tenant token: a new chat each time, paced
               by `--push-rate` per second in total (wrk's `delay()`), scored by the RQ worker
Reviewers are closed-loop (each connection sends its next request when the last is answered).
Printed: per kind requests/s, p50/p95/p99, errors (socket errors + non-2xx/3xx), and the
queue latency of every pushed chat (its interaction row's `created_at` → its machine
evaluation's `created_at`), after the queue has drained (at most `--drain` seconds).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
import web as web_bench  # benchmarks/web.py: the seed, the sign-in and the list paths

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("QA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "qa_bench_load"
PUSH_PREFIX = "load-"
CHAT_TEXT = [
    ("customer", "Здравствуйте, хочу поменять дату вылета на следующую неделю"),
    ("agent", "Здравствуйте, авиакомпания Северный ветер, меня зовут Анна. Назовите, пожалуйста, номер брони"),
    ("customer", "Бронь ABC123, фамилия Иванов"),
    ("agent", "Спасибо. Обмен возможен, сбор по тарифу 2500 рублей. Оформить?"),
    ("customer", "Да, оформляйте"),
    ("agent", "Готово, новый билет отправлен на почту. Могу ещё чем-то помочь? Всего доброго!"),
]


def _database_url() -> str:
    return make_url(ADMIN_URL).set(database=DB_NAME).render_as_string(hide_password=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port} after {timeout:.0f} s")


def _wait_healthy(port: int, timeout: float = 300) -> None:
    """Until /healthz answers 200: gunicorn listens before its workers have imported the app."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"/healthz on port {port} did not answer 200 within {timeout:.0f} s")


def seed(n: int) -> str:
    """benchmarks/web.py's data in `qa_bench_load`, a QA user, a sample to review; returns an API token."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    from qa_service.config import Settings
    from qa_service.db.migrate import upgrade

    settings = Settings(database_url=_database_url())
    upgrade(settings.sqlalchemy_url)
    started = time.perf_counter()
    with psycopg.connect(_database_url(), autocommit=True) as conn:
        for statement in web_bench.SEED_SQL.split(";\n"):
            if statement.strip():
                conn.execute(statement.replace("%(n)s", str(n)).replace("%(evaluated)s", str(web_bench.EVALUATED)))
    print(f"seeded {n} interactions in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return _accounts(settings)


def _accounts(settings: Any) -> str:
    from qa_service.db.models import Role, Tenant, User
    from qa_service.db.session import transaction
    from qa_service.services.accounts.tenants import create_user
    from qa_service.services.accounts.tokens import issue_token

    with transaction(settings.sqlalchemy_url) as session:
        tenant = session.get_one(Tenant, 1)
        if not session.query(User).filter_by(email="qa@bench.local").count():
            create_user(session, tenant, email="qa@bench.local", name="QA", role=Role.QA, password=web_bench.PASSWORD)
        return issue_token(session, tenant)


def _reviewer_lua(paths: list[str], cookie: str) -> str:
    quoted = ",\n".join(f'  "{p}"' for p in paths)
    return f"""
local paths = {{
{quoted}
}}
local counter = 0
wrk.headers["Cookie"] = "{cookie}"
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
"""


def _push_lua(token: str, delay_ms: int) -> str:
    turns = ",".join(
        f'{{"speaker":"{speaker}","text":"{text}"}}' for speaker, text in CHAT_TEXT
    )
    return f"""
local counter = 0
local id = 0
local threads = {{}}
setup = function(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
init = function(args)
  id = tid
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
request = function()
  counter = counter + 1
  local body = '{{"external_id":"{PUSH_PREFIX}' .. id .. '-' .. counter .. '-' .. os.time() ..
    '","channel":"chat","agent_id":"A-' .. (counter % 200 + 1) ..
    '","started_at":"2026-11-28T10:00:00+03:00","turns":[{turns}]}}'
  return wrk.format("POST", "/api/v1/interactions", nil, body)
end
delay = function()
  return {delay_ms}
end
"""


RESULT_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT p50=%.1f p95=%.1f p99=%.1f max=%.1f requests=%d errors=%d non2xx=%d seconds=%.1f\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration / 1e6))
end
"""


def _queue_latency(since_id: int) -> dict[str, float]:
    """Push → machine evaluation, per pushed chat (seconds), from the rows' own timestamps."""
    with psycopg.connect(_database_url()) as conn:
        rows = conn.execute(
            """SELECT extract(epoch FROM e.created_at - i.created_at)
               FROM interactions i LEFT JOIN evaluations e ON e.interaction_id = i.id AND e.kind = 'auto'
               WHERE i.id > %s AND i.external_id LIKE %s""",
            (since_id, PUSH_PREFIX + "%"),
        ).fetchall()
    done = sorted(float(r[0]) for r in rows if r[0] is not None)
    result: dict[str, float] = {"pushed": len(rows), "evaluated": len(done)}
    if len(done) >= 2:
        cuts = statistics.quantiles(done, n=100, method="inclusive")
        result.update(p50=cuts[49], p95=cuts[94], p99=cuts[98], max=done[-1])
    return result


def _pending(since_id: int) -> int:
    with psycopg.connect(_database_url()) as conn:
        row = conn.execute(
            "SELECT count(*) FROM interactions WHERE id > %s AND external_id LIKE %s AND state = 'fetched'",
            (since_id, PUSH_PREFIX + "%"),
        ).fetchone()
    return int(row[0]) if row else 0


def _max_id() -> int:
    with psycopg.connect(_database_url()) as conn:
        row = conn.execute("SELECT coalesce(max(id), 0) FROM interactions").fetchone()
    return int(row[0]) if row else 0


def run(args: argparse.Namespace, token: str) -> int:
    folder = Path(tempfile.mkdtemp(prefix="qa-bench-load-"))
    redis_port, web_port = _free_port(), _free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = dict(os.environ, DATABASE_URL=_database_url(), REDIS_URL=redis_url, QA_ENV="production",
               SECRET_KEY="bench-secret-" + "x" * 20, QA_INSTANCE_DIR=str(folder / "instance"))
    processes: list[subprocess.Popen[bytes]] = []

    def start(command: list[str], log: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=(folder / log).open("wb"),
                                   stderr=subprocess.STDOUT, start_new_session=True)
        processes.append(process)
        return process

    try:
        start(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(folder)], "redis.log")
        _wait_port(redis_port)
        start([str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(args.web_workers), "-b", f"127.0.0.1:{web_port}",
               "--log-level", "warning", "--timeout", "60", "qa_service.web:create_app()"], "gunicorn.log")
        for i in range(args.rq_workers):
            start([sys.executable, "-m", "qa_service", "worker", "--queues", "text"], f"worker-{i}.log")
        _wait_healthy(web_port)
        cookie = web_bench._sign_in(web_port)
        interaction_paths = [f"/interactions/{i}" for i in range(1, web_bench.EVALUATED + 1,
                                                                  web_bench.EVALUATED // 500)]
        scripts = {
            "list": _reviewer_lua(web_bench._list_paths(web_port, cookie), cookie),
            "interaction": _reviewer_lua(interaction_paths, cookie),
            "queue": _reviewer_lua(["/queue"], cookie),
            "push": _push_lua(token, max(1, round(1000 * args.push_connections / args.push_rate))),
        }
        connections = {"list": args.reviewers, "interaction": args.reviewers, "queue": max(1, args.reviewers // 2),
                       "push": args.push_connections}
        paths = {}
        for name, text in scripts.items():
            paths[name] = folder / f"{name}.lua"
            paths[name].write_text(text + RESULT_LUA)
        url = f"http://127.0.0.1:{web_port}"
        # Warm-up: one request of each kind (caches, the chat rubric's first version, query plans).
        for name in scripts:
            subprocess.run(["wrk", "-t1", "-c1", "-d2s", "-s", str(paths[name]), url], check=True,
                           capture_output=True)
        since_id = _max_id()
        uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        print(f"load: {args.duration} s, machine before: {uptime_before}", flush=True)
        runs = {
            name: subprocess.Popen(
                ["wrk", "-t1", f"-c{connections[name]}", f"-d{args.duration}s", "--timeout", "10s",
                 "-s", str(paths[name]), url],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
            for name in scripts
        }
        results: dict[str, dict[str, float]] = {}
        for name, process in runs.items():
            output, _ = process.communicate(timeout=args.duration + 120)
            match = re.search(r"RESULT (.*)", output)
            if not match:
                raise SystemExit(f"wrk {name} printed no result:\n{output}")
            results[name] = {k: float(v) for k, v in (item.split("=") for item in match.group(1).split())}
        uptime_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        backlog_at_end = _pending(since_id)
        drain_started = time.monotonic()
        while _pending(since_id) and time.monotonic() - drain_started < args.drain:
            time.sleep(1)
        drained_in = time.monotonic() - drain_started
        latency = _queue_latency(since_id)
    finally:
        for started in processes:
            if started.poll() is None:
                os.killpg(started.pid, signal.SIGTERM)
        for started in processes:
            try:
                started.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(started.pid, signal.SIGKILL)
        if not args.keep_logs:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"machine after: {uptime_after}")
    print("| kind | connections | requests | throughput | p50 | p95 | p99 | max | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    total_requests = total_errors = 0.0
    for name, r in results.items():
        errors = r["errors"] + r["non2xx"]
        total_requests += r["requests"]
        total_errors += errors
        print(f"| {name} | {connections[name]} | {r['requests']:.0f} | {r['requests'] / r['seconds']:.1f} req/s | "
              f"{r['p50']:.0f} ms | {r['p95']:.0f} ms | {r['p99']:.0f} ms | {r['max']:.0f} ms | {errors:.0f} |")
    rate = total_errors / total_requests if total_requests else 0.0
    print(f"all kinds: {total_requests:.0f} requests, {total_requests / args.duration:.1f} req/s, "
          f"errors {total_errors:.0f} ({rate:.2%})")
    print(f"queue: {latency['pushed']:.0f} chats pushed, {latency['evaluated']:.0f} evaluated; "
          f"{backlog_at_end} waiting when the load stopped, drained in {drained_in:.0f} s")
    if "p50" in latency:
        print(f"queue latency push → evaluated: p50 {latency['p50']:.1f} s, p95 {latency['p95']:.1f} s, "
              f"p99 {latency['p99']:.1f} s, max {latency['max']:.1f} s")
    return 0 if total_errors == 0 and latency["pushed"] == latency["evaluated"] else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=300, help="seconds of load (default 300)")
    parser.add_argument("--interactions", type=int, default=100_000, help="interactions seeded")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database of the last run")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--rq-workers", type=int, default=1, help="`qa-service worker --queues text` processes")
    parser.add_argument("--reviewers", type=int, default=4, help="connections per reviewer page kind")
    parser.add_argument("--push-connections", type=int, default=2)
    parser.add_argument("--push-rate", type=float, default=5.0, help="pushes per second in total")
    parser.add_argument("--drain", type=int, default=600, help="seconds to wait for the queue after the load")
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing: apt-get install {tool}", file=sys.stderr)
            return 1
    if args.reuse:
        from qa_service.config import Settings

        token = _accounts(Settings(database_url=_database_url()))
    else:
        token = seed(args.interactions)
    return run(args, token)


if __name__ == "__main__":
    sys.exit(main())
