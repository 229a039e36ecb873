"""Helpers of the accounts tests."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from preau.directory.tests.factories import TEST_PASSWORD

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)
CODE_RE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")
NEW_PASSWORD = "cartable violet 2027"


def anonymous(host: str = "testserver", *, ip: str = "198.51.100.7") -> Client:
    """A browser that asks for English pages (messages are asserted in the source language)."""
    return Client(
        HTTP_HOST=host, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT=FIREFOX
    )


def post_login(client: Client, identifier: str, password: str = TEST_PASSWORD) -> Any:
    return client.post("/accounts/login/", {"identifier": identifier, "password": password})


def text(response: Any) -> str:
    return response.content.decode()


def make_unactivated(person: Any) -> None:
    person.set_unusable_password()
    person.activated_at = None
    person.save(update_fields=["password", "activated_at"])


def is_logged_in(client: Client, host: str = "testserver") -> bool:
    response = client.get("/accounts/sessions/", HTTP_HOST=host)
    return response.status_code == 200
