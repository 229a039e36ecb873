"""Answers Préau must refuse: each one leaves nobody logged in, a clear page and an audit entry."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from preau.core.actor import Actor
from preau.core.models import AuditEntry
from preau.sso.saml import actions, sp
from preau.sso.saml.models import IdentityProvider
from preau.sso.saml.tests.conftest import (
    EDUCONNECT_ID,
    educonnect_identity,
    post_response,
    session_person_id,
    start_login,
)
from preau.sso.saml.tests.idp import TestIdP, decode, encode

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil_key(world: Any) -> dict[str, list[str]]:
    world.pupil.external_id = "7654321"
    world.pupil.save()
    world.teacher.external_id = "EVIL-1"
    world.teacher.save()
    return educonnect_identity(join_key="7654321")


def refused(response: Any, client: Client, reason: str) -> None:
    assert response.status_code == 403
    assert b'id="saml-refused"' in response.content
    assert f'data-reason="{reason}"'.encode() in response.content, response.content[-600:]
    assert session_person_id(client) is None
    entry = AuditEntry.objects.filter(action="saml.refused").latest("pk")
    assert entry.data["reason"] == reason
    assert not AuditEntry.objects.filter(action="saml.login").exists()


def test_unsigned_assertion_is_refused(world, educonnect, educonnect_idp, pupil_key):
    client = Client(HTTP_HOST="testserver")
    location = start_login(client, educonnect)
    encoded = educonnect_idp.answer(location, pupil_key, sign_assertion=False)
    refused(post_response(client, encoded), client, "unsigned")


def test_assertion_signed_with_another_key_is_refused(world, educonnect, sp_metadata, pupil_key):
    impostor = TestIdP(entity_id=EDUCONNECT_ID, sp_metadata=sp_metadata, key_name="impostor")
    client = Client(HTTP_HOST="testserver")
    encoded = impostor.answer(start_login(client, educonnect), pupil_key)
    refused(post_response(client, encoded), client, "signature")


def test_wrong_audience_is_refused(world, educonnect, educonnect_idp, pupil_key):
    client = Client(HTTP_HOST="testserver")
    encoded = educonnect_idp.answer(
        start_login(client, educonnect), pupil_key, sp_entity_id="https://another-sp.test/"
    )
    refused(post_response(client, encoded), client, "audience")


def test_expired_assertion_is_refused(world, educonnect, sp_metadata, pupil_key):
    stale = TestIdP(
        entity_id=EDUCONNECT_ID,
        sp_metadata=sp_metadata,
        key_name="educonnect",
        lifetime_minutes=-10,
    )
    client = Client(HTTP_HOST="testserver")
    encoded = stale.answer(start_login(client, educonnect), pupil_key)
    refused(post_response(client, encoded), client, "expired")


def test_replayed_assertion_is_refused(world, educonnect, educonnect_idp, pupil_key):
    first = Client(HTTP_HOST="testserver")
    encoded = educonnect_idp.answer(start_login(first, educonnect), pupil_key)
    pending_cookie = first.cookies["preau_saml"].value
    assert post_response(first, encoded).status_code == 302
    assert session_person_id(first) == str(world.pupil.pk)
    # The same answer again in the same browser: its request is no longer pending.
    again = post_response(first, encoded)
    assert again.status_code == 403
    # An attacker who also copied the pending cookie: the assertion id was consumed.
    thief = Client(HTTP_HOST="testserver")
    thief.cookies["preau_saml"] = pending_cookie
    response = post_response(thief, encoded)
    assert response.status_code == 403
    assert b'data-reason="replay"' in response.content
    assert session_person_id(thief) is None


def test_unsolicited_response_is_refused(world, educonnect, educonnect_idp, pupil_key):
    client = Client(HTTP_HOST="testserver")
    encoded = educonnect_idp.answer(start_login(client, educonnect), pupil_key)
    refused(post_response(Client(HTTP_HOST="testserver"), encoded), Client(), "unsolicited")


def test_garbage_is_refused_without_error(world, educonnect):
    client = Client(HTTP_HOST="testserver")
    start_login(client, educonnect)
    for body in ("", "%%%not-base64", encode("<not-xml"), encode("<a/>")):
        response = post_response(client, body)
        assert response.status_code == 403
    assert session_person_id(client) is None


# --- signature wrapping --------------------------------------------------------------------------


def _assertion_parts(xml: str) -> tuple[str, str, str]:
    """(before, the signed assertion, after) of a Response's XML."""
    match = re.search(r"<(\w+:)?Assertion\b.*</(\w+:)?Assertion>", xml, re.S)
    assert match
    return xml[: match.start()], match.group(0), xml[match.end() :]


def _evil_copy(signed: str, *, keep_id: bool) -> str:
    """The signed assertion, unsigned, speaking for the teacher (join key EVIL-1)."""
    evil = re.sub(r"<(\w+:)?Signature\b.*?</(\w+:)?Signature>", "", signed, flags=re.S)
    evil = evil.replace("7654321", "EVIL-1")
    if not keep_id:
        evil = re.sub(r'\bID="([^"]+)"', r'ID="evil-\1"', evil, count=1)
    return evil


@pytest.mark.parametrize("variant", ["moved_into_evil", "evil_first", "evil_after"])
def test_signature_wrapping_is_refused(world, educonnect, educonnect_idp, pupil_key, variant):
    client = Client(HTTP_HOST="testserver")
    xml = decode(educonnect_idp.answer(start_login(client, educonnect), pupil_key))
    before, signed, after = _assertion_parts(xml)
    if variant == "moved_into_evil":
        # The evil assertion keeps the signed one's ID and hides it inside its Advice.
        evil = _evil_copy(signed, keep_id=True)
        head, close = evil.rsplit("</", 1)
        prefix = re.match(r"<(\w+:)?", evil).group(1) or ""  # type: ignore[union-attr]
        wrapped = f"{head}<{prefix}Advice>{signed}</{prefix}Advice></{close}"
        tampered = before + wrapped + after
    elif variant == "evil_first":
        tampered = before + _evil_copy(signed, keep_id=False) + signed + after
    else:
        tampered = before + signed + _evil_copy(signed, keep_id=False) + after
    response = post_response(client, encode(tampered))
    refused(response, client, "wrapping")
    assert session_person_id(client) is None


@pytest.mark.parametrize("variant", ["moved_into_evil", "evil_first"])
def test_pysaml2_alone_also_refuses_wrapping(
    world, educonnect, educonnect_idp, pupil_key, variant, monkeypatch
):
    """Defence in depth: with Préau's own check switched off, pysaml2 + xmlsec1 still refuse
    (nobody is logged in, in particular not the teacher)."""
    monkeypatch.setattr(sp, "check_no_wrapping", lambda xml: None)
    client = Client(HTTP_HOST="testserver")
    xml = decode(educonnect_idp.answer(start_login(client, educonnect), pupil_key))
    before, signed, after = _assertion_parts(xml)
    if variant == "moved_into_evil":
        evil = _evil_copy(signed, keep_id=True)
        head, close = evil.rsplit("</", 1)
        prefix = re.match(r"<(\w+:)?", evil).group(1) or ""  # type: ignore[union-attr]
        tampered = before + f"{head}<{prefix}Advice>{signed}</{prefix}Advice></{close}" + after
    else:
        tampered = before + _evil_copy(signed, keep_id=False) + signed + after
    response = post_response(client, encode(tampered))
    assert response.status_code == 403
    assert session_person_id(client) is None


# --- tenants -------------------------------------------------------------------------------------


@pytest.fixture
def foreign_idp(world: Any) -> tuple[TestIdP, IdentityProvider]:
    metadata = Client(HTTP_HOST="other.test").get("/saml/metadata/").content.decode()
    idp = TestIdP(entity_id="https://idp.autre.test/idp", sp_metadata=metadata, key_name="foreign")
    foreign_operator = world.foreign_admin
    foreign_operator.is_operator = True
    foreign_operator.save()
    provider = actions.create_identity_provider(
        actor=Actor(person=foreign_operator, tenant=world.other_tenant),
        name="IdP étranger",
        kind=IdentityProvider.Kind.OTHER,
        label="Autre",
        metadata_xml=idp.metadata(),
        is_enabled=True,
    )
    world.foreign_pupil.email = "emma@autre.test"
    world.foreign_pupil.save()
    return idp, provider


def test_other_tenants_idp_cannot_log_in_on_this_host(world, educonnect, foreign_idp):
    idp, provider = foreign_idp
    foreign = Client(HTTP_HOST="other.test")
    encoded = idp.answer(start_login(foreign, provider), {"mail": ["emma@autre.test"]})
    # Posted to this tenant's host, with the pending cookie of the other tenant's login.
    here = Client(HTTP_HOST="testserver")
    here.cookies["preau_saml"] = foreign.cookies["preau_saml"].value
    response = post_response(here, encoded)
    assert response.status_code == 403
    assert b'data-reason="unsolicited"' in response.content
    assert session_person_id(here) is None


def test_other_tenants_idp_answering_our_request_is_refused(world, educonnect, foreign_idp):
    idp, _provider = foreign_idp
    world.pupil.email = "emma@autre.test"
    world.pupil.save()
    client = Client(HTTP_HOST="testserver")
    location = start_login(client, educonnect)
    # The foreign IdP answers our AuthnRequest (it cannot read our metadata's ACS otherwise).
    request_id = re.search(r'ID="([^"]+)"', educonnect_request_xml(location)).group(1)  # type: ignore[union-attr]
    foreign_location = start_login(Client(HTTP_HOST="other.test"), _provider)
    encoded = idp.answer(foreign_location, {"mail": ["emma@autre.test"]}, in_response_to=request_id)
    xml = decode(encoded).replace("http://other.test/", "http://testserver/")
    response = post_response(client, encode(xml))
    assert response.status_code == 403
    assert session_person_id(client) is None


def educonnect_request_xml(location: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.entity import Entity

    query = parse_qs(urlsplit(location).query)
    xml = Entity.unravel(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
    return xml.decode() if isinstance(xml, bytes) else xml
