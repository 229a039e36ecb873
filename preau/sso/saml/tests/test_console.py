"""The identity providers' console: the tenant's operator only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from preau.core.models import AuditEntry
from preau.directory.tests.factories import PersonFactory
from preau.sso.saml.models import IdentityProvider

pytestmark = pytest.mark.django_db

LIST = "/console/identity-providers/"
NEW = LIST + "new"


@pytest.fixture
def idp_metadata(educonnect_idp: Any) -> str:
    return educonnect_idp.metadata()


def _form(metadata: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "EduConnect",
        "kind": "educonnect",
        "label": "Se connecter avec EduConnect",
        "academie": "",
        "position": "1",
        "metadata_xml": metadata,
        "is_enabled": "on",
        **extra,
    }


def _foreign_operator(world: Any) -> Any:
    return PersonFactory(
        tenant=world.other_tenant, first_name="Op", last_name="Ext", is_operator=True
    )


WHO = ["anonymous", "pupil", "admin", "authority_admin", "foreign_operator"]


def _client(world: Any, client_for: Any, who: str) -> Client:
    if who == "anonymous":
        return Client(HTTP_HOST="testserver")
    person = _foreign_operator(world) if who == "foreign_operator" else getattr(world, who)
    return client_for(person)


@pytest.mark.parametrize("who", WHO)
def test_others_cannot_list_add_edit_or_enable(world, client_for, educonnect, idp_metadata, who):
    client = _client(world, client_for, who)
    before = IdentityProvider.objects.values_list("pk", "label", "is_enabled").order_by("pk")
    before = list(before)
    audits = AuditEntry.objects.count()
    pk = educonnect.pk
    requests = [
        ("get", LIST, None),
        ("get", NEW, None),
        ("post", NEW, _form(idp_metadata, name="Intrus")),
        ("get", f"{LIST}{pk}/", None),
        ("post", f"{LIST}{pk}/", _form("", label="Changé")),
        ("post", f"{LIST}{pk}/disable", {}),
        ("post", f"{LIST}{pk}/enable", {}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data or {})
        if who == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/")
        elif who == "foreign_operator" and url in (LIST, NEW):
            # Their own tenant's (empty) pages; nothing of this tenant shows.
            assert response.status_code in (200, 302, 400), url
            if url == LIST:
                assert b"educonnect.test" not in response.content
        else:
            assert response.status_code == 404, (url, response.status_code)
    assert (
        list(
            IdentityProvider.objects.filter(tenant=world.tenant)
            .values_list("pk", "label", "is_enabled")
            .order_by("pk")
        )
        == before
    )
    if who != "foreign_operator":
        assert AuditEntry.objects.count() == audits


def test_operator_sees_the_empty_state(world, client_for):
    with translation.override("en"):
        response = client_for(world.operator).get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b"empty-state" in response.content
    assert b"http://testserver/saml/metadata/" in response.content


def test_operator_adds_a_provider_by_pasting_metadata(world, client_for, idp_metadata):
    response = client_for(world.operator).post(NEW, _form(idp_metadata))
    assert response.status_code == 302
    provider = IdentityProvider.objects.get(tenant=world.tenant)
    assert provider.entity_id == "https://educonnect.test/idp"
    assert provider.is_enabled
    entry = AuditEntry.objects.get(action="saml.provider_created")
    assert (entry.actor_id, entry.target_id) == (world.operator.pk, str(provider.pk))


def test_operator_adds_a_provider_by_uploading_metadata(world, client_for, idp_metadata, academie):
    upload = SimpleUploadedFile("idp.xml", idp_metadata.encode(), content_type="text/xml")
    data = _form("", kind="agents", academie=str(academie.pk), metadata_file=upload)
    response = client_for(world.operator).post(NEW, data)
    assert response.status_code == 302
    assert IdentityProvider.objects.get(tenant=world.tenant).academie == academie


@pytest.mark.parametrize(
    "case", ["not_xml", "no_signing_cert", "not_metadata", "empty", "agents_without_academie"]
)
def test_bad_metadata_is_shown_on_the_field_and_kept(world, client_for, idp_metadata, case):
    metadata = {
        "not_xml": "<EntityDescriptor oops",
        "no_signing_cert": re.sub(
            r"<(\w+:)?KeyDescriptor.*?</(\w+:)?KeyDescriptor>", "", idp_metadata, flags=re.S
        ),
        "not_metadata": "<hello>world</hello>",
        "empty": "",
        "agents_without_academie": idp_metadata,
    }[case]
    extra = {"kind": "agents"} if case == "agents_without_academie" else {}
    response = client_for(world.operator).post(NEW, _form(metadata, **extra))
    assert response.status_code == 400
    form = response.context["form"]
    field = "academie" if case == "agents_without_academie" else "metadata_xml"
    assert form.errors.get(field), form.errors
    if metadata:
        assert form["metadata_xml"].value() == metadata  # what was typed is kept
    assert not IdentityProvider.objects.exists()


def test_operator_edits_and_disables_a_provider(world, client_for, educonnect):
    client = client_for(world.operator)
    response = client.post(
        f"{LIST}{educonnect.pk}/", _form("", label="EduConnect (élèves et parents)", position="5")
    )
    assert response.status_code == 302
    educonnect.refresh_from_db()
    assert (educonnect.label, educonnect.position) == ("EduConnect (élèves et parents)", 5)
    assert client.post(f"{LIST}{educonnect.pk}/disable").status_code == 302
    educonnect.refresh_from_db()
    assert not educonnect.is_enabled
    assert client.post(f"{LIST}{educonnect.pk}/enable").status_code == 302
    educonnect.refresh_from_db()
    assert educonnect.is_enabled
    actions = list(
        AuditEntry.objects.filter(action__startswith="saml.provider")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == [
        "saml.provider_created",
        "saml.provider_updated",
        "saml.provider_disabled",
        "saml.provider_enabled",
    ]


def test_list_page_query_count(world, client_for, educonnect, agents, django_assert_num_queries):
    client = client_for(world.operator)
    client.get(LIST)
    # session, person, actor (memberships, admin scopes), the providers with their académie.
    with django_assert_num_queries(QUERIES):
        response = client.get(LIST)
    assert response.status_code == 200
    assert b"Agents de Lyon" in response.content
    assert b"EduConnect" in response.content


QUERIES = 5
