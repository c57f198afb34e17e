"""Web benchmark: the list page (with filters) and the interaction page at 1 M interactions.

Run: `.venv/bin/python benchmarks/web.py [--interactions 1000000] [--reuse] [--duration 30]`.

Needs the real PostgreSQL (`QA_BENCH_POSTGRES`, default postgresql://postgres@127.0.0.1:5432/postgres)
and Debian's `wrk`.  It creates the database `qa_bench_web`, migrates it, seeds one tenant
with 200 agents in 10 teams and N interactions (INSERT … SELECT generate_series — no ORM
objects), two turns each, and a machine evaluation with 8 answers for 20 000 of them; then
starts gunicorn (4 sync workers) and drives it with wrk: 20 connections, each list request a
different filter set and keyset page, each interaction page a different evaluated call; then
one connection alone, for the service time without queueing.
Targets: p95 ≤ 150 ms (list), ≤ 250 ms (interaction page).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("QA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "qa_bench_web"
PASSWORD = "bench-password-1"  # a throwaway benchmark database
EVALUATED = 20_000
TARGETS_MS = {"list": 150.0, "interaction": 250.0}

SEED_SQL = """
INSERT INTO tenants (slug, name, timezone, created_at) VALUES ('bench', 'Бенчмарк', 'Europe/Moscow', now());
INSERT INTO teams (tenant_id, name, created_at) SELECT 1, 'Команда ' || g, now() FROM generate_series(1, 10) g;
INSERT INTO agents (tenant_id, external_id, name, team_id, active, created_at)
  SELECT 1, 'A-' || g, 'Оператор ' || g, 1 + g % 10, true, now() FROM generate_series(1, 200) g;
INSERT INTO rubrics (tenant_id, slug, channel, title, created_at) VALUES (1, 'airline-call', 'call', 'call', now());
INSERT INTO rubric_versions (rubric_id, content_hash, content, published_at, created_at)
  VALUES (1, 'sha256:bench', 'id: airline-call', now(), now());
INSERT INTO interactions (tenant_id, source, external_id, channel, direction, agent_id, queue, topic, started_at,
                          currency, card_data_detected, meta, state, score, failed_critical, needs_review, reviewed,
                          created_at)
  SELECT 1, 'bench', 'I-' || g, (ARRAY['call','call','chat','email'])[1 + g % 4], 'inbound', 1 + g % 200,
         (ARRAY['sales','exchange','refund','baggage'])[1 + g % 4],
         (ARRAY['booking','exchange','refund','info'])[1 + (g / 7) % 4],
         now() - make_interval(secs => g * 15), 'RUB', false, '{}'::jsonb, 'scored',
         CASE WHEN g % 50 = 0 THEN 0 ELSE 40 + (g * 37) % 61 END, g % 50 = 0, g % 9 = 0, g % 13 = 0, now()
  FROM generate_series(1, %(n)s) g;
INSERT INTO turns (interaction_id, position, speaker, text, start, "end")
  SELECT i.id, p, CASE WHEN p = 0 THEN 'agent' ELSE 'customer' END,
         CASE WHEN p = 0 THEN 'Авиакомпания, здравствуйте, меня зовут Анна, чем могу помочь?'
              ELSE (ARRAY['Хочу вернуть билет','Сколько стоит багаж','Поменяйте дату вылета',
                          'Где мой возврат'])[1 + i.id % 4]
         END, p * 4.0, p * 4.0 + 3.5
  FROM interactions i CROSS JOIN generate_series(0, 1) p;
INSERT INTO evaluations (interaction_id, rubric_version_id, kind, status, score, failed_critical, needs_review,
                         review_reasons, tenant_id, created_at)
  SELECT i.id, 1, 'auto', 'submitted', i.score, i.failed_critical, i.needs_review, '[]'::jsonb, 1, now()
  FROM interactions i WHERE i.id <= %(evaluated)s;
INSERT INTO criterion_answers (evaluation_id, position, criterion_id, answer, points, max_points, critical, confidence,
                               reason, evidence, machine_answer, machine_confidence)
  SELECT e.id, c.pos, c.id, CASE WHEN (e.id + c.pos) % 5 = 0 THEN 'no' ELSE 'yes' END, NULL, c.w, c.crit, 0.9,
         'bench',
         jsonb_build_array(jsonb_build_object('turn', 0, 'start', 0.0, 'end', 3.5, 'quote', 'здравствуйте')),
         CASE WHEN (e.id + c.pos) % 5 = 0 THEN 'no' ELSE 'yes' END, 0.9
  FROM evaluations e CROSS JOIN (VALUES (0, 'greeting', 10.0, false), (1, 'agent_name', 5.0, false),
       (2, 'identify_booking', 10.0, false), (3, 'fare_rules', 15.0, false), (4, 'hold_etiquette', 10.0, false),
       (5, 'no_card_by_voice', 0.0, true), (6, 'farewell', 5.0, false),
       (7, 'accuracy', 10.0, false)) c(pos, id, w, crit);
ANALYZE;
"""

LIST_QUERIES = [
    {},
    {"channel": "call"},
    {"channel": "chat", "score_max": "70"},
    {"needs_review": "1"},
    {"critical": "1"},
    {"team": "3"},
    {"agent": "17"},
    {"queue": "refund", "topic": "refund"},
    {"reviewed": "0", "score_min": "60", "score_max": "90"},
    {"sort": "score_asc"},
    {"from": "2026-01-01", "to": "2026-12-31", "channel": "email"},
    {"criterion": "identify_booking"},
]


def _database_url() -> str:
    return make_url(ADMIN_URL).set(database=DB_NAME).render_as_string(hide_password=False)


def seed(n: int) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    from qa_service.config import Settings
    from qa_service.db.migrate import upgrade
    from qa_service.db.models import Role, Tenant
    from qa_service.db.session import transaction
    from qa_service.services.accounts.tenants import create_user

    settings = Settings(database_url=_database_url())
    upgrade(settings.sqlalchemy_url)
    started = time.perf_counter()
    with psycopg.connect(_database_url(), autocommit=True) as conn:
        for statement in SEED_SQL.split(";\n"):
            if statement.strip():
                conn.execute(statement.replace("%(n)s", str(n)).replace("%(evaluated)s", str(EVALUATED)))
    with transaction(settings.sqlalchemy_url) as session:
        tenant = session.get_one(Tenant, 1)
        create_user(session, tenant, email="qa@bench.local", name="QA", role=Role.QA, password=PASSWORD)
    print(f"seeded {n} interactions in {time.perf_counter() - started:.0f} s", file=sys.stderr)


EXPLAIN_CASES: dict[str, dict[str, object]] = {
    "no filter, newest": {},
    "channel=chat, score<=70": {"channel": "chat", "score_max": 70.0},
    "needs review": {"needs_review": True},
    "team": {"team_id": 3},
    "agent": {"agent_id": 17},
    "lowest score first": {"sort": "score_asc"},
    "failed criterion": {"criterion_failed": "identify_booking"},
    "search «багаж»": {"text": "багаж"},
}


def explain_list() -> list[tuple[str, float, str]]:
    """EXPLAIN ANALYZE of the list's own SQL for each filter set: (case, ms, indexes used)."""
    from qa_service.config import Settings
    from qa_service.db.models import Role
    from qa_service.db.session import transaction
    from qa_service.services.access import Viewer
    from qa_service.services.interactions.listing import ListFilters, list_interactions

    settings = Settings(database_url=_database_url())
    viewer = Viewer(user_id=0, tenant_id=1, role=Role.QA)
    rows = []
    with transaction(settings.sqlalchemy_url) as session:
        for name, filters in EXPLAIN_CASES.items():
            captured: list[Any] = []
            original = session.execute

            def capture(statement: Any, *args: Any, _seen: list[Any] = captured, _run: Any = original,
                        **kwargs: Any) -> Any:
                _seen.append(statement)
                return _run(statement, *args, **kwargs)

            session.execute = capture  # type: ignore[method-assign]
            try:
                list_interactions(session, viewer, ListFilters(**filters))  # type: ignore[arg-type]
            finally:
                session.execute = original  # type: ignore[method-assign]
            compiled = captured[0].compile(dialect=session.get_bind().dialect)
            result = session.connection().exec_driver_sql("EXPLAIN ANALYZE " + str(compiled), compiled.params)
            plan = "\n".join(row[0] for row in result)
            took = re.search(r"Execution Time: ([0-9.]+) ms", plan)
            indexes = sorted(set(re.findall(r"(?:Index|Index Only) Scan(?: Backward)? using (\w+)", plan)))
            rows.append((name, float(took.group(1)) if took else -1.0, ", ".join(indexes) or "—"))
    return rows


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sign_in(port: int) -> str:
    """Sign in through the real form; return the session cookie for wrk."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    body = urlencode({"email": "qa@bench.local", "password": PASSWORD, "csrf_token": token.group(1)})
    conn.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    assert response.status == 302, f"sign-in failed: {response.status}"
    return response.getheader("Set-Cookie", "").split(";")[0]


def _lua(paths: list[str], cookie: str, folder: Path, name: str) -> Path:
    quoted = ",\n".join(f'  "{p}"' for p in paths)
    script = folder / f"{name}.lua"
    script.write_text(f"""
local paths = {{
{quoted}
}}
local counter = 0
wrk.headers["Cookie"] = "{cookie}"
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT p50=%.1f p95=%.1f p99=%.1f requests=%d errors=%d non2xx=%d seconds=%.1f\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration / 1e6))
end
""")
    return script


def _list_paths(port: int, cookie: str) -> list[str]:
    """Every filter set, first page and the keyset page after it."""
    paths = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for query in LIST_QUERIES:
        first = "/interactions" + ("?" + urlencode(query) if query else "")
        conn.request("GET", first, headers={"Cookie": cookie})
        response = conn.getresponse()
        page = response.read().decode()
        assert response.status == 200, f"{first}: {response.status}"
        paths.append(first)
        following = re.search(r'rel="next" href="([^"]+)"', page)
        if following:
            paths.append(following.group(1).replace("&amp;", "&"))
    return paths


def run(duration: int, connections: int, web_workers: int = 4) -> dict[str, dict[str, float]]:
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=_database_url(), SECRET_KEY="bench-secret-" + "x" * 20, QA_ENV="production")
    env.pop("REDIS_URL", None)
    gunicorn = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(web_workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "qa_service.web:create_app()"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    folder = Path(tempfile.mkdtemp(prefix="qa-bench-web-"))
    results: dict[str, dict[str, float]] = {}
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        cookie = _sign_in(port)
        interaction_paths = [f"/interactions/{i}" for i in range(1, EVALUATED + 1, EVALUATED // 500)]
        scripts = {"list": _lua(_list_paths(port, cookie), cookie, folder, "list"),
                   "interaction": _lua(interaction_paths, cookie, folder, "interaction")}
        for name, script in scripts.items():
            subprocess.run(["wrk", "-t2", f"-c{connections}", "-d5s", "-s", str(script), f"http://127.0.0.1:{port}"],
                           check=True, capture_output=True)  # warm-up: caches, connections, query plans
            output = subprocess.run(
                ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
                 f"http://127.0.0.1:{port}"], check=True, capture_output=True, text=True,
            ).stdout
            match = re.search(r"RESULT (.*)", output)
            assert match, output
            results[name] = {k: float(v) for k, v in (item.split("=") for item in match.group(1).split())}
            # The same page for one client at a time: the service time, without queueing.
            single = subprocess.run(
                ["wrk", "-t1", "-c1", "-d10s", "-s", str(script), f"http://127.0.0.1:{port}"],
                check=True, capture_output=True, text=True,
            ).stdout
            match = re.search(r"RESULT (.*)", single)
            assert match, single
            results[name + " (1 client)"] = {
                k: float(v) for k, v in (item.split("=") for item in match.group(1).split())
            }
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database from the last run")
    parser.add_argument("--duration", type=int, default=30, help="seconds per page under load")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn sync workers")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 1
    if not args.reuse:
        seed(args.interactions)
    for name, took, indexes in explain_list():
        print(f"EXPLAIN {name:26s} {took:8.1f} ms  {indexes}")
    results = run(args.duration, args.connections, args.web_workers)
    ok = True
    for name, figures in results.items():
        target = TARGETS_MS[name.split(" ")[0]]
        verdict = "OK" if figures["p95"] <= target and figures["non2xx"] == 0 and figures["errors"] == 0 else "MISSED"
        ok = ok and verdict == "OK"
        print(f"{name:22s} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  p99 {figures['p99']:7.1f} ms  "
              f"{figures['requests'] / figures['seconds']:6.1f} req/s  errors {figures['errors']:.0f}  "
              f"non-2xx {figures['non2xx']:.0f}  target p95 ≤ {target:.0f} ms: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
