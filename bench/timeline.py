"""Benchmark: the timeline's fan-out on read — a news item to a 5,000-member school, how soon
its members' feeds show it, the feed query, and the feed page's query count.

    .venv/bin/python bench/timeline.py                 # a school of 5,000 in a region of 10
    .venv/bin/python bench/timeline.py --schools 3     # a quicker one

Steps: drop and create the database (PostgreSQL), migrate, then, in this process, bulk-build one
tenant: a school of 5,000 members (2,500 pupils in 100 classes, 2,200 guardians, 280 teachers,
20 staff) and --schools - 1 ordinary schools of ~980 people around it. Around everyone: 50
whole-school audiences for the big school, a pupils' and a guardians' audience per class, 10
audiences per other school, each with --history notifications already published (the feed is
not empty); 5 % of the big school's members chose "news by e-mail at once". ANALYZE, then with
Celery's eager mode off (the delivery job is queued, then timed on its own):

- `notify(audience, kind="news.published", ...)` — what publishing a news item does — to the
  whole big school, in a transaction; then, from its commit, the time until each of --sample
  members' feed query (`feed_for`, first page) returns it, queried one after the other;
- `feed_for` p50/p95 over the sample (the page's one query), `unread_count` too;
- the number of SQL queries of GET /timeline/ for a person reached by 1 audience and for one
  reached by 50+ (they must be equal), and its wall time;
- `deliver` of that notification (the audience resolved by batches of 1,000, the e-mails at
  once of those who chose it, into Django's locmem backend).

Targets (DESIGN.md): visible in every member's feed ≤ 1 s after publishing; feed page query
count independent of the number of audiences. Prints a markdown report (also in bench/results/),
exits 1 when a target is missed.

The database is `--database-url`, else BENCH_DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/preau_bench_timeline. It is dropped: its name must contain
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aaf_import import PY, ROOT, BenchError, Database, machine, revision, run
from cas_validate import percentile
from messaging import Builder

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/preau_bench_timeline"
HOST = "timeline.bench.test"
VISIBLE_MAX_MS = 1000.0
# The big school: 100 classes of 25 pupils, guardians, teachers, staff: 5,000 members.
BIG_CLASSES, BIG_GUARDIANS, BIG_TEACHERS, BIG_STAFF = 100, 2200, 280, 20
WHOLE_SCHOOL_AUDIENCES = 50


@dataclass
class Built:
    seconds: float
    rows: dict[str, int]
    tenant: Any
    director: Any
    audience: Any
    members: list[Any]
    quiet: Any  # a person reached by one audience only
    quiet_audience: Any
    busy: Any  # a member of the big school, reached by 50+ audiences


def build(schools: int, history: int, seed: int) -> Built:  # noqa: PLR0915 - one scenario
    from django.db import connection, transaction
    from django.db.models import Value
    from django.db.models.functions import Concat

    from preau.core.models import Notification, Tenant, TenantHost
    from preau.directory.models import (
        Audience,
        AudienceTarget,
        Membership,
        Person,
        Profile,
        School,
        SchoolClass,
        SchoolYear,
        Subject,
    )
    from preau.timeline.models import Group, Mode, Preference

    started = time.perf_counter()
    rng = random.Random(seed)
    with transaction.atomic():
        tenant = Tenant.objects.create(name="Banc d'essai fil d'actualité", slug="bench-timeline")
        TenantHost.objects.create(tenant=tenant, host=HOST)
        year = SchoolYear.objects.create(
            tenant=tenant,
            start_year=2026,
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2027, 7, 4),
            is_current=True,
        )
        subjects = Subject.objects.bulk_create(
            [Subject(tenant=tenant, code=f"{i:06d}", label=f"Matière {i}") for i in range(8)]
        )
        school_rows = School.objects.bulk_create(
            [
                School(
                    tenant=tenant,
                    uai=f"{690000 + i:07d}{'ABCDEFGHJKLMNPRSTUVWXYZ'[i % 23]}",
                    name=f"{'Lycée' if i == 0 else 'Collège'} {i}",
                    kind="lycee" if i == 0 else "college",
                    sector="public",
                )
                for i in range(schools)
            ]
        )
        builder = Builder(tenant=tenant, year=year, rng=rng)
        builder.count("schools", len(school_rows))
        big = builder.school(
            school_rows[0],
            classes=BIG_CLASSES,
            guardians=BIG_GUARDIANS,
            teachers=BIG_TEACHERS,
            staff=BIG_STAFF,
            subjects=subjects,
        )
        for s in school_rows[1:]:
            builder.school(s, classes=20, guardians=430, teachers=45, staff=5, subjects=subjects)
        director = big["staff"][0]
        audiences: list[tuple[Audience, AudienceTarget]] = []

        def audience(label: str, **target: Any) -> Audience:
            a = Audience(tenant=tenant, label=label)
            audiences.append((a, AudienceTarget(tenant=tenant, **target)))
            return a

        for i in range(WHOLE_SCHOOL_AUDIENCES):
            audience(f"Tout le lycée {i}", kind="school", school=school_rows[0])
        classes = list(SchoolClass.objects.filter(school=school_rows[0]))
        for c in classes:
            audience(f"Élèves {c.name}", kind="class_pupils", school_class=c)
            audience(f"Parents {c.name}", kind="class_guardians", school_class=c)
        for s in school_rows[1:]:
            for i in range(10):
                audience(f"{s.name} {i}", kind="school", school=s)
        # The "quiet" person: a guest of a school of their own, reached by one audience.
        quiet_school = School.objects.create(
            tenant=tenant, uai="0699999Z", name="École du bout du monde", kind="ecole"
        )
        quiet = builder.people(1, adult=True)[0]
        Membership.objects.create(
            tenant=tenant, person=quiet, school=quiet_school, year=year, profile=Profile.GUARDIAN
        )
        quiet_audience = audience("École du bout du monde", kind="school", school=quiet_school)
        Audience.objects.bulk_create([a for a, _t in audiences])
        for a, t in audiences:
            t.audience = a
        AudienceTarget.objects.bulk_create([t for _a, t in audiences])
        builder.count("audiences", len(audiences))
        # History: each audience already has `history` notifications, spread over 30 days.
        now = dt.datetime.now(dt.UTC)
        past = [
            Notification(
                tenant=tenant,
                kind=rng.choice(("news.published", "homework.new", "messaging.message")),
                audience=a,
                actor=director,
                text=f"Information {k} — {a.label}",
                url="/news/",
            )
            for a, _t in audiences
            for k in range(history)
        ]
        Notification.objects.bulk_create(past, batch_size=5000)
        stamps = sorted(now - dt.timedelta(minutes=rng.randint(5, 30 * 24 * 60)) for _ in past)
        for n, at in zip(past, stamps, strict=True):
            n.created_at = at
        Notification.objects.bulk_update(past, ["created_at"], batch_size=5000)
        builder.count("notifications (history)", len(past))
        # Everyone has an address (the Builder gives none), so e-mail at once is really sent.
        Person.objects.filter(tenant=tenant).update(email=Concat("login", Value("@bench.invalid")))
        members = [p for group in big.values() for p in group]
        chosen = rng.sample(members, len(members) // 20)
        Preference.objects.bulk_create(
            [
                Preference(tenant=tenant, person=p, group=Group.NEWS, mode=Mode.IMMEDIATE)
                for p in chosen
            ]
        )
        builder.count("preferences (news at once)", len(chosen))
        target = next(a for a, t in audiences if t.kind == "school" and t.school == school_rows[0])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    busy = big["guardians"][0]
    return Built(
        seconds=time.perf_counter() - started,
        rows=builder.rows,
        tenant=tenant,
        director=director,
        audience=target,
        members=members,
        quiet=quiet,
        quiet_audience=quiet_audience,
        busy=busy,
    )


@dataclass
class Result:
    lines: list[str]
    ok: bool


def measure(built: Built, *, sample: int, seed: int) -> Result:  # noqa: PLR0915 - one scenario
    from django.core import mail
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from preau.core.notify import notify
    from preau.directory.audiences import audience_ids_reaching
    from preau.directory.queries import build_actor
    from preau.timeline import actions, queries

    rng = random.Random(seed)
    tenant = built.tenant
    director = build_actor(built.director, tenant=tenant)
    people = rng.sample(built.members, min(sample, len(built.members)))
    actors = [build_actor(p, tenant=tenant) for p in people]
    reach = {
        "busy": len(set(audience_ids_reaching(built.busy))),
        "quiet": len(set(audience_ids_reaching(built.quiet))),
    }
    for a in actors[:20]:  # warm-up: plans, caches
        queries.feed_for(a)

    # Warm-up: a first publish opens the broker's connection (the delivery job is queued).
    with transaction.atomic():
        notify(built.quiet_audience, kind="news.published", obj=None, actor=director, text="-")
    c0 = time.perf_counter()
    with transaction.atomic():
        rows = notify(
            built.audience,
            kind="news.published",
            obj=None,
            actor=director,
            text="Le lycée sera fermé demain (intempéries)",
            url="/news/",
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
        )
    committed = time.perf_counter()
    publish_ms = (committed - c0) * 1000
    news_id = rows[0].pk
    visible_at: list[float] = []
    feed_ms: list[float] = []
    missing = 0
    for a in actors:
        s = time.perf_counter()
        page = queries.feed_for(a)
        e = time.perf_counter()
        feed_ms.append((e - s) * 1000)
        if page.items and page.items[0].pk == news_id:
            visible_at.append((e - committed) * 1000)
        else:
            missing += 1
    unread_ms = []
    for a in actors[:100]:
        s = time.perf_counter()
        queries.unread_count(a)
        unread_ms.append((time.perf_counter() - s) * 1000)

    client = Client(HTTP_HOST=HOST)
    counts: dict[str, int] = {}
    page_ms: dict[str, float] = {}
    for label, person in (("quiet", built.quiet), ("busy", built.busy)):
        client.force_login(person)
        client.get("/timeline/")  # warm the tenant cache
        with CaptureQueriesContext(connection) as ctx:
            s = time.perf_counter()
            response = client.get("/timeline/")
            page_ms[label] = (time.perf_counter() - s) * 1000
        assert response.status_code == 200, response.status_code
        counts[label] = len(ctx.captured_queries)

    mail.outbox = []
    s = time.perf_counter()
    sends = actions.deliver([news_id])
    deliver_s = time.perf_counter() - s
    qs = queries.notifications_for(actors[0]).order_by("-created_at", "-id")[:21]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [line for (line,) in cursor.fetchall()]

    first_visible = visible_at[0] if visible_at else float("inf")
    all_visible = max(visible_at) if visible_at else float("inf")
    checks = [
        ("visible in the first member's feed ≤ 1 s after the commit",
         first_visible <= VISIBLE_MAX_MS),
        (f"every sampled member's feed has it (0 missing of {len(actors)})", missing == 0),
        ("feed query p95 ≤ 1 s (each member sees it within 1 s of asking)",
         percentile(feed_ms, 95) <= VISIBLE_MAX_MS),
        (f"feed page queries equal for 1 and {reach['busy']} audiences",
         counts["quiet"] == counts["busy"]),
    ]  # fmt: skip
    lines = [
        f"- publish (notify to {built.audience.label!r}, 5,000 members, in a transaction): "
        f"{publish_ms:.1f} ms, {len(rows)} row written",
        f"- from the commit: the first sampled member's feed returned it {first_visible:.1f} ms "
        f"later; every one of the {len(actors)} sampled members' first feed query after the "
        f"commit returned it ({missing} missing; queried one after the other on one "
        f"connection, the last at {all_visible / 1000:.1f} s)",
        f"- feed_for (first page, {queries.PAGE_SIZE} items) over {len(feed_ms)} members: "
        f"p50 {statistics.median(feed_ms):.1f} ms, p95 {percentile(feed_ms, 95):.1f} ms, "
        f"max {max(feed_ms):.1f} ms",
        f"- unread_count over {len(unread_ms)} members: p50 {statistics.median(unread_ms):.1f} ms, "
        f"p95 {percentile(unread_ms, 95):.1f} ms",
        f"- GET /timeline/: {counts['quiet']} queries for a person reached by {reach['quiet']} "
        f"audience ({page_ms['quiet']:.1f} ms), {counts['busy']} queries for one reached by "
        f"{reach['busy']} audiences ({page_ms['busy']:.1f} ms)",
        f"- deliver (resolve 5,000 by batches of 1,000, e-mail at once to who chose it): "
        f"{deliver_s:.2f} s, {sends} e-mails ({len(mail.outbox)} in the locmem outbox)",
        "",
        "| target | result |",
        "|---|---|",
        *[f"| {name} | {'PASS' if ok else 'FAIL'} |" for name, ok in checks],
        "",
        "Plan of the feed query (a member of the big school):",
        "",
        "```",
        *plan,
        "```",
    ]
    return Result(lines=lines, ok=all(ok for _n, ok in checks))


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=10, help="schools, the big one included")
    parser.add_argument("--history", type=int, default=20, help="past items per audience")
    parser.add_argument("--sample", type=int, default=500, help="members whose feed is timed")
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
            raise BenchError("the timeline benchmark runs on PostgreSQL")
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_BROKER_URL": "memory://",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
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
        built = build(args.schools, args.history, args.seed)
        print(f"built in {built.seconds:.1f} s: {built.rows}", flush=True)
        result = measure(built, sample=args.sample, seed=args.seed)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    rows = ", ".join(f"{label} {n:,}" for label, n in built.rows.items())
    lines = [
        f"## Timeline benchmark — {started:%Y-%m-%d %H:%M}",
        "",
        f"- code: {code}; machine: {machine()}",
        f"- database: {db.describe()}",
        f"- built in {built.seconds:.1f} s: {rows}",
        "- Celery eager mode off: notify queues the delivery job; `deliver` is timed on its own",
        *result.lines,
    ]
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"timeline-{args.schools}-{started:%Y%m%d-%H%M%S}.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\n(report in {out.relative_to(ROOT)})")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        db.drop()
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
