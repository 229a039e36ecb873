"""Benchmark: a complete AAF import of N people, then the same set again, on a fresh database.

    .venv/bin/python bench/aaf_import.py                  # 100,000 people (make bench-aaf)
    .venv/bin/python bench/aaf_import.py --people 5000    # a quick one (make bench-aaf PEOPLE=5000)

Steps: drop and create the database (PostgreSQL by default), migrate, create a tenant with an
operator and a current school year, generate the set (bench/aaf_generate.py), then run
`manage.py import aaf <folder> --tenant bench` twice under `/usr/bin/time -v`: on the empty
directory, and again unchanged (it must say "No change"). Prints a markdown table (wall time and
peak resident memory of each run) and checks the targets: first import within 10 minutes, peak
RSS under 1 GB, re-import within a third of the first. Exits 1 when an import fails, the
re-import finds changes, or (from 100,000 people on, the size the targets are set for) a target
is missed. The report is also written to bench/results/.

The database is `--database-url`, else BENCH_DATABASE_URL, else DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/preau_bench. It is dropped: its name must contain "bench".
Without `--keep`, the database, the set and the stored copies are removed at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aaf_generate

ROOT = Path(__file__).resolve().parent.parent
VENV_PY = ROOT / ".venv" / "bin" / "python"
PY = str(VENV_PY if VENV_PY.exists() else Path(sys.executable))
TIME = "/usr/bin/time"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/preau_bench"
FIRST_IMPORT_MAX_S = 600.0
RSS_MAX_KB = 1_000_000_000 // 1024  # 1 GB, in the KiB that time(1) reports
REIMPORT_MAX_RATIO = 1 / 3
TARGETS_AT = 100_000  # people: smaller sets are smoke tests, their timings informative
TABLES = (
    ("people", "directory_person"),
    ("memberships", "directory_membership"),
    ("guardian links", "directory_guardianlink"),
    ("group members", "directory_groupmember"),
    ("teaching assignments", "directory_teachingassignment"),
    ("classes", "directory_schoolclass"),
    ("groups", "directory_group"),
    ("report lines", "directory_importchange"),
)


class BenchError(Exception):
    pass


@dataclass
class Run:
    label: str
    rc: int
    wall_s: float
    rss_kb: int
    user_s: float
    sys_s: float
    stdout: str
    stderr: str


def run(cmd: list[str], *, env: dict[str, str] | None = None, quiet: bool = False) -> str:
    proc = subprocess.run(  # noqa: S603 - our own commands, no shell
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    if not quiet and proc.stdout.strip():
        print(proc.stdout.rstrip())
    return proc.stdout


def ensure_time() -> None:
    if Path(TIME).exists():
        return
    print("installing Debian's time package for /usr/bin/time")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], env=env, quiet=True)
    run(["apt-get", "install", "-y", "-qq", "time"], env=env, quiet=True)


# --- the database -------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    engine: str  # postgres or sqlite
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def to_drop(cls, url: str) -> Database:
        """The database a benchmark will drop and create: its name must say it is one."""
        db = cls.parse(url)
        if "bench" not in db.name:
            raise BenchError(
                f"The benchmark drops its database: {db.name!r} does not look like a benchmark "
                "database (its name must contain 'bench'). Set BENCH_DATABASE_URL."
            )
        return db

    @classmethod
    def parse(cls, url: str) -> Database:
        parts = urlsplit(url)
        if parts.scheme in {"postgres", "postgresql", "pgsql"}:
            return cls(
                url=url,
                engine="postgres",
                name=unquote(parts.path.lstrip("/")),
                host=parts.hostname or "127.0.0.1",
                port=str(parts.port or 5432),
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or ""),
            )
        if parts.scheme == "sqlite":
            return cls(url=url, engine="sqlite", name=url.removeprefix("sqlite://").lstrip("/"))
        raise BenchError(f"{url}: the benchmark runs on PostgreSQL (or SQLite), not {parts.scheme}")

    def psql(self, sql: str, database: str = "postgres") -> str:
        env = {**os.environ, "PGPASSWORD": self.password} if self.password else None
        cmd = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"]
        cmd += ["-h", self.host, "-p", self.port, "-U", self.user, "-d", database, "-c", sql]
        return run(cmd, env=env, quiet=True).strip()

    def recreate(self) -> None:
        if self.engine == "sqlite":
            path = Path("/" + self.name)
            path.unlink(missing_ok=True)
            return
        self.drop()
        self.psql(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.engine == "sqlite":
            Path("/" + self.name).unlink(missing_ok=True)
        else:
            self.psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def describe(self) -> str:
        if self.engine == "sqlite":
            return f"SQLite {self.name}"
        version = self.psql("SHOW server_version")
        return f"PostgreSQL {version} on {self.host}:{self.port}, database {self.name}"

    def counts(self) -> list[tuple[str, int]]:
        if self.engine != "postgres":
            return []
        sql = " UNION ALL ".join(
            f"SELECT '{label}', count(*) FROM {t}"  # noqa: S608 - constant names
            for label, t in TABLES
        )
        found = dict(line.split("|") for line in self.psql(sql, self.name).splitlines())
        return [(label, int(found[label])) for label, _table in TABLES]

    def size(self) -> str:
        if self.engine != "postgres":
            return ""
        return self.psql(f"SELECT pg_size_pretty(pg_database_size('{self.name}'))")


# --- the runs -----------------------------------------------------------------------------


def wall_seconds(text: str) -> float:
    """`1:02:03.45` or `2:03.45` (time -v) -> seconds."""
    seconds = 0.0
    for part in text.strip().split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def timed_import(label: str, folder: Path, slug: str, env: dict[str, str], logs: Path) -> Run:
    report = logs / f"{label}.time"
    cmd = [TIME, "-v", "-o", str(report), PY, "manage.py", "import", "aaf", str(folder)]
    cmd += ["--tenant", slug]
    print(f"$ {' '.join(cmd[4:])}   # {label}", flush=True)
    proc = subprocess.run(  # noqa: S603 - our own command, no shell
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    (logs / f"{label}.out").write_text(proc.stdout)
    (logs / f"{label}.err").write_text(proc.stderr)
    values = {}
    for line in report.read_text().splitlines():
        key, _sep, value = line.strip().rpartition(": ")
        values[key] = value
    result = Run(
        label=label,
        rc=proc.returncode,
        wall_s=wall_seconds(values.get("Elapsed (wall clock) time (h:mm:ss or m:ss)", "0")),
        rss_kb=int(values.get("Maximum resident set size (kbytes)", "0")),
        user_s=float(values.get("User time (seconds)", "0")),
        sys_s=float(values.get("System time (seconds)", "0")),
        stdout=proc.stdout,
        stderr=proc.stderr,
    )
    for line in proc.stdout.splitlines()[:40]:
        print(f"    {line}")
    for line in proc.stderr.splitlines()[:20]:
        print(f"    ! {line}")
    print(
        f"    -> exit {result.rc}, {result.wall_s:.1f} s wall, "
        f"{result.user_s + result.sys_s:.1f} s CPU, {result.rss_kb / 1024:.0f} MiB peak RSS",
        flush=True,
    )
    return result


def mib(kb: int) -> str:
    return f"{kb / 1024:,.0f} MiB"


def clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return (
        f"{seconds:,.1f} s"
        if seconds < 60
        else f"{seconds:,.1f} s ({int(minutes)} min {rest:02.0f} s)"
    )


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = match.group(1).strip() if match else ""
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f", {int(match.group(1)) / 1024**2:.0f} GiB RAM" if match else ""
    return (
        f"{os.cpu_count()} cores ({model or platform.processor()}){memory}, "
        f"Python {platform.python_version()}"
    )


def revision() -> str:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],  # noqa: S607 - read-only
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def report(
    *,
    stats: aaf_generate.Stats,
    first: Run,
    second: Run,
    db: Database,
    rows: list[tuple[str, int]],
    size: str,
    started: dt.datetime,
    code: str,
) -> tuple[list[str], bool]:
    ratio = second.wall_s / first.wall_s if first.wall_s else 0.0
    rss = max(first.rss_kb, second.rss_kb)
    no_change = "No change" in second.stdout
    full = stats.people >= TARGETS_AT
    # (target, met, measured, binding): the timing targets bind the full-size run only, where
    # the fixed costs (start-up, statistics) no longer weigh.
    checks = [
        (f"first import ≤ {FIRST_IMPORT_MAX_S / 60:.0f} min", first.wall_s <= FIRST_IMPORT_MAX_S,
         clock(first.wall_s), full),
        ("peak RSS < 1 GB", rss < RSS_MAX_KB, mib(rss), full),
        ("re-import ≤ 1/3 of the first", ratio <= REIMPORT_MAX_RATIO, f"{ratio:.2f}", full),
        ('re-import reports "No change"', second.rc == 0 and no_change,
         "yes" if no_change else "no", True),
    ]  # fmt: skip
    lines = [
        f"AAF import benchmark, {started:%Y-%m-%d %H:%M} — {machine()}",
        f"{db.describe()}; code {code}",
        "",
        "| people | files | bytes | first import | peak RSS | re-import | peak RSS | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {stats.people:,} | {stats.files} | {stats.bytes:,} | {clock(first.wall_s)} "
        f"| {mib(first.rss_kb)} | {clock(second.wall_s)} | {mib(second.rss_kb)} | {ratio:.2f} |",
        "",
        f"CPU of the import process (user + system): first {first.user_s + first.sys_s:,.1f} s, "
        f"re-import {second.user_s + second.sys_s:,.1f} s (the rest of the wall time is the "
        "database's).",
        f"Set: {stats.seconds} s to generate; " + next(aaf_generate.iter_summary(stats)) + ".",
    ]
    if rows:
        lines.append(
            "Rows after the import: " + ", ".join(f"{label} {n:,}" for label, n in rows) + "."
        )
    if size:
        lines.append(f"Database size: {size}.")
    lines += ["", "| target | measured | result |", "|---|---:|---|"]
    for name, ok, value, binding in checks:
        verdict = "PASS" if ok else ("FAIL" if binding else f"missed (binds at {TARGETS_AT:,})")
        lines.append(f"| {name} | {value} | {verdict} |")
    return lines, all(ok or not binding for _name, ok, _value, binding in checks)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000, help="people in the set (100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--page-size", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the database and the set")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--slug", default="bench", help="the tenant's short name")
    parser.add_argument(
        "--workdir", type=Path, default=ROOT / "var" / "bench" / "aaf", help="set and copies"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    url = (
        args.database_url
        or os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or DEFAULT_DB
    )
    started = dt.datetime.now()
    code = revision()  # what the imports will run, whatever is committed meanwhile
    try:
        db = Database.to_drop(url)
        ensure_time()
        work = args.workdir.resolve()
        folder, media, logs = work / "set", work / "media", work / "logs"
        shutil.rmtree(media, ignore_errors=True)
        logs.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "MEDIA_ROOT": str(media),
            "DEBUG": "0",
            # Byte-code cached out of the source tree, warmed by migrate: the imports do not
            # pay for compiling ~800 modules, as a deployed process would not.
            "PYTHONPYCACHEPREFIX": str(work / "pycache"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"database: {url} (dropped and created)", flush=True)
        db.recreate()
        run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env=env)
        run([PY, "bench/setup_tenant.py", "--slug", args.slug], env=env)
        stats = aaf_generate.generate(
            folder, people=args.people, seed=args.seed, page_size=args.page_size
        )
        for line in aaf_generate.iter_summary(stats):
            print(f"set: {line}", flush=True)
        first = timed_import("first-import", folder, args.slug, env, logs)
        if first.rc != 0:
            raise BenchError(f"the first import failed: see {logs}/first-import.err")
        rows, size = db.counts(), db.size()
        second = timed_import("re-import", folder, args.slug, env, logs)
        lines, ok = report(
            stats=stats,
            first=first,
            second=second,
            db=db,
            rows=rows,
            size=size,
            started=started,
            code=code,
        )
        results = ROOT / "bench" / "results"
        results.mkdir(parents=True, exist_ok=True)
        out = results / f"aaf-{stats.people}-{started:%Y%m%d-%H%M%S}.md"
        text = "\n".join(lines) + "\n\nFirst import:\n\n" + indent(first.stdout)
        text += "\nRe-import:\n\n" + indent(second.stdout)
        out.write_text(text)
        print()
        print("\n".join(lines))
        print(f"\n(report in {out.relative_to(ROOT)}, logs in {logs})")
        if not args.keep:
            db.drop()
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(media, ignore_errors=True)
        return 0 if ok else 1
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        print("bench: the database and the set are kept for a look", file=sys.stderr)
        return 1


def indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in text.splitlines())


if __name__ == "__main__":
    sys.exit(main())
