"""Fixtures of the OpenID Connect tests: registered clients and a PKCE login with Django's
test client (the live-server tests use a real OAuth client instead)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from preau.accounts.actions import acting_as
from preau.sso.oidc import actions
from preau.sso.oidc.models import OidcClient

REDIRECT_URI = "http://127.0.0.1:8765/callback"
ALL = ["openid", "profile", "email", "schools", "classes", "api.read"]


@dataclass
class Registered:
    client: OidcClient
    secret: str | None

    @property
    def client_id(self) -> str:
        return self.client.application.client_id


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def location_params(response: Any) -> dict[str, str]:
    """The query parameters of a redirect's Location (where the code or error comes back)."""
    assert response.status_code == 302, response.status_code
    query = parse_qs(urlsplit(response["Location"]).query)
    return {k: v[0] for k, v in query.items()}


@pytest.fixture
def register(world: Any) -> Callable[..., Registered]:
    """`register(operator=None, **kwargs)`: a client registered by `operator` (by default the
    world tenant's), first-party, confidential, every scope, the loopback redirect address."""

    def make(operator: Any = None, **kwargs: Any) -> Registered:
        operator = operator or world.operator
        values: dict[str, Any] = {
            "name": "Appli mobile",
            "redirect_uris": [REDIRECT_URI],
            "confidential": True,
            "scopes": ALL,
            "is_first_party": True,
        }
        values.update(kwargs)
        client, secret = actions.create_client(actor=acting_as(operator, ip=None), **values)
        return Registered(client, secret)

    return make


class Flow:
    """An authorization-code + PKCE login driven through Django's test client."""

    def __init__(self, browser: Client, registered: Registered) -> None:
        self.browser = browser
        self.registered = registered
        self.verifier, self.challenge = pkce_pair()
        self.state = secrets.token_urlsafe(8)

    def authorize(self, scope: str = "openid profile", **extra: str) -> Any:
        params = {
            "response_type": "code",
            "client_id": self.registered.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": self.state,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            "nonce": "n-0S6",
        }
        params.update(extra)
        params = {k: v for k, v in params.items() if v != ""}
        return self.browser.get("/oidc/authorize/", params)

    def code(self, scope: str = "openid profile") -> str:
        params = location_params(self.authorize(scope))
        assert params["state"] == self.state
        return params["code"]

    def token(self, code: str, *, verifier: str | None = None, host: str | None = None) -> Any:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": self.registered.client_id,
            "code_verifier": verifier if verifier is not None else self.verifier,
        }
        if self.registered.secret:
            data["client_secret"] = self.registered.secret
        data = {k: v for k, v in data.items() if v != ""}
        kwargs = {"HTTP_HOST": host} if host else {}
        return Client(**kwargs).post("/oidc/token/", data)

    def tokens(self, scope: str = "openid profile") -> dict[str, Any]:
        response = self.token(self.code(scope))
        assert response.status_code == 200, response.content
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def flow(client_for: Any) -> Callable[[Any, Registered], Flow]:
    def make(person: Any, registered: Registered) -> Flow:
        return Flow(client_for(person), registered)

    return make
