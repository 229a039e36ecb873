"""Real CAS clients (python-cas) against the live server: CAS 1, 2 and 3 logins and
validations, the Pronote attributes, proxies and single logout."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cas import CASClient, CASClientV3


@pytest.fixture
def server(live_base: str) -> str:
    return live_base


def login_to(session: requests.Session, client: CASClient) -> str:
    """Follow the client's login address as a browser would; the ticket the app receives."""
    response = session.get(client.get_login_url(), allow_redirects=False, timeout=10)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(client.service_url)
    return parse_qs(urlsplit(location).query)["ticket"][0]


@pytest.mark.parametrize("version", [1, 2, 3])
def test_python_cas_logs_in_and_validates(
    logged_in: Any, server: str, world: Any, cas_app: Any, receiver: Any, version: int
) -> None:
    client = CASClient(
        version=version, service_url=f"{receiver.url}/app/", server_url=f"{server}/cas/"
    )
    ticket = login_to(logged_in(world.teacher), client)
    user, attributes, _iou = client.verify_ticket(ticket)
    assert user == world.teacher.login
    if version > 1:
        assert attributes["lastName"] == world.teacher.last_name
        assert attributes["profile"] == "National_ENS"
    # Single use, whatever the protocol version.
    assert client.verify_ticket(ticket)[0] is None


def test_pronote_attributes(
    logged_in: Any, server: str, world: Any, pronote: Any, receiver: Any
) -> None:
    pupil = world.pupil
    type(pupil).objects.filter(pk=pupil.pk).update(
        birth_date="2013-05-04", address="3 rue des Lilas, 69003 Lyon"
    )
    client = CASClientV3(service_url=f"{receiver.url}/pronote/", server_url=f"{server}/cas/")
    user, attributes, _iou = client.verify_ticket(login_to(logged_in(pupil), client))
    assert user == pupil.login
    assert attributes["nom"] == pupil.last_name
    assert attributes["prenom"] == pupil.first_name
    assert attributes["dateNaissance"] == "04/05/2013"
    assert attributes["codePostal"] == "69003"
    assert attributes["categories"] == "National_1"


def test_a_proxy_gets_a_ticket_for_another_service(
    logged_in: Any, server: str, world: Any, cas_app: Any, receiver: Any
) -> None:
    client = CASClientV3(
        service_url=f"{receiver.url}/app/",
        server_url=f"{server}/cas/",
        proxy_callback=f"{receiver.url}/callback",
    )
    _user, _attributes, iou = client.verify_ticket(login_to(logged_in(world.pupil), client))
    callback = next(h for h in receiver.hits if h.path == "/callback")
    assert callback.query["pgtIou"] == [iou]
    target = CASClientV3(service_url=f"{receiver.url}/proxied/x", server_url=f"{server}/cas/")
    target.url_suffix = "p3/proxyValidate"
    proxy_ticket = target.get_proxy_ticket(callback.query["pgtId"][0])
    assert target.verify_ticket(proxy_ticket)[0] == world.pupil.login


def test_single_logout_reaches_the_service(
    logged_in: Any, server: str, world: Any, cas_app: Any, receiver: Any
) -> None:
    client = CASClientV3(service_url=f"{receiver.url}/app/", server_url=f"{server}/cas/")
    session = logged_in(world.pupil)
    ticket = login_to(session, client)
    assert client.verify_ticket(ticket)[0] == world.pupil.login
    session.get(client.get_logout_url(), timeout=10)
    posts = receiver.posts()
    assert len(posts) == 1
    assert CASClientV3.verify_logout_request(posts[0].form["logoutRequest"][0], ticket)
    # The session is over: the next login asks for credentials again.
    response = session.get(client.get_login_url(), allow_redirects=False, timeout=10)
    assert response.headers["Location"].startswith("/accounts/login/")
