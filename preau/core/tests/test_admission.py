"""Load shedding: new arrivals get the waiting page (503, Retry-After, no query) past the
limits; people already logged in carry on; everything passes when it is switched off."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from preau.core import admission

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(monkeypatch):
    """The process already serves `n` requests."""

    def make(n: int) -> None:
        monkeypatch.setattr(admission.IN_FLIGHT, "value", n)

    return make


def test_off_by_default(world, busy):
    busy(10_000)
    assert Client().get("/accounts/login/").status_code == 200


def test_past_the_in_flight_limit_a_new_arrival_waits_without_a_query(
    world, settings, busy, django_assert_num_queries
):
    settings.PREAU_SHED_MAX_IN_FLIGHT = 4
    busy(4)
    with django_assert_num_queries(0):
        response = Client().get("/accounts/login/")
    assert response.status_code == 503
    assert response["Retry-After"] == "20"
    assert "Beaucoup de monde" in response.content.decode()
    assert admission.IN_FLIGHT.value == 4  # the counter is given back


def test_a_refusal_is_not_logged_as_a_server_error(world, settings, busy, caplog):
    settings.PREAU_SHED_MAX_IN_FLIGHT = 1
    busy(1)
    with caplog.at_level("WARNING", logger="django.request"):
        assert Client().get("/accounts/login/").status_code == 503
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_people_logged_in_carry_on_however_busy(world, settings, busy, client_for):
    settings.PREAU_SHED_MAX_IN_FLIGHT = 4
    client = client_for(world.pupil)
    busy(1_000)
    assert client.get("/").status_code == 200
    assert admission.IN_FLIGHT.value == 1_000


def test_a_long_queue_turns_new_arrivals_away_only(world, settings, client_for):
    settings.PREAU_SHED_MAX_QUEUE_MS = 500
    late = f"t={time.time() - 2:.3f}"
    assert Client(HTTP_X_REQUEST_START=late).get("/accounts/login/").status_code == 503
    fresh = f"t={time.time():.3f}"
    assert Client(HTTP_X_REQUEST_START=fresh).get("/accounts/login/").status_code == 200
    client = client_for(world.pupil)
    assert client.get("/", HTTP_X_REQUEST_START=late).status_code == 200


NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("t=1699999999.5", 500.0),  # seconds (nginx's $msec)
        ("t=1699999999500", 500.0),  # milliseconds
        ("t=1699999999500000", 500.0),  # microseconds (Apache's %t)
        ("t=1700000001", 0.0),  # a proxy clock ahead: no negative wait
        ("", 0.0),
        ("nonsense", 0.0),
    ],
)
def test_queue_time_from_the_proxy_s_header(rf, header, expected):
    request = rf.get("/", HTTP_X_REQUEST_START=header)
    assert admission.queue_ms(request, now=NOW) == pytest.approx(expected, abs=1)


def test_health_endpoints_are_never_shed(world, settings, busy):
    settings.PREAU_SHED_MAX_IN_FLIGHT = 1
    busy(100)
    assert Client().get("/healthz").status_code == 200
