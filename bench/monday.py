"""The "Monday 8:00" benchmark (issue 9; DESIGN.md, "Performance budgets").

    .venv/bin/python bench/monday.py --size S            # what `make bench` runs
    .venv/bin/python bench/monday.py --size M --reuse    # on a territory already generated

It runs the production topology on this machine — PostgreSQL, Redis for cache, sessions and the
Celery broker, granian with one worker per core, a Celery worker — against a synthetic territory
(`bench/territory.py`), and measures, in this order:

1. the floor: `/_floor/`, an authenticated request through the whole middleware stack answering
   a constant, and every endpoint of the mix on its own, one request at a time, so that the server
   CPU of each request can be read exactly (`/proc/<pid>/task/*/schedstat` of the app processes,
   in nanoseconds) — the median of each, and its ratio to the floor's;
2. the Monday mix, open model: requests at a fixed arrival rate, each drawn from a per-role
   behaviour (pupils, guardians, teachers, staff: session resume or login, home, timeline, inbox,
   open a message, send one, homework to do, timetable week, documents), latency measured from
   the intended send time (a late driver counts against the server, never for it), in steps of
   rising rate until the p99 of reads passes 250 ms or errors pass 1 %;
3. overload: twice the sustainable rate, with load shedding switched on
   (`PREAU_SHED_MAX_IN_FLIGHT`, `PREAU_SHED_MAX_QUEUE_MS`, more blocking threads so that a
   refusal need not wait for a free one): logged-in people keep their session and their mix
   while a flood of new arrivals asks for the login page; the report gives the logged-in
   people's errors and how fast new arrivals get the waiting page.

It writes `bench/results/monday-<size>-<date>.md` and a PNG plot of latency against offered load
beside it (docs/performance.md explains the figures). Exit status 1 when the run failed; a missed
target is reported, not an error.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.aaf_import import BenchError, machine, revision  # noqa: E402

VENV = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
READ_P99_MS = 250.0
MAX_ERRORS = 0.01
WAITING_PAGE_MS = 50.0


@dataclass(frozen=True)
class Size:
    pool: int  # people logged in before the run (per role, in proportion)
    solo: int  # requests of each endpoint measured one at a time
    step_seconds: float
    rates: tuple[int, ...]


SIZES = {
    "S": Size(pool=400, solo=60, step_seconds=15, rates=(20, 40, 60, 80, 100, 130, 160, 200, 250)),
    "M": Size(
        pool=2400,
        solo=200,
        step_seconds=40,
        rates=(20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 230, 260, 300),
    ),
    "L": Size(
        pool=6000,
        solo=300,
        step_seconds=60,
        rates=(20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 230, 260, 300),
    ),
}

# The share of the requests each role makes at 8:00, and what each does (relative weights).
ROLE_SHARE = {"pupil": 0.50, "guardian": 0.35, "teacher": 0.12, "staff": 0.03}
BEHAVIOUR: dict[str, dict[str, float]] = {
    "pupil": {
        "login": 0.4, "home": 3, "timeline": 1, "homework": 2.5, "timetable": 2,
        "inbox": 1, "message": 1, "documents": 0.5, "send": 0.1,
    },
    "guardian": {
        "login": 0.4, "home": 3, "timeline": 1, "homework": 1.5, "timetable": 1,
        "inbox": 1.5, "message": 1.5, "send": 0.2,
    },
    "teacher": {
        "login": 0.3, "home": 2, "timeline": 1, "inbox": 2, "message": 2, "send": 0.5,
        "timetable": 1.5, "homework": 1, "documents": 1,
    },
    "staff": {
        "login": 0.3, "home": 2, "timeline": 1, "inbox": 2.5, "message": 2.5, "send": 0.5,
        "documents": 0.5,
    },
}  # fmt: skip
PATHS = {
    "floor": "/_floor/",
    "home": "/",
    "timeline": "/timeline/",
    "inbox": "/messages/",
    "homework": "/homework/",
    "timetable": "/timetable/",
    "documents": "/documents/",
    "login_page": "/accounts/login/",
}
WRITES = {"login", "send"}


# --- the territory and its people -------------------------------------------------------------


@dataclass
class Person:
    id: int
    login: str
    role: str
    copies: list[int]
    writes_to: list[int]
    late: bool = False  # one of the overload's new arrivals, not logged in before the run
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Territory:
    database_url: str
    host: str
    password: str
    manifest: dict[str, Any]
    media_root: str


def load_territory(size: str, args: argparse.Namespace) -> Territory:
    path = (
        Path(args.manifest) if args.manifest else ROOT / "var" / "bench" / f"territory-{size}.json"
    )
    if not args.manifest and (not args.reuse or not path.exists()):
        cmd = [str(VENV / "python"), "bench/territory.py", "--size", size, "--seed", str(args.seed)]
        if args.database_url:
            cmd += ["--database-url", args.database_url]
        print(f"$ {' '.join(cmd)}", flush=True)
        subprocess.run(cmd, cwd=ROOT, check=True)  # noqa: S603 - our own command, no shell
    manifest = json.loads(path.read_text())
    return Territory(
        database_url=manifest["database_url"],
        host=manifest.get("host") or manifest["hosts"][0],
        password=manifest["password"],
        manifest=manifest,
        media_root=manifest.get("media_root", str(ROOT / "var" / "bench" / "territory" / "media")),
    )


def choose_people(territory: Territory, pool: int, seed: int) -> list[Person]:
    """Twice `pool` people, in proportion to ROLE_SHARE, each with the copies of messages in
    their inbox and people they may write to (read with the ORM, before the servers start): the
    first half logs in before the run, the second half are the overload's new arrivals."""
    os.environ["DATABASE_URL"] = territory.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from preau.core.models import Tenant
    from preau.directory.models import GuardianLink, Membership, TeachingAssignment
    from preau.directory.models import Person as DirectoryPerson
    from preau.messaging.models import Delivery

    tenant = Tenant.objects.get(slug=territory.manifest["tenant"])
    rng = random.Random(seed)
    people: list[Person] = []
    for role, share in ROLE_SHARE.items():
        ids = sorted(
            set(
                Membership.objects.filter(tenant=tenant, profile=role).values_list(
                    "person_id", flat=True
                )
            )
        )
        chosen = rng.sample(ids, min(len(ids), max(2, round(2 * pool * share))))
        logins = dict(DirectoryPerson.objects.filter(pk__in=chosen).values_list("pk", "login"))
        for i, pk in enumerate(chosen):
            people.append(
                Person(id=pk, login=logins[pk], role=role, copies=[], writes_to=[], late=i % 2 == 1)
            )
    by_id = {p.id: p for p in people}
    for pk, copy in (
        Delivery.objects.filter(recipient_id__in=by_id, trashed_at__isnull=True)
        .order_by("recipient_id", "-delivered_at")
        .values_list("recipient_id", "pk")
    ):
        if len(by_id[pk].copies) < 20:
            by_id[pk].copies.append(copy)
    _addressees(by_id, Membership, GuardianLink, TeachingAssignment)
    return people


def _addressees(by_id: dict[int, Person], membership: Any, link: Any, assignment: Any) -> None:
    """Whom each person writes to: a pupil or guardian to the teachers of the (child's) class,
    a teacher to pupils of a class they teach, staff to teachers of their school."""
    class_of = dict(
        membership.objects.filter(profile="pupil", school_class__isnull=False).values_list(
            "person_id", "school_class_id"
        )
    )
    child_of = dict(
        link.objects.filter(guardian_id__in=by_id).values_list("guardian_id", "pupil_id")
    )
    teachers_of: dict[int, list[int]] = {}
    classes_of: dict[int, list[int]] = {}
    for teacher, klass in assignment.objects.filter(school_class__isnull=False).values_list(
        "teacher_id", "school_class_id"
    ):
        teachers_of.setdefault(klass, []).append(teacher)
        classes_of.setdefault(teacher, []).append(klass)
    pupils_of: dict[int, list[int]] = {}
    for pupil, klass in class_of.items():
        pupils_of.setdefault(klass, []).append(pupil)
    school_teachers: dict[int, list[int]] = {}
    school_of: dict[int, int] = {}
    for person, school, profile in membership.objects.filter(
        profile__in=["teacher", "staff"]
    ).values_list("person_id", "school_id", "profile"):
        school_of.setdefault(person, school)
        if profile == "teacher":
            school_teachers.setdefault(school, []).append(person)
    for p in by_id.values():
        if p.role == "pupil":
            p.writes_to = teachers_of.get(class_of.get(p.id, 0), [])[:3]
        elif p.role == "guardian":
            p.writes_to = teachers_of.get(class_of.get(child_of.get(p.id, 0), 0), [])[:3]
        elif p.role == "teacher":
            klass = (classes_of.get(p.id) or [0])[0]
            p.writes_to = pupils_of.get(klass, [])[:3]
        else:
            p.writes_to = school_teachers.get(school_of.get(p.id, 0), [])[:3]


# --- the production topology on this machine --------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_ns(pids: Sequence[int]) -> int:
    """CPU time of every thread of these processes, in nanoseconds (schedstat's first field)."""
    total = 0
    for pid in pids:
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            with suppress(OSError, IndexError, ValueError):
                total += int((task / "schedstat").read_text().split()[0])
    return total


def cpu_by_pid(pids: Sequence[int]) -> dict[int, int]:
    return {pid: cpu_ns([pid]) for pid in pids}


def cpu_since(before: dict[int, int], pids: Sequence[int]) -> int:
    """CPU spent since `before` by these processes: whole lives for those started since (a
    PostgreSQL backend or autovacuum worker that ended in between is not counted)."""
    return sum(cpu_ns([pid]) - before.get(pid, 0) for pid in pids)


def machine_busy_ns() -> int:
    """Busy CPU time of the whole machine (every process, the kernel's work included)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    out = subprocess.run(
        ["pgrep", "-x", "postgres"],  # noqa: S607 - procps, from the PATH
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return [int(x) for x in out.split()]


@dataclass
class Topology:
    territory: Territory
    workers: int
    threads: int
    redis_url: str
    shed_queue_ms: int = 0
    shed_in_flight: int = 0
    port: int = 0
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: Path = ROOT / "var" / "bench" / "monday" / "logs"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=self.territory.database_url,
            REDIS_URL=self.redis_url,
            DEBUG="0",
            SECRET_KEY="bench-monday-not-a-secret-" + "x" * 40,
            MEDIA_ROOT=self.territory.media_root,
            CELERY_TASK_ALWAYS_EAGER="0",
            PREAU_SHED_MAX_QUEUE_MS=str(self.shed_queue_ms),
            PREAU_SHED_MAX_IN_FLIGHT=str(self.shed_in_flight),
            PYTHONPYCACHEPREFIX=str(ROOT / "var" / "bench" / "pycache"),
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        web = [
            str(VENV / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
            "--port", str(self.port), "--workers", str(self.workers),
            "--blocking-threads", str(self.threads), "--log-level", "warning",
            "--no-ws", "config.wsgi:application",
        ]  # fmt: skip
        worker = [str(VENV / "celery"), "-A", "config", "worker", "-c", "1", "-l", "warning"]
        for name, cmd in (("web", web), ("worker", worker)):
            log = (self.logs / f"{name}.log").open("ab")
            self.procs.append(
                subprocess.Popen(  # noqa: S603 - our own commands, no shell
                    cmd, cwd=ROOT, env=self.env(), stdout=log, stderr=log, start_new_session=True
                )
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.procs[0].poll() is not None:
                raise BenchError(f"granian stopped: see {self.logs / 'web.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(
                        f"GET /healthz HTTP/1.0\r\nHost: {self.territory.host}\r\n\r\n".encode()
                    )
                    if b" 200 " in s.recv(100):
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise BenchError("the app server did not answer /healthz within 60 s")

    def app_pids(self) -> list[int]:
        return descendants(self.procs[0].pid)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs.clear()


@contextmanager
def running(topology: Topology) -> Iterator[Topology]:
    topology.start()
    try:
        yield topology
    finally:
        topology.stop()


# --- the driver -------------------------------------------------------------------------------


@dataclass
class Sample:
    endpoint: str
    role: str
    latency_ms: float
    ok: bool
    status: int


COOKIE = re.compile(r"^([^=;\s]+)=([^;]*)")


class Driver:
    """HTTP/1.1 keep-alive connections over one aiohttp connector; each person's cookies kept by
    hand (one connector for thousands of people)."""

    def __init__(self, base: str, host: str, password: str, limit: int = 512) -> None:
        import aiohttp

        self.aiohttp = aiohttp
        self.base = base
        self.host = host
        self.password = password
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=limit, force_close=False),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=15),
            auto_decompress=False,
        )
        self.sent = 0

    async def close(self) -> None:
        await self.session.close()

    def _headers(self, person: Person | None) -> dict[str, str]:
        headers = {"Host": self.host, "X-Request-Start": f"t={time.time():.6f}"}
        if person is not None and person.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in person.cookies.items())
        return headers

    @staticmethod
    def _keep(person: Person | None, response: Any) -> None:
        if person is None:
            return
        for raw in response.headers.getall("Set-Cookie", []):
            match = COOKIE.match(raw)
            if match:
                person.cookies[match.group(1)] = match.group(2).strip('"')

    async def get(
        self, path: str, person: Person | None, *, follow: bool = True
    ) -> tuple[int, bytes]:
        """GET, following a redirect to one of our pages once, as a browser would (a teacher's
        "homework" lands on their notebook): the latency counts both."""
        self.sent += 1
        async with self.session.get(
            self.base + path, headers=self._headers(person), allow_redirects=False
        ) as r:
            body = await r.read()
            self._keep(person, r)
            location = r.headers.get("Location", "")
        if follow and r.status == 302 and location.startswith("/"):
            return await self.get(location, person, follow=False)
        return r.status, body

    async def post(self, path: str, person: Person, data: dict[str, Any]) -> tuple[int, bytes]:
        self.sent += 1
        data = {"csrfmiddlewaretoken": person.cookies.get("csrftoken", ""), **data}
        async with self.session.post(
            self.base + path, headers=self._headers(person), data=data, allow_redirects=False
        ) as r:
            body = await r.read()
            self._keep(person, r)
            return r.status, body

    async def login(self, person: Person) -> int:
        """The login form, then the post: 302 when a session opened (or the form's status)."""
        person.cookies.clear()
        status, _body = await self.get(PATHS["login_page"], person, follow=False)
        if status != 200:
            return status
        status, _body = await self.post(
            PATHS["login_page"], person, {"identifier": person.login, "password": self.password}
        )
        return status if status != 302 or "sessionid" in person.cookies else 401

    async def act(self, endpoint: str, person: Person, rng: random.Random) -> int:
        """One request of the mix (a login is the form, then the post: two requests)."""
        if endpoint == "login":
            status = await self.login(person)
            return 200 if status == 302 else status
        if endpoint == "message":
            if not person.copies:
                endpoint = "inbox"
            else:
                return (await self.get(f"/messages/{rng.choice(person.copies)}/", person))[0]
        if endpoint == "send":
            if not person.writes_to:
                return (await self.get(PATHS["inbox"], person))[0]
            status, _ = await self.post(
                "/messages/new",
                person,
                {
                    "to": [rng.choice(person.writes_to)],
                    "subject": "Question pour lundi",
                    "body": "Bonjour, pourriez-vous me confirmer le travail à faire ? Merci.",
                },
            )
            return 200 if status == 302 else status
        return (await self.get(PATHS[endpoint], person))[0]


async def log_everyone_in(driver: Driver, people: Sequence[Person], concurrency: int = 8) -> int:
    queue = list(people)
    failures = 0

    async def worker() -> None:
        nonlocal failures
        while queue:
            person = queue.pop()
            if await driver.login(person) != 302:
                failures += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return failures


# --- phase 1: the floor and each endpoint alone -----------------------------------------------


@dataclass
class Solo:
    endpoint: str
    cpu_ms: list[float]
    latency_ms: list[float]
    errors: int

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu_ms) if self.cpu_ms else float("nan")


async def solo(
    driver: Driver, topology: Topology, endpoint: str, people: Sequence[Person], count: int
) -> Solo:
    pids = topology.app_pids()
    rng = random.Random(endpoint)
    cpu, latency, errors = [], [], 0
    for i in range(count):
        person = people[i % len(people)]
        before = cpu_ns(pids)
        start = time.perf_counter()
        if endpoint == "floor":
            status = (await driver.get(PATHS["floor"], person))[0]
        elif endpoint == "login":
            # the form, then the post: count the post (the password check) on its own
            await driver.get(PATHS["login_page"], person)
            before, start = cpu_ns(pids), time.perf_counter()
            status = await driver.act(endpoint, person, rng)
        else:
            status = await driver.act(endpoint, person, rng)
        latency.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0.003)  # let the worker finish the response
        cpu.append((cpu_ns(pids) - before) / 1e6)
        errors += status != 200
    return Solo(endpoint, cpu, latency, errors)


# --- phase 2: the open-model Monday mix -------------------------------------------------------


def plan(
    people: Sequence[Person], count: int, seed: int, *, logins: bool = True
) -> list[tuple[str, Person]]:
    """`count` requests of the mix; without `logins`, only people keeping their session."""
    rng = random.Random(seed)
    by_role: dict[str, list[Person]] = {}
    for p in people:
        by_role.setdefault(p.role, []).append(p)
    roles = [r for r in ROLE_SHARE if r in by_role]
    weights = [ROLE_SHARE[r] for r in roles]
    out = []
    for _ in range(count):
        role = rng.choices(roles, weights)[0]
        behaviour = {
            endpoint: weight
            for endpoint, weight in BEHAVIOUR[role].items()
            if logins or endpoint != "login"
        }
        endpoint = rng.choices(list(behaviour), list(behaviour.values()))[0]
        out.append((endpoint, rng.choice(by_role[role])))
    return out


@dataclass
class Step:
    rate: float
    seconds: float
    samples: list[Sample]
    app_cpu_ms: float
    db_cpu_ms: float
    machine_cpu_ms: float
    driver_cpu_ms: float
    wall: float

    def of(self, pick: Callable[[Sample], bool]) -> list[Sample]:
        return [s for s in self.samples if pick(s)]

    @property
    def reads(self) -> list[Sample]:
        return self.of(lambda s: s.endpoint not in WRITES and s.role != "arrival")

    @property
    def achieved(self) -> float:
        return len(self.samples) / self.wall

    @property
    def error_rate(self) -> float:
        logged = self.of(lambda s: s.role != "arrival")
        return sum(not s.ok for s in logged) / max(1, len(logged))

    @property
    def cpu_per_request(self) -> float:
        return self.app_cpu_ms / max(1, len(self.samples))


def pct(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def open_model(
    driver: Driver,
    topology: Topology,
    people: Sequence[Person],
    *,
    rate: float,
    seconds: float,
    seed: int,
    arrivals: float = 0.0,
    newcomers: Sequence[Person] = (),
) -> Step:
    """Requests at `rate` per second (plus `arrivals` per second of new arrivals asking for the
    login page), each timed from the moment it was due. With arrivals, the others are people
    already logged in: they keep their session (no login in their mix)."""
    loop = asyncio.get_running_loop()
    work = plan(people, int(rate * seconds), seed, logins=not arrivals)
    rng = random.Random(seed + 1)
    events: list[tuple[float, str, Person]] = [
        (i / rate, endpoint, person) for i, (endpoint, person) in enumerate(work)
    ]
    if arrivals:
        late = list(newcomers)
        events += [
            (i / arrivals, "arrival", late[i % len(late)]) for i in range(int(arrivals * seconds))
        ]
    events.sort(key=lambda e: e[0])
    samples: list[Sample] = []

    async def fire(due: float, endpoint: str, person: Person) -> None:
        try:
            if endpoint == "arrival":  # the login page; if let in, the password too
                status = await driver.login(person)
                ok = status in (302, 503)
            else:
                status = await driver.act(endpoint, person, rng)
                ok = status == 200
        except (TimeoutError, driver.aiohttp.ClientError):
            status, ok = 0, False
        samples.append(
            Sample(
                endpoint=endpoint,
                role="arrival" if endpoint == "arrival" else person.role,
                latency_ms=(loop.time() - due) * 1000,
                ok=ok,
                status=status,
            )
        )

    pids = topology.app_pids()
    app0, db0, me0 = (
        cpu_ns(pids),
        cpu_by_pid(postgres_pids()),
        resource.getrusage(resource.RUSAGE_SELF),
    )
    busy0 = machine_busy_ns()
    start = loop.time() + 0.1
    tasks = []
    for offset, endpoint, person in events:
        due = start + offset
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fire(due, endpoint, person)))
    await asyncio.gather(*tasks)
    wall = loop.time() - start
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    return Step(
        rate=rate + arrivals,
        seconds=seconds,
        samples=samples,
        app_cpu_ms=(cpu_ns(pids) - app0) / 1e6,
        db_cpu_ms=cpu_since(db0, postgres_pids()) / 1e6,
        machine_cpu_ms=(machine_busy_ns() - busy0) / 1e6,
        driver_cpu_ms=(me1.ru_utime + me1.ru_stime - me0.ru_utime - me0.ru_stime) * 1000,
        wall=wall,
    )


def passes(step: Step) -> bool:
    return pct([s.latency_ms for s in step.reads], 99) <= READ_P99_MS and (
        step.error_rate <= MAX_ERRORS
    )


# --- the report -------------------------------------------------------------------------------


def plot(steps: Sequence[Step], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rates = [s.rate for s in steps]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True, height_ratios=[3, 1])
    for p, style in ((50, "o-"), (95, "s-"), (99, "^-")):
        top.plot(
            rates, [pct([x.latency_ms for x in s.reads], p) for s in steps], style, label=f"p{p}"
        )
    top.axhline(READ_P99_MS, color="tab:red", linestyle="--", label="p99 target (250 ms)")
    top.set_yscale("log")
    top.set_ylabel("latency of reads (ms, log)")
    top.set_title(title)
    top.legend()
    top.grid(True, which="both", alpha=0.3)
    bottom.plot(rates, [s.achieved for s in steps], "o-", label="served (req/s)")
    bottom.plot(rates, rates, ":", color="grey", label="offered")
    bottom.set_xlabel("offered load (requests/s)")
    bottom.set_ylabel("req/s")
    bottom.legend()
    bottom.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:,.1f}"


@dataclass
class Run:
    size: str
    territory: Territory
    topology: Topology
    people: int
    login_failures: int
    solos: list[Solo]
    steps: list[Step]
    overload: Step | None
    sustainable: Step | None
    shedding: Topology | None
    command: str
    started: dt.datetime


def report(run: Run, png: Path) -> str:
    floor = next(s for s in run.solos if s.endpoint == "floor")
    cores = os.cpu_count() or 1
    counts = run.territory.manifest.get("counts", {})
    lines = [
        f"# Monday 8:00 benchmark — size {run.size}",
        "",
        f"Command: `{run.command}`  ",
        f"Run: {run.started:%Y-%m-%d %H:%M} UTC, revision {revision()}, {machine()}  ",
        f"Topology: granian {run.topology.workers} workers x {run.topology.threads} blocking "
        f"threads (WSGI), a Celery worker (1 process), PostgreSQL and Redis (cache, sessions, "
        f"broker) — all on this machine's {cores} cores, with the driver.  ",
        "Territory: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ".  ",
        f"People in the run: {run.people:,} logged in before it ({run.login_failures} failures).",
        "",
        "## Server CPU per request, one request at a time",
        "",
        "Median app CPU (all threads of the granian processes, from schedstat), its ratio to the "
        "floor, and the latency seen by the client, over "
        f"{len(floor.cpu_ms)} requests each.",
        "",
        "| endpoint | median CPU (ms) | x floor | p50 latency (ms) | p95 latency (ms) | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in run.solos:
        lines.append(
            f"| {s.endpoint} | {ms(s.median_cpu)} | {s.median_cpu / floor.median_cpu:.1f} | "
            f"{ms(pct(s.latency_ms, 50))} | {ms(pct(s.latency_ms, 95))} | {s.errors} |"
        )
    lines += [
        "",
        "## The Monday mix, open model, rising rates",
        "",
        f"Each step lasts {run.steps[0].seconds:.0f} s; latency from the intended send "
        "time; reads are the GET pages (logins and sends are writes).",
        "",
        "| offered (req/s) | served (req/s) | reads p50 | p95 | p99 (ms) | writes p99 (ms) | "
        "errors | app CPU/req (ms) | x floor | DB CPU/req (ms) | driver CPU/req (ms) | "
        "machine CPU/req (ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for st in run.steps:
        reads = [x.latency_ms for x in st.reads]
        writes = [x.latency_ms for x in st.of(lambda s: s.endpoint in WRITES)]
        n = max(1, len(st.samples))
        lines.append(
            f"| {st.rate:.0f} | {st.achieved:.1f} | {ms(pct(reads, 50))} | {ms(pct(reads, 95))} | "
            f"{ms(pct(reads, 99))} | {ms(pct(writes, 99))} | {st.error_rate:.2%} | "
            f"{st.cpu_per_request:.2f} | {st.cpu_per_request / floor.median_cpu:.1f} | "
            f"{st.db_cpu_ms / n:.2f} | {st.driver_cpu_ms / n:.2f} | {st.machine_cpu_ms / n:.2f} |"
        )
    lines += ["", f"![latency against offered load]({png.name})", ""]
    if run.sustainable is not None:
        lines += breakdown(run.sustainable, "the last step within the target")
    if run.overload is not None and run.shedding is not None:
        sh = run.shedding
        lines += [
            "### Overload: twice the sustainable load, load shedding on",
            "",
            f"The web processes restart with {sh.threads} blocking threads each, "
            f"`PREAU_SHED_MAX_IN_FLIGHT={sh.shed_in_flight}` and "
            f"`PREAU_SHED_MAX_QUEUE_MS={sh.shed_queue_ms}`. People already logged in keep "
            "their session (no login in their mix) at 0.8x the sustainable rate; new arrivals "
            "(`arrival`: the login page, then the password when let in) come at 1.2x.",
            "",
            *breakdown(run.overload, "overload")[2:],
        ]
    failing = run.steps[-1] if run.steps and run.steps[-1] is not run.sustainable else None
    if failing is not None:
        lines += breakdown(failing, "the first step past the target")
    lines += targets(run, floor, cores)
    return "\n".join(lines) + "\n"


def breakdown(step: Step, title: str) -> list[str]:
    """Per endpoint: requests, latency percentiles and the statuses of the failed ones."""
    lines = [
        f"### Per endpoint, {title} ({step.rate:.0f} req/s offered)",
        "",
        "| endpoint | requests | p50 (ms) | p95 (ms) | p99 (ms) | failed (status: count) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for endpoint in sorted({s.endpoint for s in step.samples}):
        mine = [s for s in step.samples if s.endpoint == endpoint]
        latency = [s.latency_ms for s in mine]
        failed: dict[int, int] = {}
        for s in mine:
            if not s.ok:
                failed[s.status] = failed.get(s.status, 0) + 1
        lines.append(
            f"| {endpoint} | {len(mine):,} | {ms(pct(latency, 50))} | {ms(pct(latency, 95))} | "
            f"{ms(pct(latency, 99))} | "
            + (", ".join(f"{k or 'timeout'}: {v}" for k, v in sorted(failed.items())) or "—")
            + " |"
        )
    return [*lines, ""]


def targets(run: Run, floor: Solo, cores: int) -> list[str]:
    best = run.sustainable
    mix_ratio = (best or run.steps[0]).cpu_per_request / floor.median_cpu
    per_core = best.achieved / cores if best else 0.0
    lines = ["## Targets (DESIGN.md)", "", "| target | measured | verdict |", "|---|---|---|"]

    def row(name: str, measured: str, ok: bool, miss: str) -> None:
        lines.append(f"| {name} | {measured} | {'PASS' if ok else 'MISS: ' + miss} |")

    row(
        "app CPU per request of the mix ≤ 8x the floor",
        f"{mix_ratio:.1f}x ({(best or run.steps[0]).cpu_per_request:.2f} ms against "
        f"{floor.median_cpu:.2f} ms)",
        mix_ratio <= 8,
        f"{mix_ratio / 8:.1f} times over",
    )
    row(
        "≥ 100 requests/s per core with p99 ≤ 250 ms on reads",
        f"{per_core:.1f} req/s per core ({best.achieved:.0f} req/s on {cores} cores)"
        if best
        else "no step met p99 ≤ 250 ms",
        per_core >= 100,
        f"{100 - per_core:.0f} req/s per core short",
    )
    if run.overload is not None:
        ov = run.overload
        arrivals = ov.of(lambda s: s.role == "arrival")
        shed = [s.latency_ms for s in arrivals if s.status == 503]
        lines_ok = ov.error_rate < MAX_ERRORS
        row(
            "at 2x the sustainable load, logged-in people see < 1 % errors",
            f"{ov.error_rate:.2%} errors over {len(ov.samples) - len(arrivals):,} requests "
            f"(offered {ov.rate:.0f} req/s with arrivals)",
            lines_ok,
            f"{ov.error_rate:.2%}",
        )
        p99 = pct(shed, 99)
        row(
            "new arrivals get the waiting page in < 50 ms",
            f"p99 {ms(p99)} ms over {len(shed):,} waiting pages "
            f"({len(arrivals) - len(shed):,} arrivals let in)",
            bool(shed) and p99 < WAITING_PAGE_MS,
            f"p99 {ms(p99)} ms",
        )
    return lines


# --- the run ----------------------------------------------------------------------------------


async def measure(
    run_args: argparse.Namespace, territory: Territory, everyone: list[Person]
) -> Run:
    size = run_args.plan
    workers = run_args.workers or (os.cpu_count() or 1)
    topology = Topology(territory, workers, run_args.threads, run_args.redis_url)
    started = dt.datetime.now(dt.UTC)
    subprocess.run(  # noqa: S603 - a constant command
        ["redis-cli", "-u", run_args.redis_url, "flushdb"],  # noqa: S607 - Redis's client
        check=True,
        capture_output=True,
    )
    with running(topology):
        driver = Driver(f"http://127.0.0.1:{topology.port}", territory.host, territory.password)
        try:
            newcomers = [p for p in everyone if p.late]
            print(f"logging {len(everyone) - len(newcomers):,} people in…", flush=True)
            failures = await log_everyone_in(driver, [p for p in everyone if not p.late])
            people = [p for p in everyone if "sessionid" in p.cookies]
            if not people:
                raise BenchError("nobody could log in: see var/bench/monday/logs/web.log")
            print("warming up…", flush=True)
            await open_model(driver, topology, people, rate=20, seconds=5, seed=0)
            solos = []
            by_role = [p for p in people if p.role in ("pupil", "guardian")]
            for endpoint in ("floor", "home", "timeline", "inbox", "message", "homework",
                             "timetable", "documents", "send", "login"):  # fmt: skip
                group = by_role if endpoint in ("homework", "timetable") else people
                solos.append(await solo(driver, topology, endpoint, group, size.solo))
                print(f"  {endpoint}: median CPU {solos[-1].median_cpu:.2f} ms", flush=True)
            steps: list[Step] = []
            sustainable = None
            for i, rate in enumerate(size.rates):
                step = await open_model(
                    driver, topology, people, rate=rate, seconds=size.step_seconds, seed=i
                )
                steps.append(step)
                ok = passes(step)
                print(
                    f"  {rate} req/s: served {step.achieved:.1f}, reads p99 "
                    f"{pct([s.latency_ms for s in step.reads], 99):.0f} ms, errors "
                    f"{step.error_rate:.2%} → {'ok' if ok else 'past the target'}",
                    flush=True,
                )
                if not ok:
                    break
                sustainable = step
                await asyncio.sleep(2)
        finally:
            await driver.close()
    overload = None
    shedding: Topology | None = None
    if sustainable is not None and not run_args.no_overload:
        shedding = replace(
            topology,
            threads=run_args.overload_threads,
            shed_queue_ms=run_args.shed_queue_ms,
            shed_in_flight=run_args.shed_in_flight,
            procs=[],
        )
        with running(shedding):
            driver = Driver(f"http://127.0.0.1:{shedding.port}", territory.host, territory.password)
            try:
                base = sustainable.rate  # a new server process: the sessions are in Redis
                print(f"overload: {0.8 * base:.0f} req/s logged in + {1.2 * base:.0f}/s arrivals")
                overload = await open_model(
                    driver,
                    shedding,
                    people,
                    rate=0.8 * base,
                    seconds=size.step_seconds,
                    seed=99,
                    arrivals=1.2 * base,
                    newcomers=newcomers,
                )
            finally:
                await driver.close()
    return Run(
        size=run_args.size,
        territory=territory,
        topology=topology,
        people=len(people),
        login_failures=failures,
        solos=solos,
        steps=steps,
        overload=overload,
        sustainable=sustainable,
        shedding=shedding,
        command=" ".join(["bench/monday.py", *sys.argv[1:]]),
        started=started,
    )


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="use the territory already generated")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--manifest", default="", help="a territory's JSON (default: generate one)")
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="web workers (default: one per core)"
    )
    parser.add_argument("--threads", type=int, default=2, help="blocking threads per web worker")
    parser.add_argument("--shed-queue-ms", type=int, default=30)
    parser.add_argument(
        "--shed-in-flight", type=int, default=2, help="PREAU_SHED_MAX_IN_FLIGHT in the overload"
    )
    parser.add_argument(
        "--overload-threads",
        type=int,
        default=8,
        help="blocking threads per web worker in the overload (room to refuse at once)",
    )
    parser.add_argument("--no-overload", action="store_true")
    parser.add_argument("--rates", default="", help="comma-separated steps (req/s) instead")
    parser.add_argument("--step-seconds", type=float, default=0)
    parser.add_argument("--solo", type=int, default=0, help="requests per endpoint, one at a time")
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    args.plan = Size(
        pool=size.pool,
        solo=args.solo or size.solo,
        step_seconds=args.step_seconds or size.step_seconds,
        rates=tuple(int(r) for r in args.rates.split(",")) if args.rates else size.rates,
    )
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    try:
        territory = load_territory(args.size, args)
        people = choose_people(territory, SIZES[args.size].pool, args.seed)
        run = asyncio.run(measure(args, territory, people))
    except (BenchError, subprocess.CalledProcessError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"monday-{args.size}-{run.started:%Y%m%d-%H%M}"
    png = stem.with_suffix(".png")
    plot(run.steps, png, f"Préau, Monday 8:00 mix, size {args.size}")
    text = report(run, png)
    stem.with_suffix(".md").write_text(text)
    print(text)
    print(f"written: {stem.with_suffix('.md')} and {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
