"""Logging in through a test identity provider: matching, refusals, parent linking."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from preau.accounts.models import UserSession
from preau.core.models import AuditEntry
from preau.directory.models import Person
from preau.directory.tests.factories import TEST_PASSWORD
from preau.sso.saml.models import FederatedIdentity, FederatedSession
from preau.sso.saml.tests.conftest import (
    educonnect_identity,
    post_response,
    session_person_id,
    start_login,
)

pytestmark = pytest.mark.django_db


def audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_sp_metadata_names_our_endpoints_and_certificate(world: Any) -> None:
    response = Client(HTTP_HOST="testserver").get("/saml/metadata/")
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    assert 'entityID="http://testserver/saml/metadata/"' in body
    assert "http://testserver/saml/acs/" in body
    assert "http://testserver/saml/sls/" in body
    assert 'WantAssertionsSigned="true"' in body
    assert "X509Certificate" in body


def test_authn_request_is_signed_and_targets_the_provider(world, educonnect, educonnect_idp):
    location = start_login(Client(HTTP_HOST="testserver"), educonnect)
    assert location.startswith(educonnect_idp.sso_url + "?")
    assert "Signature=" in location
    request = educonnect_idp.read_authn_request(location)  # signature checked by the IdP
    assert request.message.issuer.text == "http://testserver/saml/metadata/"
    assert request.message.assertion_consumer_service_url == "http://testserver/saml/acs/"


def test_disabled_or_foreign_provider_cannot_be_started(world, educonnect):
    educonnect.is_enabled = False
    educonnect.save()
    assert Client(HTTP_HOST="testserver").get(f"/saml/login/{educonnect.pk}/").status_code == 404
    educonnect.is_enabled = True
    educonnect.save()
    assert Client(HTTP_HOST="other.test").get(f"/saml/login/{educonnect.pk}/").status_code == 404


def test_educonnect_logs_the_pupil_in_by_join_key(world, educonnect, educonnect_idp):
    world.pupil.external_id = "7654321"
    world.pupil.save()
    client = Client(HTTP_HOST="testserver")
    location = start_login(client, educonnect, next_url="/accounts/sessions/")
    response = post_response(
        client, educonnect_idp.answer(location, educonnect_identity(join_key="7654321"))
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sessions/"
    assert session_person_id(client) == str(world.pupil.pk)
    [entry] = audit("saml.login")
    assert entry.subject_id == world.pupil.pk
    assert entry.actor_id == world.pupil.pk
    assert entry.target_id == str(educonnect.pk)
    assert entry.data["matched_on"] == "join_key"
    identity = FederatedIdentity.objects.get(person=world.pupil)
    assert identity.subject == "ec-1"  # FrEduCtId, the stable identifier
    assert UserSession.objects.filter(person=world.pupil).count() == 1
    assert FederatedSession.objects.get(person=world.pupil).name_id_value == "subject-1"


def test_educonnect_logs_the_guardian_in_and_later_by_identity(world, educonnect, educonnect_idp):
    world.guardian.external_id = "G-1001"
    world.guardian.save()
    identity = educonnect_identity(join_key="G-1001", affiliation="resp2d", fredu_ct_id="ec-p")
    client = Client(HTTP_HOST="testserver")
    post_response(client, educonnect_idp.answer(start_login(client, educonnect), identity))
    assert session_person_id(client) == str(world.guardian.pk)
    # The join key changes (new AAF load): the stored identity still opens the account.
    world.guardian.external_id = "G-2002"
    world.guardian.save()
    other = Client(HTTP_HOST="testserver")
    post_response(other, educonnect_idp.answer(start_login(other, educonnect), identity))
    assert session_person_id(other) == str(world.guardian.pk)
    assert [e.data["matched_on"] for e in audit("saml.login")] == ["join_key", "identity"]


def test_agents_idp_logs_the_teacher_in_by_academic_email(world, agents, agents_idp):
    world.teacher.email = "paul.durand@ac-lyon.fr"
    world.teacher.save()
    client = Client(HTTP_HOST="testserver")
    location = start_login(client, agents)
    response = post_response(
        client,
        agents_idp.answer(location, {"mail": ["Paul.Durand@ac-lyon.fr"]}, name_id="agent-7"),
    )
    assert response.status_code == 302
    assert session_person_id(client) == str(world.teacher.pk)
    [entry] = audit("saml.login")
    assert entry.subject_id == world.teacher.pk
    assert entry.data["matched_on"] == "email"


def test_ctemail_is_accepted_too(world, agents, agents_idp):
    world.teacher.email = "p.durand@ac-lyon.fr"
    world.teacher.save()
    client = Client(HTTP_HOST="testserver")
    post_response(
        client, agents_idp.answer(start_login(client, agents), {"ctemail": ["p.durand@ac-lyon.fr"]})
    )
    assert session_person_id(client) == str(world.teacher.pk)


def test_unmatched_identity_gets_a_clear_page_and_no_account(world, educonnect, educonnect_idp):
    people = Person.objects.count()
    client = Client(HTTP_HOST="testserver")
    response = post_response(
        client,
        educonnect_idp.answer(start_login(client, educonnect), educonnect_identity(join_key="404")),
    )
    assert response.status_code == 403
    assert b'id="saml-unmatched"' in response.content
    assert session_person_id(client) is None
    assert Person.objects.count() == people
    assert not FederatedIdentity.objects.exists()
    [entry] = audit("saml.unmatched")
    assert entry.tenant_id == world.tenant.pk
    assert entry.data["subject"] == "ec-1"


def test_unmatched_agent_is_told_to_contact_the_academie(world, agents, agents_idp):
    client = Client(HTTP_HOST="testserver")
    with_en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    location = start_login(client, agents)
    response = client.post(
        "/saml/acs/",
        {"SAMLResponse": agents_idp.answer(location, {"mail": ["nobody@ac-lyon.fr"]})},
        **with_en,
    )
    assert response.status_code == 403
    assert "Académie de Lyon" in response.content.decode()
    assert audit("saml.unmatched")


def test_an_agents_idp_never_opens_a_pupil_or_parent_account(world, agents, agents_idp):
    world.guardian.email = "sophie.martin@ac-lyon.fr"
    world.guardian.save()
    client = Client(HTTP_HOST="testserver")
    post_response(
        client,
        agents_idp.answer(start_login(client, agents), {"mail": ["sophie.martin@ac-lyon.fr"]}),
    )
    assert session_person_id(client) is None
    assert audit("saml.unmatched")


def test_two_people_sharing_the_email_match_nobody(world, agents, agents_idp):
    for person in (world.teacher, world.teacher_b):
        person.email = "shared@ac-lyon.fr"
        person.save()
    client = Client(HTTP_HOST="testserver")
    post_response(
        client, agents_idp.answer(start_login(client, agents), {"mail": ["shared@ac-lyon.fr"]})
    )
    assert session_person_id(client) is None
    assert audit("saml.unmatched")[0].data["ambiguous"] is True


def test_blocked_person_is_refused(world, educonnect, educonnect_idp):
    world.pupil.external_id = "7654321"
    world.pupil.is_blocked = True
    world.pupil.save()
    client = Client(HTTP_HOST="testserver")
    response = post_response(
        client,
        educonnect_idp.answer(
            start_login(client, educonnect), educonnect_identity(join_key="7654321")
        ),
    )
    assert response.status_code == 403
    assert b'data-reason="blocked"' in response.content
    assert session_person_id(client) is None
    [entry] = audit("saml.refused")
    assert entry.data["reason"] == "blocked"
    assert entry.subject_id == world.pupil.pk


# --- parents linking their account once ----------------------------------------------------------


def _parent_reaches_link_page(client: Client, educonnect: Any, idp: Any) -> Any:
    identity = educonnect_identity(affiliation="resp1d", fredu_ct_id="ec-parent")
    response = post_response(client, idp.answer(start_login(client, educonnect), identity))
    assert response.status_code == 302
    assert response["Location"] == "/saml/link/"
    return identity


def test_parent_links_their_account_with_the_right_password(world, educonnect, educonnect_idp):
    client = Client(HTTP_HOST="testserver")
    identity = _parent_reaches_link_page(client, educonnect, educonnect_idp)
    assert client.get("/saml/link/").status_code == 200
    response = client.post(
        "/saml/link/", {"identifier": world.guardian.login, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert session_person_id(client) == str(world.guardian.pk)
    link = FederatedIdentity.objects.get(provider=educonnect)
    assert (link.person_id, link.subject) == (world.guardian.pk, "ec-parent")
    assert audit("saml.linked")[0].subject_id == world.guardian.pk
    # Next time EduConnect opens the account directly.
    again = Client(HTTP_HOST="testserver")
    response = post_response(again, educonnect_idp.answer(start_login(again, educonnect), identity))
    assert response.status_code == 302
    assert session_person_id(again) == str(world.guardian.pk)


def test_parent_with_a_wrong_password_is_not_linked(world, educonnect, educonnect_idp):
    client = Client(HTTP_HOST="testserver")
    _parent_reaches_link_page(client, educonnect, educonnect_idp)
    response = client.post("/saml/link/", {"identifier": world.guardian.login, "password": "nope"})
    assert response.status_code == 200
    assert b'name="identifier"' in response.content
    assert world.guardian.login.encode() in response.content  # what was typed is kept
    assert session_person_id(client) is None
    assert not FederatedIdentity.objects.exists()


def test_a_pupil_account_cannot_be_linked_as_a_parent(world, educonnect, educonnect_idp):
    client = Client(HTTP_HOST="testserver")
    _parent_reaches_link_page(client, educonnect, educonnect_idp)
    client.post("/saml/link/", {"identifier": world.pupil.login, "password": TEST_PASSWORD})
    assert session_person_id(client) is None
    assert not FederatedIdentity.objects.exists()


def test_link_page_without_an_educonnect_login_explains_it_expired(world):
    assert Client(HTTP_HOST="testserver").get("/saml/link/").status_code == 410
