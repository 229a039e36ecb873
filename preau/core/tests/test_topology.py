"""The production topology on this machine: stateless app processes and workers that may die.

- Two app processes (granian) on one PostgreSQL and one Redis: a session opened by logging in
  through the login form of one continues on the other.
- A Celery worker killed (SIGKILL) in the middle of a fan-out — the delivery of a message to a
  large audience, then the timeline's e-mails for it — and started again: nothing is lost,
  nothing is doubled (the first kill often lands between a batch's commit and the hand-over of
  its notifications for e-mail: the rerun hands them over again). Every recipient has exactly
  one copy and one notification; every e-mail claim is single and every address got at most
  one e-mail (the timeline's e-mails are at most once by design: only the one being sent at
  the kill may be missing, its item stays in the feed).

They need PostgreSQL and Redis (DATABASE_URL, REDIS_URL): skipped without them, failed in CI
(CI=true). The subprocesses run the production settings (not the test ones) against the
test database that pytest-django created, and the test's own Redis database.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = BASE_DIR / ".venv" / "bin"
PASSWORD = "topologie du lundi 8h"
SECRET = "topology-test-secret-key-shared-by-both-processes-0123456789"
RECIPIENTS = 2500


def _require_services() -> None:
    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL (DATABASE_URL=postgres://…)")
    if not settings.REDIS_URL:
        missing.append("Redis (REDIS_URL=redis://…)")
    else:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
        except redis.RedisError:
            missing.append(f"a Redis answering at {settings.REDIS_URL}")
    if missing:
        reason = "The topology tests need " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def _database_url() -> str:
    """The test database (pytest-django's test_<name>), as a URL for the subprocesses."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def production_env(tmp_path: Path) -> dict[str, str]:
    _require_services()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO", "CELERY", "PREAU_", "PROMETHEUS"))
    }
    env.update(
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.REDIS_URL,  # already this test worker's own database number
        PREAU_TESTING="0",
        SECRET_KEY=SECRET,
        DJANGO_SETTINGS_MODULE="config.settings",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        CELERY_VISIBILITY_TIMEOUT="3",
        CELERY_UNACKED_RESTORE_SECONDS="1",
        # A worker SIGKILLed while it restores holds kombu's restore lock until it expires.
        CELERY_UNACKED_MUTEX_SECONDS="2",
        LOG_LEVEL="WARNING",
    )
    return env


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start a subprocess in its own process group; all are killed at the end, whatever
    happens."""
    started: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own commands
            args,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        stop(process, signal.SIGKILL)


def stop(process: subprocess.Popen[bytes], sig: int) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for(
    condition: Callable[[], Any],
    *,
    what: str,
    timeout: float = 120,
    state: Callable[[], object] | None = None,
) -> Any:
    """Poll `condition` until it returns something true (a subprocess is not ours to join);
    on time-out, the failure says `state()` if given."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}" + (f": {state()}" if state else ""))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- two app processes -----------------------------------------------------------------------


class Browser:
    """A cookie-keeping HTTP client for one host name, sent to whichever port we like."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.cookies: dict[str, str] = {}

    def request(
        self, port: int, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, Any, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Host": self.host, "Accept-Language": "fr"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.headers, response.read().decode()
        finally:
            conn.close()


def _healthy(port: int) -> bool:
    try:
        status, _, _ = Browser("127.0.0.1").request(port, "GET", "/healthz")
    except OSError:
        return False
    return status == 200


def test_a_session_opened_on_one_app_process_continues_on_the_other(world, production_env, spawn):
    from django.contrib.auth.hashers import make_password

    # Hashed as production checks it (the test settings hash with MD5 first, for speed).
    world.teacher.password = make_password(PASSWORD, hasher="argon2")
    world.teacher.save(update_fields=["password"])
    host = world.tenant.hosts.first().host
    ports = [free_port(), free_port()]
    processes = [
        spawn(
            [
                str(VENV_BIN / "granian"),
                "--interface",
                "wsgi",
                "config.wsgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-ws",
            ],
            production_env,
            f"granian-{port}",
        )
        for port in ports
    ]
    for port, process in zip(ports, processes, strict=True):
        wait_for(
            lambda port=port, process=process: _healthy(port) or process.poll() is not None,
            what=f"granian on port {port}",
        )
        assert process.poll() is None, f"granian on {port} exited"
    first, second = ports

    browser = Browser(host)
    status, _, page = browser.request(first, "GET", "/accounts/login/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login form"
    status, headers, _ = browser.request(
        first,
        "POST",
        "/accounts/login/",
        {
            "identifier": world.teacher.login,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1),
        },
    )
    assert status == 302, "the login through the form failed"
    assert settings.SESSION_COOKIE_NAME in browser.cookies

    # The other process knows the session: an authenticated page answers, as the teacher.
    status, _, body = browser.request(second, "GET", "/_floor/")
    assert (status, body) == (200, f"ok {world.teacher.pk}")
    status, _, _ = browser.request(second, "GET", "/")
    assert status == 200
    # The same request without the cookie is not logged in: it is the session that carried.
    stranger = Browser(host)
    status, headers, _ = stranger.request(second, "GET", "/_floor/")
    assert status == 302
    assert "/accounts/login/" in headers.get("Location", "")
    # Logging out on the second ends it on the first too.
    status, _, page = browser.request(second, "GET", "/accounts/logout/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    browser.request(second, "POST", "/accounts/logout/", {"csrfmiddlewaretoken": token.group(1)})
    status, _, _ = browser.request(first, "GET", "/_floor/")
    assert status == 302


# --- a worker killed in the middle of a fan-out ----------------------------------------------


def _recipients(world: Any, count: int) -> list[int]:
    from django.contrib.auth.hashers import make_password

    from preau.directory.models import Person

    password = make_password(None)
    Person.objects.bulk_create(
        [
            Person(
                tenant=world.tenant,
                login=f"parent.{n}",
                email=f"parent.{n}@example.test",
                first_name="Parent",
                last_name=f"N{n}",
                search_name=f"parent n{n}",
                password=password,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    return list(
        Person.objects.filter(login__startswith="parent.")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _worker(spawn: Callable[..., subprocess.Popen[bytes]], env: dict[str, str], name: str) -> Any:
    return spawn(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--prefetch-multiplier",
            "1",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
        ],
        env,
        name,
    )


def test_a_worker_killed_in_the_middle_of_a_fan_out_loses_and_doubles_nothing(
    world, production_env, spawn, tmp_path
):
    from celery import Celery
    from django.db.models import Count

    from preau.core.models import Notification
    from preau.messaging.models import Delivery, Message
    from preau.timeline.models import Channel, Sent

    ids = _recipients(world, RECIPIENTS)
    message = Message.objects.create(
        tenant=world.tenant,
        sender=world.teacher,
        school=world.school,
        subject="Réunion parents-professeurs",
        body_html="<p>Lundi à 18 h.</p>",
        recipient_ids=ids,
        recipient_count=len(ids),
        sent_at=timezone.now(),
    )
    # Queued through the broker the workers read (the test process itself runs tasks eagerly).
    with Celery(broker=settings.REDIS_URL) as broker:
        broker.send_task("preau.messaging.tasks.deliver_message", args=[message.pk])

    def deliveries() -> int:
        return Delivery.objects.filter(message=message).count()

    def claims() -> int:
        return Sent.objects.filter(channel=Channel.EMAIL, person_id__in=ids).count()

    # 1. Killed while it writes the copies and notifications (some batches committed).
    worker = _worker(spawn, production_env, "worker-1")
    wait_for(lambda: 0 < deliveries() < RECIPIENTS or worker.poll() is not None, what="copies")
    assert worker.poll() is None, "the worker exited"
    stop(worker, signal.SIGKILL)
    assert deliveries() < RECIPIENTS, "the fan-out ended before the kill: raise RECIPIENTS"

    # 2. Started again, then killed while it sends the timeline's e-mails.
    worker = _worker(spawn, production_env, "worker-2")
    wait_for(
        lambda: 0 < claims() < RECIPIENTS - 100 and deliveries() > 0, what="e-mails", timeout=240
    )
    stop(worker, signal.SIGKILL)
    assert claims() < RECIPIENTS

    # 3. Started again: the tasks are handed out again and finish the work.
    worker = _worker(spawn, production_env, "worker-3")
    import redis

    queue = redis.Redis.from_url(settings.REDIS_URL)

    def progress() -> dict[str, int]:
        return {
            "copies": deliveries(),
            "e-mail claims": claims(),
            "queued": queue.llen("celery"),
            "unacked": queue.hlen("unacked"),
        }

    done = {"copies": RECIPIENTS, "e-mail claims": RECIPIENTS, "queued": 0, "unacked": 0}
    wait_for(
        lambda: progress() == done, what="the work to be finished", timeout=300, state=progress
    )
    stop(worker, signal.SIGTERM)

    # Copies: one per recipient (none lost, none doubled).
    copies = Delivery.objects.filter(message=message)
    assert copies.count() == RECIPIENTS
    assert set(copies.values_list("recipient_id", flat=True)) == set(ids)
    # Notifications: exactly one per recipient.
    per_person = (
        Notification.objects.filter(kind="messaging.message", recipient_id__in=ids)
        .values("recipient_id")
        .annotate(n=Count("id"))
    )
    assert len(per_person) == RECIPIENTS
    assert {row["n"] for row in per_person} == {1}
    # E-mails: one claim per recipient; at most one e-mail per address, and only the e-mail
    # being sent at the second kill may be missing (at most once, by design).
    sent = Sent.objects.filter(channel=Channel.EMAIL, person_id__in=ids)
    assert sent.values("person_id").distinct().count() == RECIPIENTS
    mailed = [
        address
        for path in (tmp_path / "mail").glob("*.log")
        for address in re.findall(r"^To: (\S+)$", path.read_text(), flags=re.MULTILINE)
    ]
    assert len(mailed) == len(set(mailed)), "an address got the same e-mail twice"
    assert RECIPIENTS - 1 <= len(mailed) <= RECIPIENTS
    assert Message.objects.get(pk=message.pk).delivered_at is not None


def test_two_deliveries_of_one_message_at_once_notify_each_recipient_once(world, monkeypatch):
    """A task handed out again while its first run still works (a visibility timeout shorter
    than the task): the two runs take turns on each batch."""
    import threading

    from django.db import connections
    from django.db.models import Count

    from preau.core import notify
    from preau.core.models import Notification
    from preau.messaging import actions
    from preau.messaging.models import Delivery, Message

    _require_services()
    monkeypatch.setattr(notify, "DELIVERERS", [])  # e-mail and push are the test above's
    ids = _recipients(world, RECIPIENTS)
    message = Message.objects.create(
        tenant=world.tenant,
        sender=world.teacher,
        school=world.school,
        subject="Sortie au musée",
        recipient_ids=ids,
        recipient_count=len(ids),
        sent_at=timezone.now(),
    )
    start = threading.Barrier(2)
    written: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=30)
            written.append(actions.deliver(message.pk))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors
    assert sum(written) == RECIPIENTS  # each copy written by one run or the other
    assert Delivery.objects.filter(message=message).count() == RECIPIENTS
    counts = (
        Notification.objects.filter(kind="messaging.message", recipient_id__in=ids)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert len(counts) == RECIPIENTS
    assert set(counts) == {1}
