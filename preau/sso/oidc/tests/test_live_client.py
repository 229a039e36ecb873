"""A real OpenID Connect client (authlib) against the live server: log in through the login
form, authorization code + PKCE, ID token checked against the JWKS, refresh, userinfo and the
/api/v1/ with the access token."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from preau.sso.oidc.tests.conftest import REDIRECT_URI

TIMEOUT = 10


@pytest.fixture
def server(live_base: str) -> str:
    return live_base


@pytest.fixture
def sessions(http_sessions: list[requests.Session]) -> list[requests.Session]:
    return http_sessions


def follow_to_callback(session: requests.Session, url: str) -> str:
    """Follow the provider's redirects until one points at the client's callback (which has
    no server): return that address."""
    for _hop in range(5):
        response = session.get(url, allow_redirects=False, timeout=TIMEOUT)
        assert response.status_code == 302, response.text[:500]
        url = response.headers["Location"]
        if url.startswith(REDIRECT_URI):
            return url
        if url.startswith("/"):
            url = f"{urlsplit(response.url).scheme}://{urlsplit(response.url).netloc}{url}"
    raise AssertionError("no redirect to the callback")


@pytest.mark.django_db(transaction=True)
def test_authlib_code_flow_with_pkce(server, world, register, sessions, logged_in):
    registered = register(name="Appli mobile")
    discovery = requests.get(f"{server}/oidc/.well-known/openid-configuration", timeout=TIMEOUT)
    meta = discovery.json()
    assert meta["issuer"] == f"{server}/oidc"  # plain http on loopback only
    client = OAuth2Session(
        client_id=registered.client_id,
        client_secret=registered.secret,
        scope="openid profile email schools classes api.read",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    sessions.append(client)
    verifier = "v" * 20 + "-PKCE-" + "w" * 30
    url, state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce="n-42"
    )
    browser = logged_in(world.pupil)
    callback = follow_to_callback(browser, url)
    assert parse_qs(urlsplit(callback).query)["state"] == [state]

    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    assert token["token_type"].lower() == "bearer"

    # The ID token: signed with the published key, for this client, from this issuer.
    # (joserfc: authlib's own JOSE library, which replaces the deprecated authlib.jose.)
    jwks = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=TIMEOUT).json())
    decoded = jwt.decode(token["id_token"], jwks, algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": meta["issuer"]},
        aud={"essential": True, "value": registered.client_id},
        nonce={"essential": True, "value": "n-42"},
        exp={"essential": True},
    ).validate(decoded.claims)
    claims = decoded.claims
    assert claims["preferred_username"] == world.pupil.login
    assert claims["given_name"] == "Léa"
    sub = claims["sub"]

    # Refresh: a new access token and a new refresh token; the old refresh token is spent.
    old_refresh = token["refresh_token"]
    refreshed = client.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != old_refresh
    # Userinfo with the refreshed access token: the Préau claims.
    info = client.get(meta["userinfo_endpoint"], timeout=TIMEOUT).json()
    assert info["sub"] == sub
    assert info["name"] == "Léa Martin"
    assert info["profiles"] == ["National_ELV"]
    assert info["schools"] == [world.school.uai]
    assert info["classes"] == [{"school": world.school.uai, "code": "6A", "name": "6e A"}]

    # And the API with the same token.
    me = client.get(f"{server}/api/v1/me", timeout=TIMEOUT)
    assert me.status_code == 200
    assert me.json()["id"] == world.pupil.pk

    # Replaying the spent refresh token is refused, and ends the whole family of tokens
    # (someone copied it): the current access token stops working too.
    replay = requests.post(
        meta["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": old_refresh},
        auth=(registered.client_id, registered.secret or ""),
        timeout=TIMEOUT,
    )
    assert replay.status_code == 400
    assert client.get(meta["userinfo_endpoint"], timeout=TIMEOUT).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_authlib_public_client(server, world, register, sessions, logged_in):
    """A public client (the mobile app): no secret, PKCE alone."""
    registered = register(confidential=False, scopes=["openid", "profile"])
    assert registered.secret is None
    client = OAuth2Session(
        client_id=registered.client_id,
        scope="openid profile",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    sessions.append(client)
    verifier = "m" * 64
    url, _state = client.create_authorization_url(
        f"{server}/oidc/authorize/", code_verifier=verifier
    )
    callback = follow_to_callback(logged_in(world.teacher), url)
    token = client.fetch_token(
        f"{server}/oidc/token/", authorization_response=callback, code_verifier=verifier
    )
    assert "id_token" in token
    # Without api.read the API refuses the token.
    assert client.get(f"{server}/api/v1/me", timeout=TIMEOUT).status_code == 401
