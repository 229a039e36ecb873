"""The operator's client registry: the authorization matrix, the forms, the secret shown once
and the list's query count."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from oauth2_provider.models import Application

from preau.core.models import AuditEntry
from preau.directory.models import Person
from preau.sso.oidc.models import OidcClient

pytestmark = pytest.mark.django_db

LIST = "/console/oidc/"
NEW = "/console/oidc/new"


def _foreign_operator(world: Any) -> Person:
    return Person.objects.create(
        tenant=world.other_tenant,
        login="operateur.autre",
        first_name="Odile",
        last_name="Autre",
        is_operator=True,
    )


def _browser(world: Any, client_for: Any, who: str) -> Client:
    if who == "anonymous":
        return Client()
    if who == "foreign_operator":
        return client_for(_foreign_operator(world))
    return client_for(getattr(world, who))


VALID = {
    "name": "Bibliothèque",
    "description": "Le catalogue du CDI",
    "redirect_uris": "https://bib.example.fr/oidc/callback\nhttp://127.0.0.1/cb",
    "client_type": "confidential",
    "scopes": ["openid", "profile", "schools"],
}


@pytest.mark.parametrize(
    "who", ["anonymous", "pupil", "teacher", "admin", "authority_admin", "foreign_operator"]
)
def test_only_the_operator_reaches_the_registry(world, register, client_for, who):
    registered = register()
    browser = _browser(world, client_for, who)
    pk = registered.client.pk
    before = (
        OidcClient.objects.count(),
        Application.objects.get(pk=registered.client.application_id).client_secret,
        AuditEntry.objects.count(),
    )
    # The other tenant's operator has a registry of their own (on their host): only this
    # tenant's client must be out of reach.
    answers = (
        []
        if who == "foreign_operator"
        else [
            browser.get(LIST),
            browser.get(NEW),
            browser.post(NEW, VALID),
        ]
    )
    answers += [
        browser.get(f"{LIST}{pk}/"),
        browser.post(f"{LIST}{pk}/", {**VALID, "name": "Pirate"}),
        browser.post(f"{LIST}{pk}/disable"),
        browser.post(f"{LIST}{pk}/rotate-secret"),
    ]
    for response in answers:
        if who == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 404
    after = (
        OidcClient.objects.count(),
        Application.objects.get(pk=registered.client.application_id).client_secret,
        AuditEntry.objects.count(),
    )
    assert after == before
    registered.client.refresh_from_db()
    assert registered.client.is_enabled
    assert registered.client.name == "Appli mobile"


def test_foreign_operator_sees_only_their_own_clients(world, register, client_for):
    register()
    operator = _foreign_operator(world)
    browser = client_for(operator)
    response = browser.get(LIST)
    assert response.status_code == 200
    assert response.context["page"].items == []
    assert b'id="oidc-empty"' in response.content


def test_empty_state(world, client_for):
    response = client_for(world.operator).get(LIST)
    assert response.status_code == 200
    assert b'id="oidc-empty"' in response.content
    assert b'id="oidc-clients"' not in response.content


def test_list_has_a_fixed_number_of_queries(world, register, client_for, django_assert_num_queries):
    browser = client_for(world.operator)
    register(name="A")
    browser.get(LIST)  # warm the tenant cache
    # session, person, memberships of the actor (+ authorities), clients page
    with django_assert_num_queries(5) as first:
        assert browser.get(LIST).status_code == 200
    for name in ("B", "C", "D", "E"):
        register(name=name)
    with django_assert_num_queries(len(first.captured_queries)):
        response = browser.get(LIST)
    assert [c.name for c in response.context["page"].items] == ["A", "B", "C", "D", "E"]


def test_operator_registers_a_confidential_client_and_sees_the_secret_once(world, client_for):
    browser = client_for(world.operator)
    assert browser.get(NEW).status_code == 200
    response = browser.post(NEW, {**VALID, "is_first_party": "on"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret
    client = OidcClient.objects.select_related("application").get()
    assert client.tenant_id == world.tenant.pk
    assert client.is_first_party
    assert client.application.skip_authorization
    assert client.scopes == ["openid", "profile", "schools"]
    assert client.redirect_uris == [
        "https://bib.example.fr/oidc/callback",
        "http://127.0.0.1/cb",
    ]
    assert client.application.client_secret != secret
    assert check_password(secret, client.application.client_secret)
    entry = AuditEntry.objects.get(action="oidc.client_created")
    assert entry.actor_id == world.operator.pk
    assert secret not in str(entry.data)
    # The edit page never shows it again.
    page = browser.get(f"{LIST}{client.pk}/")
    assert secret not in page.content.decode()


def test_public_client_has_no_secret(world, client_for):
    browser = client_for(world.operator)
    response = browser.post(NEW, {**VALID, "client_type": "public"})
    assert response.status_code == 200
    assert response.context["secret"] is None
    client = OidcClient.objects.select_related("application").get()
    assert client.application.client_type == "public"
    assert client.application.client_secret == ""
    rotate = browser.post(f"{LIST}{client.pk}/rotate-secret")
    assert rotate.status_code == 302
    assert not AuditEntry.objects.filter(action="oidc.client_secret_rotated").exists()


@pytest.mark.parametrize(
    "uris",
    [
        "http://bib.example.fr/callback",
        "https://*.example.fr/callback",
        "https://bib.example.fr/cb#x",
        "javascript:alert(1)",
        "https://user:pw@bib.example.fr/cb",
        "bib.example.fr/callback",
        "",
    ],
)
def test_bad_redirect_addresses_are_refused_and_the_form_kept(world, client_for, uris):
    browser = client_for(world.operator)
    response = browser.post(NEW, {**VALID, "redirect_uris": uris})
    assert response.status_code == 200
    form = response.context["form"]
    assert "redirect_uris" in form.errors
    assert form["name"].value() == "Bibliothèque"
    assert not OidcClient.objects.exists()
    assert not Application.objects.exists()


def test_edit_disable_enable_and_rotate(world, register, client_for):
    registered = register()
    client = registered.client
    browser = client_for(world.operator)
    page = browser.get(f"{LIST}{client.pk}/")
    assert page.status_code == 200
    assert b'id="oidc-client-id"' in page.content
    response = browser.post(
        f"{LIST}{client.pk}/",
        {
            "name": "Appli mobile 2",
            "description": "",
            "redirect_uris": "https://app.example.fr/cb",
            "scopes": ["profile"],
        },
    )
    assert response.status_code == 302
    client.refresh_from_db()
    client.application.refresh_from_db()
    assert client.name == "Appli mobile 2"
    assert client.scopes == ["openid", "profile"]
    assert not client.is_first_party
    assert not client.application.skip_authorization
    assert client.application.client_type == "confidential"  # never changes
    changed = AuditEntry.objects.get(action="oidc.client_changed")
    assert changed.data["redirect_uris"] == ["https://app.example.fr/cb"]

    assert browser.post(f"{LIST}{client.pk}/disable").status_code == 302
    client.refresh_from_db()
    assert not client.is_enabled
    assert AuditEntry.objects.filter(action="oidc.client_disabled").count() == 1
    assert browser.post(f"{LIST}{client.pk}/enable").status_code == 302
    client.refresh_from_db()
    assert client.is_enabled
    assert AuditEntry.objects.filter(action="oidc.client_enabled").count() == 1

    old_hash = client.application.client_secret
    response = browser.post(f"{LIST}{client.pk}/rotate-secret")
    assert response.status_code == 200
    secret = response.context["secret"]
    client.application.refresh_from_db()
    assert client.application.client_secret != old_hash
    assert check_password(secret, client.application.client_secret)
    assert not check_password(registered.secret, client.application.client_secret)
    assert (
        client.secret_rotated_at is not None
        or OidcClient.objects.get(pk=client.pk).secret_rotated_at
    )
    assert AuditEntry.objects.filter(action="oidc.client_secret_rotated").count() == 1


def test_edit_keeps_what_was_typed_on_error(world, register, client_for):
    client = register().client
    browser = client_for(world.operator)
    response = browser.post(
        f"{LIST}{client.pk}/",
        {"name": "Nouveau nom", "redirect_uris": "ftp://x", "scopes": ["profile"]},
    )
    assert response.status_code == 200
    assert response.context["form"]["name"].value() == "Nouveau nom"
    client.refresh_from_db()
    assert client.name == "Appli mobile"


def test_get_cannot_change_anything(world, register, client_for):
    client = register().client
    browser = client_for(world.operator)
    assert browser.get(f"{LIST}{client.pk}/disable").status_code == 405
    client.refresh_from_db()
    assert client.is_enabled


def test_bad_cursor_is_a_400(world, client_for):
    assert client_for(world.operator).get(LIST, {"after": "!!"}).status_code == 400


def test_pages_in_english(world, register, client_for):
    from django.utils import translation

    register()
    browser = client_for(world.operator)
    with translation.override("en"):
        response = browser.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b"<h1>" in response.content
