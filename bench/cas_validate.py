"""Benchmark: the server CPU of a CAS service-ticket validation, through the whole stack.

    .venv/bin/python bench/cas_validate.py                 # 2,000 validations (make bench-cas)
    .venv/bin/python bench/cas_validate.py --tickets 500   # a quick one

Steps: drop and create the database (PostgreSQL by default), migrate, seed the demo territory
(`manage.py demo`: 4 schools, ~2,500 people, Pronote opening through CAS), then, in this
process, issue N service tickets for Pronote to the demo's pupils and validate each one with a
GET of /cas/p3/serviceValidate through Django's request handler (every middleware, the URL
resolver, the view, the database round trips), as Pronote's server would. Per request it reads
the process CPU time (time.process_time: this process's user + system time, not the database
server's) and the wall time. The floor is the same endpoint refused before any database work
(no ticket given): what any CAS request pays.

Prints a markdown table (median, p95, p99 in milliseconds) and checks the target: a validation
costs at most 5 ms of app CPU at the median. Exits 1 when it does not or a validation fails.
The report is also written to bench/results/.

The database is `--database-url`, else BENCH_DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/preau_bench_cas. It is dropped: its name must contain "bench".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aaf_import import PY, ROOT, BenchError, Database, machine, revision, run

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/preau_bench_cas"
MEDIAN_CPU_MAX_MS = 5.0
WARM_UP = 200


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(call: Callable[[], object], times: int) -> tuple[list[float], list[float]]:
    """CPU and wall milliseconds of `times` calls."""
    cpu, wall = [], []
    for _ in range(times):
        c0, w0 = time.process_time(), time.perf_counter()
        call()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return cpu, wall


@dataclass
class Timings:
    cpu: list[float]
    wall: list[float]
    floor_cpu: list[float]
    floor_wall: list[float]
    queries: int
    failures: int
    pupils: int
    school: str


def validations(count: int) -> Timings:
    """Issue `count` tickets and validate them; the timings and the query count of one."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from preau.core.models import TenantHost
    from preau.directory.models import Membership, Profile
    from preau.directory.queries import build_actor
    from preau.portal.models import ConnectedApp
    from preau.sso.cas.actions import issue_service_ticket

    app = ConnectedApp.objects.filter(cas_enabled=True, name="Pronote").order_by("id").first()
    if app is None:
        raise BenchError("the demo has no Pronote opening through CAS")
    school = app.schools.get()
    host = TenantHost.objects.filter(tenant_id=app.tenant_id).values_list("host", flat=True)[0]
    pupils = [
        m.person
        for m in Membership.objects.filter(
            school=school, profile=Profile.PUPIL, year__is_current=True
        ).select_related("person")
    ]
    service = app.url + "?login=true"
    tickets = []
    for i in range(count + WARM_UP):
        actor = build_actor(pupils[i % len(pupils)], tenant=app.tenant)
        row = issue_service_ticket(
            actor=actor, app=app, service=service, session_key="bench", from_new_login=False
        )
        tickets.append(row.ticket)
    client = Client(HTTP_HOST=host)
    path = "/cas/p3/serviceValidate"
    failures = 0

    def validate_next() -> None:
        nonlocal failures
        response = client.get(path, {"ticket": tickets.pop(), "service": service})
        if b"authenticationSuccess" not in response.content:
            failures += 1

    def floor() -> None:
        client.get(path, {"service": service})

    measure(validate_next, WARM_UP)
    measure(floor, WARM_UP)
    failures = 0
    # Counted by a wrapper: the request handler resets Django's own query log at each request.
    queries: list[str] = []

    def counted(execute: Callable[..., object], sql: str, *rest: object) -> object:
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(counted):
        validate_next()
    cpu, wall = measure(validate_next, count - 1)
    floor_cpu, floor_wall = measure(floor, count)
    return Timings(
        cpu, wall, floor_cpu, floor_wall, len(queries), failures, len(pupils), school.name
    )


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    url = args.database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DB
    started = dt.datetime.now()
    code = revision()
    try:
        db = Database.to_drop(url)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
        env["DEBUG"] = "0"
        print(f"database: {url} (dropped and created)", flush=True)
        db.recreate()
        run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env=env)
        run([PY, "manage.py", "demo"], env=env, quiet=True)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        result = validations(args.tickets)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    median = statistics.median(result.cpu)
    ok = median <= MEDIAN_CPU_MAX_MS and result.failures == 0

    def row(label: str, values: list[float]) -> str:
        return (
            f"| {label} | {statistics.median(values):.2f} | {percentile(values, 95):.2f} "
            f"| {percentile(values, 99):.2f} |"
        )

    lines = [
        f"## CAS ticket validation — {started:%Y-%m-%d %H:%M}",
        "",
        f"- code: {code}; machine: {machine()}",
        f"- database: {db.engine}; {args.tickets} validations of Pronote tickets "
        f"({result.pupils} pupils of {result.school}), {WARM_UP} warm-up calls first",
        f"- SQL queries per validation: {result.queries}; failed validations: {result.failures}",
        "",
        "| per request, ms | median | p95 | p99 |",
        "|---|---:|---:|---:|",
        row("validation, app CPU", result.cpu),
        row("validation, wall", result.wall),
        row("floor (refused before the database), app CPU", result.floor_cpu),
        row("floor, wall", result.floor_wall),
        "",
        f"Target: median app CPU ≤ {MEDIAN_CPU_MAX_MS:.0f} ms — "
        f"{'PASS' if ok else 'FAIL'} ({median:.2f} ms, "
        f"{median / statistics.median(result.floor_cpu):.1f} times the floor).",
    ]
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    out = results / f"cas-{args.tickets}-{started:%Y%m%d-%H%M%S}.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\n(report in {out.relative_to(ROOT)})")
    if not args.keep:
        db.drop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
