"""The registry's actions: permissions, checks and audit entries, without HTTP."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from preau.accounts.actions import acting_as
from preau.core.models import AuditEntry
from preau.sso.oidc import actions
from preau.sso.oidc.models import OidcClient
from preau.sso.oidc.permissions import Perm, policy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "uri",
    [
        "https://app.example.fr/cb",
        "https://app.example.fr:8443/oidc/callback?x=1",
        "http://127.0.0.1:8000/cb",
        "http://localhost/cb",
        "http://[::1]:9000/cb",
    ],
)
def test_accepted_redirect_uris(uri):
    actions.check_redirect_uri(uri)


@pytest.mark.parametrize(
    "uri",
    [
        "http://app.example.fr/cb",
        "http://127.0.0.2.example.fr/cb",
        "https://app.example.fr/cb#f",
        "https://*.example.fr/cb",
        "https://u@app.example.fr/cb",
        "https://app.example.fr:99999/cb",
        "fr.preau.app:/callback",
        "https:///cb",
        "https://app.example.fr/a b",
        "https://app.example.fr/" + "a" * 600,
    ],
)
def test_refused_redirect_uris(uri):
    with pytest.raises(ValidationError):
        actions.check_redirect_uri(uri)


@pytest.mark.parametrize("who", ["pupil", "admin", "authority_admin", "foreign_admin"])
def test_only_the_operator_registers(world, who):
    actor = acting_as(getattr(world, who), ip=None)
    assert not policy.can(actor, Perm.MANAGE_CLIENTS)
    with pytest.raises(PermissionDenied):
        actions.create_client(
            actor=actor,
            name="X",
            redirect_uris=["https://x.example.fr/cb"],
            confidential=True,
            scopes=["openid"],
        )
    assert not OidcClient.objects.exists()


def test_operator_of_another_tenant_cannot_change_a_client(world, register):
    from preau.directory.models import Person

    client = register().client
    foreign = Person.objects.create(
        tenant=world.other_tenant, login="op", first_name="O", last_name="P", is_operator=True
    )
    actor = acting_as(foreign, ip=None)
    for change in (actions.disable_client, actions.rotate_client_secret):
        with pytest.raises(PermissionDenied):
            change(actor=actor, client=client)
    client.refresh_from_db()
    assert client.is_enabled


def test_every_error_is_reported_at_once(world):
    with pytest.raises(ValidationError) as caught:
        actions.create_client(
            actor=acting_as(world.operator, ip=None),
            name="  ",
            redirect_uris="http://evil.example/cb",
            confidential=True,
            scopes=["openid", "admin"],
        )
    assert set(caught.value.error_dict) == {"name", "redirect_uris", "scopes"}


def test_create_audits_without_the_secret(world):
    client, secret = actions.create_client(
        actor=acting_as(world.operator, ip="192.0.2.1"),
        name="  ENT   mobile ",
        redirect_uris="https://m.example.fr/cb\nhttps://m.example.fr/cb",
        confidential=True,
        scopes=["profile"],
    )
    assert client.name == "ENT mobile"
    assert client.redirect_uris == ["https://m.example.fr/cb"]
    assert client.scopes == ["openid", "profile"]
    entry = AuditEntry.objects.get(action="oidc.client_created")
    assert entry.ip == "192.0.2.1"
    assert entry.target_id == str(client.pk)
    assert secret
    assert secret not in str(entry.data)


def test_record_authorization_refuses_a_foreign_client(world, register):
    from preau.directory.models import Person

    foreign = Person.objects.create(
        tenant=world.other_tenant, login="op", first_name="O", last_name="P", is_operator=True
    )
    client = register(operator=foreign).client
    with pytest.raises(PermissionDenied):
        actions.record_authorization(
            actor=acting_as(world.pupil, ip=None),
            application=client.application,
            scopes=["openid"],
            consented=True,
        )
