"""Benchmark: messaging on a region-sized directory — a send to a 2,000-person audience, its
delivery, and the compose picker's recipient search.

    .venv/bin/python bench/messaging.py                  # 200 schools, ~200,000 people
    .venv/bin/python bench/messaging.py --schools 20     # a quick one (targets informative)

Steps: drop and create the database (PostgreSQL by default), migrate, then, in this process,
build the directory with bulk inserts (one tenant, one current school year, N schools of ~980
people each — 500 pupils in 20 classes, 430 guardians, 45 teachers, 5 staff — and one large
lycée of 1,300 pupils with 2,000 guardians), ANALYZE, and measure with Celery's eager mode OFF
(the send queues the delivery job, which is then timed on its own):

- `send_message` by the lycée's director to "all guardians of the lycée" (2,000 people,
  confirmed): wall time of each of --sends calls, through the action, then the same through
  Django's request handler (POST /api/v1/messages with a session);
- `deliver` of such a message (2,000 copies and notifications), --deliveries times;
- the recipient search (the directory's `people_visible_to`, what GET /api/v1/people?search=
  answers and the compose picker calls) by a teacher of a school: --searches queries of 2 to 4
  letters taken from the names of that school, through the query, then through the endpoint.

Targets (DESIGN.md): send median ≤ 200 ms, delivery ≤ 5 s (median), search p95 < 100 ms (the
endpoint's). Each measure lists the SQL of one call, slowest first, so a missed target shows
what dominates. Prints a markdown report (also written to bench/results/); exits 1 when a
target is missed on the full-size set (from 200 schools).

The database is `--database-url`, else BENCH_DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/preau_bench_messaging. It is dropped: its name must contain
"bench". Without `--keep` it is dropped again at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aaf_names
from aaf_import import PY, ROOT, BenchError, Database, machine, revision, run
from cas_validate import percentile

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/preau_bench_messaging"
HOST = "messagerie.bench.test"
SEND_MEDIAN_MAX_MS = 200.0
DELIVER_MEDIAN_MAX_S = 5.0
SEARCH_P95_MAX_MS = 100.0
TARGETS_AT = 200  # schools: smaller sets are smoke tests
# A normal school: classes x pupils per class, guardians, teachers, staff.
CLASSES, PER_CLASS, GUARDIANS, TEACHERS, STAFF = 20, 25, 430, 45, 5
# The large lycée whose guardians are the audience.
BIG_CLASSES, BIG_GUARDIANS, BIG_TEACHERS, BIG_STAFF = 52, 2000, 90, 12
BATCH = 5000


# --- the directory ---------------------------------------------------------------------------


@dataclass
class Built:
    seconds: float
    rows: dict[str, int]
    director: Any
    teacher: Any
    audience: Any
    search_school: Any


@dataclass
class Builder:
    """Bulk-inserts people and their memberships, keeping their ids."""

    tenant: Any
    year: Any
    rng: random.Random
    rows: dict[str, int] = field(default_factory=dict)
    serial: int = 0

    def people(self, count: int, *, adult: bool) -> list[Any]:
        from preau.core.sanitize import fold
        from preau.directory.models import Person

        batch = []
        for _ in range(count):
            self.serial += 1
            first = self.rng.choice(
                (aaf_names.WOMEN + aaf_names.MEN) if adult else (aaf_names.GIRLS + aaf_names.BOYS)
            )
            last = self.rng.choice(aaf_names.SURNAMES)
            batch.append(
                Person(
                    tenant=self.tenant,
                    login=f"p{self.serial:07d}",
                    password="!",  # unusable: nobody logs in with a password here  # noqa: S106
                    first_name=first,
                    last_name=last,
                    search_name=fold(f"{last} {first}"),
                    source="aaf",
                )
            )
        self.count("people", len(batch))
        return Person.objects.bulk_create(batch, batch_size=BATCH)

    def count(self, label: str, n: int) -> None:
        self.rows[label] = self.rows.get(label, 0) + n

    def school(
        self,
        school: Any,
        *,
        classes: int,
        guardians: int,
        teachers: int,
        staff: int,
        subjects: list[Any],
    ) -> dict[str, list[Any]]:
        from preau.directory.models import (
            GuardianLink,
            Membership,
            Profile,
            SchoolClass,
            TeachingAssignment,
        )

        t, y = self.tenant, self.year
        class_rows = SchoolClass.objects.bulk_create(
            [
                SchoolClass(
                    tenant=t, school=school, year=y, code=f"C{i:02d}", name=f"{3 + i % 4}e {i}"
                )
                for i in range(classes)
            ]
        )
        self.count("classes", len(class_rows))
        pupils = self.people(classes * PER_CLASS, adult=False)
        parents = self.people(guardians, adult=True)
        teaching = self.people(teachers, adult=True)
        staffing = self.people(staff, adult=True)
        members = [
            Membership(
                tenant=t,
                person=p,
                school=school,
                year=y,
                profile=Profile.PUPIL,
                school_class=class_rows[i // PER_CLASS],
            )
            for i, p in enumerate(pupils)
        ]
        members += [
            Membership(tenant=t, person=p, school=school, year=y, profile=Profile.GUARDIAN)
            for p in parents
        ]
        members += [
            Membership(tenant=t, person=p, school=school, year=y, profile=Profile.TEACHER)
            for p in teaching
        ]
        members += [
            Membership(
                tenant=t,
                person=p,
                school=school,
                year=y,
                profile=Profile.STAFF,
                functions=["DIR"] if i == 0 else ["EVS"],
                is_school_admin=i == 1,
            )
            for i, p in enumerate(staffing)
        ]
        Membership.objects.bulk_create(members, batch_size=BATCH)
        self.count("memberships", len(members))
        # Every guardian has a child here; 60 % of the pupils have a second guardian.
        links = {(i, i % guardians) for i in range(len(pupils))} | {
            (i, (i * 7 + 3) % guardians) for i in range(len(pupils)) if i % 5 < 3
        }
        links |= {(g % len(pupils), g) for g in range(guardians)}
        GuardianLink.objects.bulk_create(
            [
                GuardianLink(tenant=t, pupil=pupils[i], guardian=parents[g], level=1)
                for i, g in sorted(links)
            ],
            batch_size=BATCH,
        )
        self.count("guardian links", len(links))
        # Each teacher teaches one subject to three classes.
        assignments = [
            TeachingAssignment(
                tenant=t,
                teacher=p,
                school=school,
                year=y,
                school_class=class_rows[(i * 3 + k) % classes],
                subject=subjects[i % len(subjects)],
                is_main=k == 0 and i < classes,
            )
            for i, p in enumerate(teaching)
            for k in range(3)
        ]
        TeachingAssignment.objects.bulk_create(assignments, batch_size=BATCH)
        self.count("teaching assignments", len(assignments))
        return {"pupils": pupils, "guardians": parents, "teachers": teaching, "staff": staffing}


def build(schools: int, seed: int) -> Built:
    """The region: one tenant, `schools` schools (the first one the large lycée)."""
    from django.db import connection, transaction

    from preau.core.models import Tenant, TenantHost
    from preau.directory.models import (
        Audience,
        AudienceTarget,
        Authority,
        Profile,
        School,
        SchoolYear,
        Subject,
    )

    started = time.perf_counter()
    with transaction.atomic():
        tenant = Tenant.objects.create(name="Banc d'essai messagerie", slug="bench-messaging")
        TenantHost.objects.create(tenant=tenant, host=HOST)
        year = SchoolYear.objects.create(
            tenant=tenant,
            start_year=2026,
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2027, 7, 4),
            is_current=True,
        )
        region = Authority.objects.create(tenant=tenant, name="Région", kind="region")
        subjects = Subject.objects.bulk_create(
            [Subject(tenant=tenant, code=f"{i:06d}", label=f"Matière {i}") for i in range(8)]
        )
        school_rows = School.objects.bulk_create(
            [
                School(
                    tenant=tenant,
                    uai=f"{690000 + i:07d}{'ABCDEFGHJKLMNPRSTUVWXYZ'[i % 23]}",
                    name=("Lycée " if i == 0 else "Collège ")
                    + aaf_names.PATRONS[i % len(aaf_names.PATRONS)]
                    + f" {i}",
                    kind="lycee" if i == 0 else "college",
                    sector="public",
                )
                for i in range(schools)
            ]
        )
        School.authorities.through.objects.bulk_create(
            [School.authorities.through(school=s, authority=region) for s in school_rows]
        )
        builder = Builder(tenant=tenant, year=year, rng=random.Random(seed))
        builder.count("schools", len(school_rows))
        big = builder.school(
            school_rows[0],
            classes=BIG_CLASSES,
            guardians=BIG_GUARDIANS,
            teachers=BIG_TEACHERS,
            staff=BIG_STAFF,
            subjects=subjects,
        )
        searched: dict[str, list[Any]] = {}
        for index, school in enumerate(school_rows[1:], start=1):
            made = builder.school(
                school,
                classes=CLASSES,
                guardians=GUARDIANS,
                teachers=TEACHERS,
                staff=STAFF,
                subjects=subjects,
            )
            if index == len(school_rows) // 2:
                searched = made
        if not searched:  # a set of one school: search in the lycée
            searched = big
        audience = Audience.objects.create(tenant=tenant, label="Parents du lycée")
        AudienceTarget.objects.create(
            tenant=tenant,
            audience=audience,
            kind=AudienceTarget.Kind.PROFILE,
            school=school_rows[0],
            profile=Profile.GUARDIAN,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    search_school = school_rows[len(school_rows) // 2] if len(school_rows) > 1 else school_rows[0]
    return Built(
        seconds=time.perf_counter() - started,
        rows=builder.rows,
        director=big["staff"][0],
        teacher=searched["teachers"][0],
        audience=audience,
        search_school=search_school,
    )


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Measure:
    label: str
    unit: str  # "ms" or "s"
    wall: list[float]
    cpu: list[float]
    queries: list[tuple[float, str]]  # (ms, SQL) of one call (the slowest, for searches)
    plan: list[str] = field(default_factory=list)  # of its slowest SELECT (searches)
    note: str = ""


def timed(call: Callable[[], object], times: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of `times` calls."""
    wall, cpu = [], []
    for _ in range(times):
        c0, w0 = time.process_time(), time.perf_counter()
        call()
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def traced(call: Callable[[], object], plan: list[str] | None = None) -> list[tuple[float, str]]:
    """The SQL of one call with each statement's wall milliseconds, slowest first; with `plan`,
    the PostgreSQL plan (EXPLAIN ANALYZE) of its slowest SELECT is appended to it."""
    from django.db import connection

    seen: list[tuple[float, str, Any]] = []

    def wrapper(execute: Callable[..., object], sql: str, params: Any, *rest: object) -> object:
        start = time.perf_counter()
        try:
            return execute(sql, params, *rest)
        finally:
            seen.append(((time.perf_counter() - start) * 1000, sql, params))

    with connection.execute_wrapper(wrapper):
        call()
    seen.sort(key=lambda row: -row[0])
    if plan is not None:
        select = next((row for row in seen if row[1].lstrip().startswith("SELECT")), None)
        if select is not None:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + select[1], select[2])
                plan += [line for (line,) in cursor.fetchall()]
    return [(ms, sql) for ms, sql, _params in seen]


def search_terms(school: Any, count: int, rng: random.Random) -> list[str]:
    """2 to 4 letters of a name of the school's people, as a teacher would type them."""
    from preau.core.sanitize import fold
    from preau.directory.models import Membership

    names = list(
        Membership.objects.filter(school=school).values_list(
            "person__last_name", "person__first_name"
        )
    )
    terms = []
    for _ in range(count):
        last, first = rng.choice(names)
        word = fold(rng.choice((last, last, first))).replace(" ", "")
        terms.append(word[: rng.randint(2, 4)])
    return terms


def measures(
    built: Built, db: Database, *, sends: int, deliveries: int, searches: int
) -> list[Measure]:
    """Send, deliver, then search as configured; then search again with PostgreSQL's JIT off."""
    from django.db import connections
    from django.test import Client

    from preau.directory.queries import build_actor
    from preau.messaging import actions
    from preau.messaging.models import Delivery, Message

    tenant = built.audience.tenant
    director = build_actor(built.director, tenant=tenant)
    recipients = actions.Recipients(audiences=[built.audience])
    sent: list[int] = []

    def send() -> None:
        message = actions.send_message(
            actor=director,
            subject="Réunion parents-professeurs",
            body="<p>Madame, Monsieur,</p><p>La réunion aura lieu <b>jeudi à 18 h</b>.</p>",
            recipients=recipients,
            confirmed=True,
        )
        sent.append(message.pk)

    results = []
    send()  # warm-up: caches, the broker's connection
    trace = traced(send)
    wall, cpu = timed(send, sends)
    results.append(Measure("send_message, action (2,000 guardians)", "ms", wall, cpu, trace))

    client = Client(HTTP_HOST=HOST)
    client.force_login(built.director)
    payload = {
        "subject": "Réunion parents-professeurs",
        "body": "<p>La réunion aura lieu <b>jeudi à 18 h</b>.</p>",
        "audiences": [built.audience.pk],
        "confirmed": True,
    }

    def post() -> None:
        response = client.post("/api/v1/messages", payload, content_type="application/json")
        if response.status_code != 201:
            raise BenchError(f"POST /api/v1/messages: {response.status_code} {response.content!r}")
        sent.append(response.json()["id"])

    post()
    trace = traced(post)
    wall, cpu = timed(post, sends)
    results.append(Measure("send, POST /api/v1/messages", "ms", wall, cpu, trace))
    if Delivery.objects.exists():
        raise BenchError("copies were written at send: Celery's eager mode is on")
    size = Message.objects.get(pk=sent[0]).recipient_count

    pending = iter(sent)
    written: list[int] = []

    def deliver() -> None:
        written.append(actions.deliver(next(pending)))

    trace = traced(deliver)
    wall, cpu = timed(deliver, deliveries)
    if any(n != size for n in written):
        raise BenchError(f"a delivery wrote {written} copies, not {size}")
    results.append(
        Measure(
            f"deliver (one message, {size:,} copies)",
            "s",
            [w / 1000 for w in wall],
            [c / 1000 for c in cpu],
            trace,
        )
    )

    results += search_measures(built, searches=searches, suffix="")
    db.psql(f'ALTER DATABASE "{db.name}" SET jit = off')
    connections.close_all()
    results += search_measures(built, searches=searches, suffix=", jit off")
    return results


def search_measures(built: Built, *, searches: int, suffix: str) -> list[Measure]:
    """The recipient search by a teacher: the query, then the endpoint."""
    from django.test import Client

    from preau.directory.queries import build_actor, people_visible_to

    tenant = built.audience.tenant
    results = []
    rng = random.Random(7)
    terms = search_terms(built.search_school, searches + 20, rng)
    teacher = build_actor(built.teacher, tenant=tenant)
    queue = iter(terms)

    def search() -> None:
        len(people_visible_to(teacher, search=next(queue), limit=20).items)

    for _ in range(10):
        search()
    queue = iter(terms[10:])
    wall, cpu = timed(search, searches)
    slowest = max(range(len(wall)), key=wall.__getitem__)
    plan: list[str] = []
    queue = iter([terms[10 + slowest]])
    trace = traced(search, plan)
    results.append(
        Measure(
            "search, people_visible_to (teacher)" + suffix,
            "ms",
            wall,
            cpu,
            trace,
            plan,
            f"slowest term {terms[10 + slowest]!r} ({wall[slowest]:.0f} ms); median over the "
            f"terms of {len(set(terms))} distinct strings",
        )
    )

    reader = Client(HTTP_HOST=HOST)
    reader.force_login(built.teacher)
    queue = iter(terms)

    def endpoint() -> None:
        response = reader.get("/api/v1/people", {"search": next(queue), "limit": 20})
        if response.status_code != 200:
            raise BenchError(f"GET /api/v1/people: {response.status_code}")

    for _ in range(10):
        endpoint()
    queue = iter(terms[10:])
    wall, cpu = timed(endpoint, searches)
    queue = iter([terms[10 + max(range(len(wall)), key=wall.__getitem__)]])
    trace = traced(endpoint)
    results.append(Measure("search, GET /api/v1/people?search=" + suffix, "ms", wall, cpu, trace))
    return results


# --- the report ------------------------------------------------------------------------------


def report(
    *,
    built: Built,
    results: list[Measure],
    db: Database,
    started: dt.datetime,
    code: str,
    full: bool,
) -> tuple[list[str], bool]:
    by_label = {m.label.split(",")[0].split(" ")[0]: m for m in results}
    send_api = next(m for m in results if m.label.startswith("send, POST"))
    search_api = next(m for m in results if m.label.startswith("search, GET"))
    search_off = results[-1]
    deliver = by_label["deliver"]
    send_action = results[0]
    checks = [
        (f"send (action) median ≤ {SEND_MEDIAN_MAX_MS:.0f} ms",
         statistics.median(send_action.wall), SEND_MEDIAN_MAX_MS, "ms"),
        (f"send (POST) median ≤ {SEND_MEDIAN_MAX_MS:.0f} ms",
         statistics.median(send_api.wall), SEND_MEDIAN_MAX_MS, "ms"),
        (f"deliver median ≤ {DELIVER_MEDIAN_MAX_S:.0f} s",
         statistics.median(deliver.wall), DELIVER_MEDIAN_MAX_S, "s"),
        (f"search (endpoint) p95 < {SEARCH_P95_MAX_MS:.0f} ms",
         percentile(search_api.wall, 95), SEARCH_P95_MAX_MS, "ms"),
        (f"search (endpoint, jit off) p95 < {SEARCH_P95_MAX_MS:.0f} ms — informative",
         percentile(search_off.wall, 95), SEARCH_P95_MAX_MS, "ms"),
    ]  # fmt: skip
    rows = ", ".join(f"{label} {n:,}" for label, n in built.rows.items())
    lines = [
        f"## Messaging benchmark — {started:%Y-%m-%d %H:%M}",
        "",
        f"- code: {code}; machine: {machine()}",
        f"- database: {db.describe()}",
        f"- directory built in {built.seconds:.1f} s (bulk inserts, then ANALYZE): {rows}",
        "- Celery eager mode off: the send queues the delivery job (in-memory broker); "
        "`deliver` is timed on its own",
        "",
        "| measure | calls | median | p95 | max | CPU median | SQL per call |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        fmt = (lambda v: f"{v:.2f} s") if m.unit == "s" else (lambda v: f"{v:.1f} ms")
        lines.append(
            f"| {m.label} | {len(m.wall)} | {fmt(statistics.median(m.wall))} "
            f"| {fmt(percentile(m.wall, 95))} | {fmt(max(m.wall))} "
            f"| {fmt(statistics.median(m.cpu))} | {len(m.queries)} |"
        )
    lines += ["", "| target | measured | result |", "|---|---:|---|"]
    ok = True
    for name, value, limit, unit in checks:
        met = value < limit if "<" in name else value <= limit
        ok = ok and (met or not full or "informative" in name)
        verdict = "PASS" if met else ("FAIL" if full else f"missed (binds at {TARGETS_AT} schools)")
        shown = f"{value:.2f} s" if unit == "s" else f"{value:.1f} ms"
        lines.append(f"| {name} | {shown} | {verdict} |")
    lines += ["", "### Where the time goes (one call each, slowest statements first)", ""]
    for m in results:
        total = sum(ms for ms, _sql in m.queries)
        lines.append(f"- **{m.label}**: {len(m.queries)} statements, {total:.1f} ms in SQL")
        for ms, sql in m.queries[:3]:
            text = " ".join(sql.split())
            lines.append(f"  - {ms:.1f} ms: `{text[:160]}{'…' if len(text) > 160 else ''}`")
        if m.note:
            lines.append(f"  - {m.note}")
        if m.plan:
            lines += ["", "  Plan of its slowest SELECT:", "", "  ```"]
            planning = next((i for i, ln in enumerate(m.plan) if ln.startswith("Planning")), 0)
            shown_plan = [*m.plan[:14], "…", *m.plan[planning:]] if planning > 14 else m.plan
            lines += [f"  {line}" for line in shown_plan]
            lines += ["  ```", ""]
    return lines, ok


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=200, help="schools in the region (200)")
    parser.add_argument("--sends", type=int, default=20)
    parser.add_argument("--deliveries", type=int, default=5)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
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
        if db.engine != "postgres":
            raise BenchError("the messaging benchmark runs on PostgreSQL")
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_BROKER_URL": "memory://",
        }
        env.pop("REDIS_URL", None)
        print(f"database: {url} (dropped and created)", flush=True)
        db.recreate()
        run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env=env)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(f"building {args.schools} schools…", flush=True)
        built = build(args.schools, args.seed)
        print(f"built in {built.seconds:.1f} s: {built.rows}", flush=True)
        results = measures(
            built, db, sends=args.sends, deliveries=args.deliveries, searches=args.searches
        )
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    lines, ok = report(
        built=built,
        results=results,
        db=db,
        started=started,
        code=code,
        full=args.schools >= TARGETS_AT,
    )
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"messaging-{args.schools}-{started:%Y%m%d-%H%M%S}.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\n(report in {out.relative_to(ROOT)})")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        db.drop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
