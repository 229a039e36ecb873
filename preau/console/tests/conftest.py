"""Fixtures of the console tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def client_as(world: Any, client_for: Any) -> Any:
    """`client_as("pupil")`: a client for one of the roles above (the foreign administrator
    on their own tenant's host)."""

    def make(role: str) -> Client:
        if role == "anonymous":
            return Client(HTTP_HOST="testserver")
        return client_for(getattr(world, role))

    return make
