"""Health endpoints (no tenant, no session) and the performance floor (the whole stack)."""

from __future__ import annotations

import os
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["testserver", "10.0.0.7:8000", "unknown.example"])
def test_liveness_answers_on_any_host_without_a_query(host, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client(HTTP_HOST=host).get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["Cache-Control"] == "no-store"


def test_readiness_checks_the_database_and_redis(world, settings):
    settings.REDIS_URL = ""
    response = Client(HTTP_HOST="10.0.0.7").get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_readiness_fails_when_the_database_does_not_answer(world, settings):
    settings.REDIS_URL = ""
    with mock.patch("preau.core.health.connection.cursor", side_effect=OperationalError("down")):
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"


def test_readiness_fails_when_redis_does_not_answer(world, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")


def test_the_floor_goes_through_the_whole_stack(world, client_for):
    assert Client().get("/_floor/")["Location"].startswith("/accounts/login/")
    response = client_for(world.pupil).get("/_floor/")
    assert response.status_code == 200
    assert response.content == f"ok {world.pupil.pk}".encode()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set (CI sets it)")
def test_readiness_with_the_real_redis(world):
    response = Client().get("/readyz")
    assert (response.status_code, response.json()["redis"]) == (200, "ok")
