"""Fixtures of the accounts tests: clients that log in through the real login page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from preau.accounts.tests.helpers import FIREFOX, anonymous, text
from preau.directory.tests.factories import TEST_PASSWORD


@pytest.fixture
def login_client() -> Any:
    """`login_client(person)`: a client logged in through the login page (a real session row)."""

    def make(person: Any, *, ip: str = "198.51.100.7", user_agent: str = FIREFOX) -> Client:
        client = anonymous(person.tenant.hosts.first().host, ip=ip)
        response = client.post(
            "/accounts/login/",
            {"identifier": person.login, "password": TEST_PASSWORD},
            HTTP_USER_AGENT=user_agent,
        )
        assert response.status_code == 302, text(response)
        return client

    return make


@pytest.fixture
def actor_of() -> Any:
    """`actor_of(person)`: the person's Actor, as the middleware would build it."""
    from preau.directory.queries import build_actor

    def make(person: Any) -> Any:
        return build_actor(person, tenant=person.tenant, ip="192.0.2.1")

    return make
