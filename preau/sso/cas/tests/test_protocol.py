"""The CAS endpoints through Django's test client: login, tickets, validation, proxy, logout."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring
from django.test import Client
from django.utils import timezone

from preau.core.models import AuditEntry
from preau.directory.tests.factories import TEST_PASSWORD
from preau.sso.cas.models import CasTicket
from preau.sso.cas.responses import CAS_NS

NS = {"cas": CAS_NS}


def login_url(service: str, **extra: str) -> str:
    return "/cas/login?" + urlencode({"service": service, **extra})


def ticket_from(response: Any) -> str:
    assert response.status_code == 302, response.content[:300]
    return parse_qs(urlsplit(response["Location"]).query)["ticket"][0]


def validate(
    client: Client, ticket: str, service: str, path: str = "/cas/p3/serviceValidate", **extra: str
) -> Element:
    response = client.get(path, {"ticket": ticket, "service": service, **extra})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return fromstring(response.content)


def failure_code(root: Element) -> str | None:
    failure = root.find("cas:authenticationFailure", NS)
    return None if failure is None else failure.get("code")


@pytest.fixture
def service(receiver: Any) -> str:
    return f"{receiver.url}/app/"


# --- /login -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_form_and_back(
    world: Any, cas_app: Any, service: str
) -> None:
    client = Client()
    response = client.get(login_url(service))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/accounts/login/?next=")
    next_url = parse_qs(urlsplit(location).query)["next"][0]
    assert next_url == login_url(service)
    response = client.post(
        "/accounts/login/",
        {"identifier": world.pupil.login, "password": TEST_PASSWORD, "next": next_url},
    )
    assert response["Location"] == next_url
    ticket = ticket_from(client.get(next_url))
    root = validate(Client(), ticket, service)
    assert root.findtext("cas:authenticationSuccess/cas:user", namespaces=NS) == world.pupil.login
    assert root.findtext(".//cas:attributes/cas:isFromNewLogin", namespaces=NS) == "true"


def test_a_session_gets_a_ticket_bound_to_the_service(
    client_for: Any, world: Any, cas_app: Any, service: str
) -> None:
    ticket = ticket_from(client_for(world.pupil).get(login_url(service)))
    assert ticket.startswith("ST-")
    assert len(ticket) > 32
    row = CasTicket.objects.get(ticket=ticket)
    assert (row.person, row.app, row.service, row.from_new_login) == (
        world.pupil,
        cas_app,
        service,
        False,
    )
    assert row.expires_at - row.created_at == dt.timedelta(seconds=60)
    entry = AuditEntry.objects.get(action="cas.ticket_issued")
    assert (entry.subject, entry.target_repr, entry.data["service"]) == (
        world.pupil,
        "Moodle",
        service,
    )


def test_the_ticket_is_appended_to_a_service_with_a_query(
    client_for: Any, world: Any, cas_app: Any, service: str
) -> None:
    response = client_for(world.pupil).get(login_url(service + "?course=12"))
    assert response["Location"].startswith(service + "?course=12&ticket=ST-")


@pytest.mark.parametrize(
    "service",
    [
        "https://evil.example.com/",
        "https://moodle.example.org.evil.com/",
        "https://moodle.example.org@evil.com/",
        "http://moodle.example.org/",
        "https://moodle.example.org/other/",
        "javascript:alert(1)",
        "//evil.example.com/",
    ],
)
def test_an_unregistered_service_gets_a_page_and_no_redirect(
    client_for: Any, world: Any, cas_app: Any, service: str
) -> None:
    for client in (Client(), client_for(world.pupil)):
        response = client.get(login_url(service))
        assert response.status_code == 403
        assert "Location" not in response
        assert f'href="{service}'.encode() not in response.content
    assert not CasTicket.objects.exists()


def test_gateway_sends_an_anonymous_person_back_without_ticket(cas_app: Any, service: str) -> None:
    response = Client().get(login_url(service, gateway="true"))
    assert response["Location"] == service


def test_gateway_never_redirects_to_an_unregistered_service(cas_app: Any) -> None:
    response = Client().get(login_url("https://evil.example.com/", gateway="true"))
    assert response.status_code == 403


def test_a_school_where_the_service_is_not_enabled_is_refused(
    client_for: Any, world: Any, pronote: Any, receiver: Any
) -> None:
    service = f"{receiver.url}/pronote/"
    response = client_for(world.other_pupil).get(login_url(service))
    assert response.status_code == 403
    assert "Pronote" in response.content.decode()
    assert not CasTicket.objects.exists()
    assert ticket_from(client_for(world.pupil).get(login_url(service)))


def test_a_profile_the_service_is_not_for_is_refused(
    client_for: Any, world: Any, cas_app: Any, service: str
) -> None:
    cas_app.profiles = ["teacher"]
    cas_app.save()
    assert client_for(world.pupil).get(login_url(service)).status_code == 403
    assert ticket_from(client_for(world.teacher).get(login_url(service)))


def test_a_disabled_app_is_unknown(client_for: Any, world: Any, cas_app: Any, service: str) -> None:
    cas_app.is_enabled = False
    cas_app.save()
    assert client_for(world.pupil).get(login_url(service)).status_code == 403


def test_another_tenants_host_does_not_know_the_service(
    world: Any, cas_app: Any, service: str
) -> None:
    client = Client(HTTP_HOST="other.test")
    client.force_login(world.foreign_admin)
    assert client.get(login_url(service)).status_code == 403


def test_renew_asks_for_the_password_even_with_a_session(
    client_for: Any, world: Any, cas_app: Any, service: str
) -> None:
    client = client_for(world.pupil)
    page = client.get(login_url(service, renew="true"))
    assert page.status_code == 200
    assert b'name="password"' in page.content
    wrong = client.post(
        "/cas/login",
        {"service": service, "renew": "true", "identifier": world.pupil.login, "password": "nope"},
    )
    assert wrong.status_code == 200
    assert not CasTicket.objects.exists()
    ticket = ticket_from(
        client.post(
            "/cas/login",
            {
                "service": service,
                "renew": "true",
                "identifier": world.pupil.login,
                "password": TEST_PASSWORD,
            },
        )
    )
    root = validate(Client(), ticket, service, renew="true")
    assert failure_code(root) is None


def test_renew_validation_refuses_a_ticket_from_an_existing_session(
    client_for: Any, world: Any, cas_app: Any, service: str
) -> None:
    ticket = ticket_from(client_for(world.pupil).get(login_url(service)))
    assert failure_code(validate(Client(), ticket, service, renew="true")) == "INVALID_TICKET_SPEC"


# --- validation ---------------------------------------------------------------------------


@pytest.fixture
def ticket(client_for: Any, world: Any, cas_app: Any, service: str) -> str:
    return ticket_from(client_for(world.pupil).get(login_url(service)))


def test_p3_validation_releases_the_generic_attributes(
    world: Any, ticket: str, service: str
) -> None:
    root = validate(Client(), ticket, service)
    attributes = {el.tag.split("}")[1]: el.text for el in root.find(".//cas:attributes", NS)}
    assert attributes["login"] == world.pupil.login
    assert attributes["lastName"] == world.pupil.last_name
    assert attributes["profile"] == "National_ELV"
    assert attributes["schools"] == world.school.uai
    assert attributes["classes"] == "6A"
    assert attributes["isFromNewLogin"] == "false"


def test_json_format(world: Any, ticket: str, service: str) -> None:
    response = Client().get(
        "/cas/p3/serviceValidate", {"ticket": ticket, "service": service, "format": "JSON"}
    )
    success = json.loads(response.content)["serviceResponse"]["authenticationSuccess"]
    assert success["user"] == world.pupil.login
    assert success["attributes"]["firstName"] == [world.pupil.first_name]


def test_a_ticket_is_single_use(ticket: str, service: str) -> None:
    assert failure_code(validate(Client(), ticket, service)) is None
    assert failure_code(validate(Client(), ticket, service)) == "INVALID_TICKET"
    assert AuditEntry.objects.filter(action="cas.validation_refused").count() == 1


def test_a_ticket_for_another_service_is_refused_and_spent(
    world: Any, ticket: str, service: str, receiver: Any
) -> None:
    other = f"{receiver.url}/proxied/x"
    assert failure_code(validate(Client(), ticket, other)) == "INVALID_SERVICE"
    assert failure_code(validate(Client(), ticket, service)) == "INVALID_TICKET"


def test_an_expired_ticket_is_refused(ticket: str, service: str) -> None:
    CasTicket.objects.filter(ticket=ticket).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert failure_code(validate(Client(), ticket, service)) == "INVALID_TICKET"


def test_a_made_up_ticket_is_refused(cas_app: Any, service: str) -> None:
    assert failure_code(validate(Client(), "ST-made-up", service)) == "INVALID_TICKET"
    assert failure_code(validate(Client(), "", service)) == "INVALID_REQUEST"
    assert not AuditEntry.objects.filter(action="cas.validation_refused").exists()


def test_another_tenants_host_cannot_validate_the_ticket(ticket: str, service: str) -> None:
    assert (
        failure_code(validate(Client(HTTP_HOST="other.test"), ticket, service)) == "INVALID_TICKET"
    )
    assert CasTicket.objects.get(ticket=ticket).consumed_at is None


def test_a_blocked_person_s_ticket_is_refused(world: Any, ticket: str, service: str) -> None:
    type(world.pupil).objects.filter(pk=world.pupil.pk).update(is_blocked=True)
    assert failure_code(validate(Client(), ticket, service)) == "INVALID_TICKET"


def test_cas1_validate(world: Any, ticket: str, service: str) -> None:
    response = Client().get("/cas/validate", {"ticket": ticket, "service": service})
    assert response.content.decode() == f"yes\n{world.pupil.login}\n"
    response = Client().get("/cas/validate", {"ticket": ticket, "service": service})
    assert response.content.decode() == "no\n\n"


def test_cas2_service_validate(world: Any, ticket: str, service: str) -> None:
    root = validate(Client(), ticket, service, path="/cas/serviceValidate")
    assert root.findtext("cas:authenticationSuccess/cas:user", namespaces=NS) == world.pupil.login


def test_validation_costs_a_fixed_number_of_queries(
    django_assert_num_queries: Any, ticket: str, service: str
) -> None:
    # consume, read the ticket, the person's memberships with schools and classes.
    with django_assert_num_queries(3):
        Client().get("/cas/p3/serviceValidate", {"ticket": ticket, "service": service})


# --- proxies ------------------------------------------------------------------------------


def test_proxy_granting_and_proxy_tickets(
    world: Any, ticket: str, service: str, receiver: Any
) -> None:
    callback = f"{receiver.url}/callback"
    root = validate(Client(), ticket, service, pgtUrl=callback)
    iou = root.findtext("cas:authenticationSuccess/cas:proxyGrantingTicket", namespaces=NS)
    assert iou
    assert iou.startswith("PGTIOU-")
    hit = next(h for h in receiver.hits if h.path == "/callback")
    assert hit.query["pgtIou"] == [iou]
    pgt = hit.query["pgtId"][0]
    assert pgt.startswith("PGT-")

    target = f"{receiver.url}/proxied/course"
    response = Client().get("/cas/proxy", {"pgt": pgt, "targetService": target})
    proxy_ticket = fromstring(response.content).findtext(
        "cas:proxySuccess/cas:proxyTicket", namespaces=NS
    )
    assert proxy_ticket
    assert proxy_ticket.startswith("PT-")

    assert failure_code(validate(Client(), proxy_ticket, target)) == "INVALID_TICKET_SPEC"
    root = validate(Client(), proxy_ticket, target, path="/cas/p3/proxyValidate")
    assert root.findtext("cas:authenticationSuccess/cas:user", namespaces=NS) == world.pupil.login
    assert root.findtext(".//cas:proxies/cas:proxy", namespaces=NS) == callback


def test_proxy_callback_must_be_https_off_loopback(ticket: str, service: str) -> None:
    root = validate(Client(), ticket, service, pgtUrl="http://proxy.example.org/callback")
    assert failure_code(root) is None
    assert root.find(".//cas:proxyGrantingTicket", NS) is None
    assert not CasTicket.objects.filter(kind="PGT").exists()


def test_no_proxy_granting_ticket_for_an_app_not_allowed_to_proxy(
    cas_app: Any, ticket: str, service: str, receiver: Any
) -> None:
    cas_app.allow_proxy = False
    cas_app.save()
    root = validate(Client(), ticket, service, pgtUrl=f"{receiver.url}/callback")
    assert root.find(".//cas:proxyGrantingTicket", NS) is None
    assert not receiver.hits


def test_proxy_refuses_an_unregistered_target_and_a_made_up_pgt(cas_app: Any) -> None:
    response = Client().get(
        "/cas/proxy", {"pgt": "PGT-nope", "targetService": "https://moodle.example.org/"}
    )
    assert fromstring(response.content).find("cas:proxyFailure", NS).get("code") == "INVALID_TICKET"
    response = Client().get("/cas/proxy", {"pgt": ""})
    assert (
        fromstring(response.content).find("cas:proxyFailure", NS).get("code") == "INVALID_REQUEST"
    )


# --- logout -------------------------------------------------------------------------------


def test_logout_posts_a_logout_request_to_each_service_the_session_used(
    client_for: Any,
    world: Any,
    cas_app: Any,
    pronote: Any,
    receiver: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from cas import CASClientV3

    client = client_for(world.pupil)
    first = ticket_from(client.get(login_url(f"{receiver.url}/app/")))
    second = ticket_from(client.get(login_url(f"{receiver.url}/pronote/")))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/logout/")
    assert response.status_code == 302
    posts = receiver.posts()
    assert sorted(p.path for p in posts) == ["/app/", "/pronote/"]
    for post, ticket in zip(sorted(posts, key=lambda p: p.path), (first, second), strict=True):
        assert CASClientV3.verify_logout_request(post.form["logoutRequest"][0], ticket)
    assert not CasTicket.objects.exists()
    entry = AuditEntry.objects.get(action="cas.logout")
    assert entry.subject == world.pupil
    assert sorted(entry.data["services"]) == ["Moodle", "Pronote"]


def test_cas_logout_redirects_only_to_a_registered_service(
    client_for: Any, world: Any, cas_app: Any, service: str
) -> None:
    response = client_for(world.pupil).get("/cas/logout", {"service": service})
    assert response["Location"] == service
    response = client_for(world.pupil).get("/cas/logout", {"service": "https://evil.example.com/"})
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_the_launcher_opens_a_cas_app_through_the_cas_server(
    client_for: Any, world: Any, cas_app: Any
) -> None:
    page = client_for(world.pupil).get("/").content.decode()
    assert 'href="/cas/login?service=https%3A%2F%2Fmoodle.example.org%2F"' in page
    response = client_for(world.pupil).get(login_url("https://moodle.example.org/"))
    assert response["Location"].startswith("https://moodle.example.org/?ticket=ST-")
