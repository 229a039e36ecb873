"""Single logout, both ways."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from saml2 import BINDING_HTTP_REDIRECT

from preau.accounts.models import UserSession
from preau.core.models import AuditEntry
from preau.sso.saml.models import FederatedSession
from preau.sso.saml.tests.conftest import (
    educonnect_identity,
    post_response,
    session_person_id,
    start_login,
)

pytestmark = pytest.mark.django_db

SP_ID = "http://testserver/saml/metadata/"
SLS = "http://testserver/saml/sls/"


@pytest.fixture
def logged_in(world: Any, educonnect: Any, educonnect_idp: Any) -> Client:
    world.pupil.external_id = "7654321"
    world.pupil.save()
    client = Client(HTTP_HOST="testserver")
    location = start_login(client, educonnect)
    post_response(client, educonnect_idp.answer(location, educonnect_identity(join_key="7654321")))
    assert session_person_id(client) == str(world.pupil.pk)
    return client


def test_idp_initiated_logout_ends_the_session_and_answers(world, logged_in, educonnect_idp):
    query = educonnect_idp.logout_request(name_id="subject-1", sls_url=SLS, sp_entity_id=SP_ID)
    response = logged_in.get("/saml/sls/", query)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(educonnect_idp.slo_url + "?")
    assert "SAMLResponse=" in location
    assert "Signature=" in location
    answer = parse_qs(urlsplit(location).query)["SAMLResponse"][0]
    parsed = educonnect_idp.server.parse_logout_request_response(answer, BINDING_HTTP_REDIRECT)
    assert parsed.response.status.status_code.value.endswith(":Success")
    assert session_person_id(logged_in) is None
    assert not UserSession.objects.filter(person=world.pupil).exists()
    assert not FederatedSession.objects.exists()
    entry = AuditEntry.objects.get(action="saml.logout")
    assert (entry.subject_id, entry.data["initiated_by"]) == (world.pupil.pk, "idp")


def test_idp_logout_ends_the_session_even_without_the_browser_cookie(
    world, logged_in, educonnect_idp
):
    query = educonnect_idp.logout_request(name_id="subject-1", sls_url=SLS, sp_entity_id=SP_ID)
    Client(HTTP_HOST="testserver").get("/saml/sls/", query)
    assert session_person_id(logged_in) is None  # the pupil's session is gone from the store
    assert logged_in.get("/accounts/sessions/").status_code == 302


def test_unsigned_logout_request_is_refused(world, logged_in, educonnect_idp):
    query = educonnect_idp.logout_request(name_id="subject-1", sls_url=SLS, sp_entity_id=SP_ID)
    del query["Signature"]
    response = logged_in.get("/saml/sls/", query)
    assert response.status_code == 403
    assert session_person_id(logged_in) == str(world.pupil.pk)


def test_logout_request_signed_by_another_key_is_refused(world, logged_in, sp_metadata):
    from preau.sso.saml.tests.conftest import EDUCONNECT_ID
    from preau.sso.saml.tests.idp import TestIdP

    impostor = TestIdP(entity_id=EDUCONNECT_ID, sp_metadata=sp_metadata, key_name="impostor")
    query = impostor.logout_request(name_id="subject-1", sls_url=SLS, sp_entity_id=SP_ID)
    assert logged_in.get("/saml/sls/", query).status_code == 403
    assert session_person_id(logged_in) == str(world.pupil.pk)


def test_sp_initiated_logout_sends_a_logout_request(world, logged_in, educonnect_idp):
    response = logged_in.post("/accounts/logout/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(educonnect_idp.slo_url + "?")
    request = educonnect_idp.read_logout_request(location)
    assert request.message.name_id.text == "subject-1"
    assert request.message.issuer.text == SP_ID
    assert session_person_id(logged_in) is None
    entry = AuditEntry.objects.get(action="saml.logout")
    assert entry.data["initiated_by"] == "sp"
    # The IdP answers; Préau lands on its login page.
    answer = educonnect_idp.server.create_logout_response(
        request.message, [BINDING_HTTP_REDIRECT], sign=False
    )
    info = educonnect_idp.server.apply_binding(
        BINDING_HTTP_REDIRECT, str(answer), SLS, response=True, sign=True
    )
    back = dict(info["headers"])["Location"]
    final = logged_in.get("/saml/sls/?" + urlsplit(back).query)
    assert final.status_code == 302
    assert final["Location"] == "/accounts/login/"


def test_password_session_logout_is_unchanged(world, client_for):
    client = client_for(world.pupil)
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert not AuditEntry.objects.filter(action="saml.logout").exists()
