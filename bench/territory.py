"""Generate a synthetic territory for the load benchmark, on PostgreSQL.

    .venv/bin/python bench/territory.py --size S|M|L [--seed 1] [--today 2026-12-07]
        [--database-url URL]

S is 1 school (about 1,000 accounts), M 50 schools (about 50,000), L 500 (about 500,000).
The database (`--database-url`, else BENCH_DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/preau_bench_territory_<size>, one per size so that `make
bench` at S leaves M's in place) is dropped and created (its name must contain "bench"),
migrated, given a tenant (bench/setup_tenant.py); the directory comes from the AAF generator
through the real importer (`manage.py import aaf`); then timetables, a term of messages, news,
the cahier de textes and documents are written with COPY (territory_data, territory_content).
Every account is active with the same password. At the end: ANALYZE, and
var/bench/territory-<size>.json (database, tenant, host, password, counts, timings, seed, today).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aaf_generate
from aaf_import import PY, ROOT, BenchError, Database, run

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/preau_bench_territory_{size}"
SIZES = {"S": (1_000, 1), "M": (50_000, 50), "L": (500_000, 500)}
SLUG = "territoire"
WORK = ROOT / "var" / "bench" / "territory"
TABLES = (
    "directory_school", "directory_person", "directory_membership", "directory_guardianlink",
    "directory_teachingassignment", "directory_schoolclass", "directory_group", "timetable_course",
    "timetable_slot", "timetable_room", "messaging_message", "messaging_delivery",
    "core_notification", "news_news", "directory_audience", "directory_audiencetarget",
    "homework_lessonlog", "homework_homework", "documents_space", "documents_folder",
    "documents_document", "documents_version",
)  # fmt: skip


def populate(tenant_id: int, *, seed: int, today: dt.date, media: Path, phases: dict) -> dict:
    """Write the content of an imported tenant (Django set up); returns figures."""
    import territory_content as content
    import territory_data as data
    from django.db import transaction

    rng = random.Random(seed)
    figures: dict = {}

    def step(name: str, started: float) -> float:
        now = time.perf_counter()
        phases[name] = round(now - started, 2)
        print(f"  {name}: {phases[name]} s", flush=True)
        return now

    t = time.perf_counter()
    d = data.load_directory(tenant_id)
    t = step("load directory", t)
    with transaction.atomic():
        figures["accounts"] = data.set_passwords(tenant_id, d.starts_on)
        t = step("passwords", t)
        w = data.Writer()
        courses, figures["timetable"] = data.write_timetables(w, d, rng)
        data.write_course_audiences(w, d, courses, data.at(d.starts_on, 8))
        t = step("timetables", t)
    from preau.timetable.calendar import monday_of

    term = data.Term(
        starts_on=d.starts_on,
        today=today,
        holidays=data.holidays_of(d.starts_on.year),
        week_a_monday=monday_of(d.starts_on),
    )
    with transaction.atomic():
        box = content.plan_messages(rng, d, term)
        content.link_replies(box)
        box.mails.sort(key=lambda m: m.sent_at)
        content.assign_ids(w, box)
        t = step("plan messages", t)
        figures["messages"] = content.write_messages(w, rng, d, box, today)
        del box
        t = step("messages", t)
    with transaction.atomic():
        figures["news"] = content.write_news(w, rng, d, term)
        t = step("news", t)
    with transaction.atomic():
        figures["notebook"] = content.write_notebook(w, rng, d, courses, term)
        t = step("notebook", t)
    with transaction.atomic():
        figures["documents"] = content.write_documents(
            w, rng, d, courses, media=media, starts=data.at(d.starts_on, 10)
        )
        t = step("documents", t)
    return figures


def counts(db: Database) -> dict[str, int]:
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in TABLES)  # noqa: S608
    return {k: int(v) for k, v in (line.split("|") for line in db.psql(sql, db.name).splitlines())}


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--database-url", default="")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915
    args = arguments(argv)
    url = (
        args.database_url
        or os.environ.get("BENCH_DATABASE_URL")
        or DEFAULT_DB.format(size=args.size.lower())
    )
    people, schools = SIZES[args.size]
    phases: dict[str, float] = {}
    started = time.perf_counter()
    try:
        db = Database.to_drop(url)
        if db.engine != "postgres":
            raise BenchError("the territory generator writes with COPY: it needs PostgreSQL")
        media = WORK / "media"
        shutil.rmtree(media, ignore_errors=True)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "MEDIA_ROOT": str(media),
            "DEBUG": "0",
            "PYTHONPYCACHEPREFIX": str(WORK / "pycache"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        t = time.perf_counter()
        print(f"database: {url} (dropped and created)", flush=True)
        db.recreate()
        run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env=env)
        run([PY, "bench/setup_tenant.py", "--slug", SLUG], env=env)
        phases["database, migrate, tenant"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        stats = aaf_generate.generate(
            WORK / "set", people=people, seed=args.seed, school_count=schools
        )
        for line in aaf_generate.iter_summary(stats):
            print(f"set: {line}", flush=True)
        phases["AAF set"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        proc = subprocess.run(  # noqa: S603 - our own command
            [PY, "manage.py", "import", "aaf", str(WORK / "set"), "--tenant", SLUG],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            raise BenchError(f"the AAF import failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        phases["AAF import"] = round(time.perf_counter() - t, 2)
        print(f"  AAF import: {phases['AAF import']} s", flush=True)
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "MEDIA_ROOT", "DEBUG")})
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        import territory_data as data
        from django.db import connection

        from preau.core.models import Tenant

        tenant = Tenant.objects.get(slug=SLUG)
        hosts = data.add_hosts(tenant.pk, [f"{SLUG}.localhost", "127.0.0.1", "localhost"])
        figures = populate(tenant.pk, seed=args.seed, today=args.today, media=media, phases=phases)
        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        phases["ANALYZE"] = round(time.perf_counter() - t, 2)
        digest = data.checksum(tenant.pk)
        rows = counts(db)
        total = round(time.perf_counter() - started, 1)
        result = {
            "size": args.size,
            "database_url": url,
            "tenant": SLUG,
            "hosts": hosts,
            "password": data.PASSWORD,
            "seed": args.seed,
            "today": args.today.isoformat(),
            "media_root": str(media),
            "counts": rows,
            "figures": figures,
            "seconds": phases,
            "total_seconds": total,
            "checksum": digest,
        }
        out = ROOT / "var" / "bench" / f"territory-{args.size}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps(result, indent=2, ensure_ascii=False))
        print(summary(result))
        print(f"(written to {out.relative_to(ROOT)})")
        return 0
    except BenchError as exc:
        print(f"territory: {exc}", file=sys.stderr)
        return 1


def summary(result: dict) -> str:
    lines = [
        f"## Territory {result['size']} (seed {result['seed']}, today {result['today']})",
        "",
        f"Tenant `{result['tenant']}` on {', '.join(result['hosts'])}; every account's password: "
        f"`{result['password']}`. Generated in {result['total_seconds']} s.",
        "",
        "| table | rows |",
        "|---|---:|",
    ]
    lines += [f"| {t} | {n:,} |" for t, n in result["counts"].items()]
    lines += ["", "| phase | seconds |", "|---|---:|"]
    lines += [f"| {p} | {s} |" for p, s in result["seconds"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
