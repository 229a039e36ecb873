"""Logs: a request id echoed in every response, one access line per request carrying ids
only (never names or query strings), and the JSON formatter's one-line records."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from preau.core import logs

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(caplog):
    caplog.set_level(logging.INFO, logger="preau.access")
    return caplog


def test_the_request_id_of_the_proxy_is_kept_and_echoed(world):
    response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="req-42.abc")
    assert response["X-Request-Id"] == "req-42.abc"


def test_a_missing_or_malformed_request_id_is_replaced(world):
    fresh = Client().get("/accounts/login/")["X-Request-Id"]
    assert len(fresh) == 32
    odd = Client().get("/accounts/login/", HTTP_X_REQUEST_ID='a "b"\n')["X-Request-Id"]
    assert len(odd) == 32
    assert '"' not in odd
    assert Client().get("/healthz")["X-Request-Id"]


def test_one_access_line_per_request_with_ids_only(world, client_for, access):
    client = client_for(world.pupil)
    response = client.get("/?q=Dupont", HTTP_X_REQUEST_ID="abc123")
    assert response.status_code == 200
    (record,) = [r for r in access.records if r.name == "preau.access"]
    assert record.request_id == "abc123"
    assert record.tenant == "region-test"
    assert record.person == world.pupil.pk
    assert record.path == "/"
    assert record.status == 200
    assert record.view == "portal:home"
    assert record.duration_ms > 0
    line = logs.JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"].startswith("GET / 200 ")
    assert {
        "time",
        "level",
        "logger",
        "request_id",
        "tenant",
        "person",
        "path",
        "status",
        "duration_ms",
        "method",
        "view",
    } <= set(data)
    assert "Dupont" not in line
    assert world.pupil.last_name not in line
    assert world.pupil.login not in line


def test_health_checks_write_no_access_line(world, access):
    Client().get("/healthz")
    assert not [r for r in access.records if r.name == "preau.access"]


def test_a_record_inside_a_request_carries_its_context_without_a_query(
    world, django_assert_num_queries
):
    from django.http import HttpRequest

    request = HttpRequest()
    request.path = "/messages/"
    request.request_id = "rid-1"  # type: ignore[attr-defined]
    request.tenant = world.tenant  # type: ignore[attr-defined]
    token = logs.CURRENT_REQUEST.set(request)
    try:
        record = logging.LogRecord(
            "preau.x", logging.WARNING, __file__, 1, "hello %s", ("you",), None
        )
        with django_assert_num_queries(0):
            logs.RequestContextFilter().filter(record)
            data = json.loads(logs.JsonFormatter().format(record))
    finally:
        logs.CURRENT_REQUEST.reset(token)
    assert data["message"] == "hello you"
    assert data["level"] == "WARNING"
    assert data["request_id"] == "rid-1"
    assert data["tenant"] == "region-test"
    assert "person" not in data  # the session was not read: no id is guessed


def test_outside_a_request_and_with_an_exception():
    record = logging.LogRecord("celery", logging.ERROR, __file__, 1, "boom", (), None)
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    logs.RequestContextFilter().filter(record)
    data = json.loads(logs.JsonFormatter().format(record))
    assert data["logger"] == "celery"
    assert "request_id" not in data
    assert "ValueError: bad" in data["exception"]
    text = logs.TextFormatter().format(record)
    assert "ERROR celery: boom" in text
