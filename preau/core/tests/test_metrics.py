"""/metrics: absent unless configured, for the token or the allowed networks only, answered
before tenants and sessions; requests counted by view name (never the raw path), method and
status class; shed requests counted; several processes merged in multiprocess mode."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from preau.core import admission, metrics

pytestmark = pytest.mark.django_db
TOKEN = "scrape-me-1234567890"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client: Client | None = None, **extra: str) -> object:
    return (client or Client()).get("/metrics", **extra)


def test_absent_when_not_configured(settings):
    settings.PREAU_METRICS_TOKEN = ""
    settings.PREAU_METRICS_ALLOWED_NETWORKS = []
    assert scrape().status_code == 404
    assert scrape(HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_the_token_opens_it_before_any_host_check_or_query(settings, django_assert_num_queries):
    settings.PREAU_METRICS_TOKEN = TOKEN
    assert scrape(HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert scrape().status_code == 404
    with django_assert_num_queries(0):
        response = scrape(Client(HTTP_HOST="unknown.example"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"preau_http_requests_in_flight" in response.content
    assert Client().post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


def test_allowed_networks(settings):
    settings.PREAU_METRICS_TOKEN = ""
    settings.PREAU_METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "2001:db8::/32"]
    assert scrape(Client(REMOTE_ADDR="10.1.2.3")).status_code == 200
    assert scrape(Client(REMOTE_ADDR="2001:db8::5")).status_code == 200
    assert scrape(Client(REMOTE_ADDR="192.0.2.1")).status_code == 404


def test_requests_are_counted_by_view_name_method_and_status_class(world, client_for, settings):
    labels = {"view": "accounts:login", "method": "GET", "status": "2xx"}
    before = sample("preau_http_requests_total", **labels)
    before_hist = sample("preau_http_request_duration_seconds_count", **labels)
    assert Client().get("/accounts/login/?next=/secret-path-98765/").status_code == 200
    assert sample("preau_http_requests_total", **labels) == before + 1
    assert sample("preau_http_request_duration_seconds_count", **labels) == before_hist + 1
    missing = {"view": metrics.UNRESOLVED, "method": "GET", "status": "4xx"}
    before_missing = sample("preau_http_requests_total", **missing)
    client = client_for(world.teacher)
    assert client.get("/no-such-page-424242/").status_code == 404
    assert sample("preau_http_requests_total", **missing) == before_missing + 1
    assert sample("preau_http_requests_in_flight") == 0
    settings.PREAU_METRICS_TOKEN = TOKEN
    body = scrape(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert "424242" not in body
    assert "98765" not in body


def test_shed_requests_are_counted(world, settings, monkeypatch):
    settings.PREAU_SHED_MAX_IN_FLIGHT = 1
    monkeypatch.setattr(admission.IN_FLIGHT, "value", 5)
    before = sample("preau_http_shed_total", reason="in_flight")
    assert Client().get("/accounts/login/").status_code == 503
    assert sample("preau_http_shed_total", reason="in_flight") == before + 1
    assert sample("preau_http_requests_total", view=metrics.UNRESOLVED, method="GET", status="5xx")


def test_celery_tasks_are_counted():
    from celery import signals

    metrics.count_celery_tasks()
    metrics.count_celery_tasks()  # again (config/celery.py calls it too): still counted once

    class Task:
        name = "preau.messaging.tasks.deliver_message"

    before = sample("preau_celery_tasks_total", task=Task.name, state="success")
    signals.task_postrun.send(sender=Task(), task_id="1", state="SUCCESS")
    assert sample("preau_celery_tasks_total", task=Task.name, state="success") == before + 1


PROCESS = textwrap.dedent(
    """
    import django, os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    django.setup()
    from preau.core import metrics
    if sys.argv[1] == "count":
        metrics.REQUESTS.labels("portal:home", "GET", "2xx").inc()
        metrics.LATENCY.labels("portal:home", "GET", "2xx").observe(0.02)
    else:
        sys.stdout.write(metrics.render().decode())
    """
)


def test_several_worker_processes_are_merged_in_multiprocess_mode(tmp_path):
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "PREAU_TESTING": "1",
    }
    env.pop("DATABASE_URL", None)

    def run(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", PROCESS, *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return done.stdout

    run("count")
    run("count")
    text = run("render")
    assert 'preau_http_requests_total{method="GET",status="2xx",view="portal:home"} 2.0' in text
    assert "preau_http_request_duration_seconds_bucket" in text


def test_behind_trusted_proxies_the_client_address_is_the_forwarded_one(settings):
    settings.PREAU_METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.PREAU_TRUSTED_PROXIES = ["127.0.0.1/32"]
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    assert scrape(proxy, HTTP_X_FORWARDED_FOR="10.2.3.4").status_code == 200
    # The proxy appends the real peer: a forged first entry is not believed.
    assert scrape(proxy, HTTP_X_FORWARDED_FOR="10.2.3.4, 192.0.2.9").status_code == 404
    # From anyone but a trusted proxy, the header is ignored.
    stranger = Client(REMOTE_ADDR="192.0.2.9")
    assert scrape(stranger, HTTP_X_FORWARDED_FOR="10.2.3.4").status_code == 404
    settings.PREAU_TRUSTED_PROXIES = []
    assert scrape(proxy, HTTP_X_FORWARDED_FOR="10.2.3.4").status_code == 404
