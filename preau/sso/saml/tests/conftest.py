"""Fixtures of the federation tests: Préau's SP keys, test identity providers registered
for the world tenant, and helpers to run a login through them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from preau.core.actor import Actor
from preau.directory.models import Authority
from preau.sso.saml import actions
from preau.sso.saml.models import IdentityProvider
from preau.sso.saml.tests.idp import TestIdP, key_pair

EDUCONNECT_ID = "https://educonnect.test/idp"
AGENTS_ID = "https://agents.ac-lyon.test/idp"


@pytest.fixture(autouse=True)
def _sp_keys(settings: Any) -> None:
    """Préau's SP pair for the tests: generated in a temporary folder, not in var/."""
    settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = key_pair("sp")


@pytest.fixture
def sp_metadata(world: Any) -> str:
    response = Client(HTTP_HOST="testserver").get("/saml/metadata/")
    assert response.status_code == 200
    return response.content.decode()


def operator_actor(world: Any) -> Actor:
    return Actor(person=world.operator, tenant=world.tenant)


def register(world: Any, idp: TestIdP, **fields: Any) -> IdentityProvider:
    return actions.create_identity_provider(
        actor=operator_actor(world), metadata_xml=idp.metadata(), is_enabled=True, **fields
    )


@pytest.fixture
def educonnect_idp(sp_metadata: str) -> TestIdP:
    return TestIdP(entity_id=EDUCONNECT_ID, sp_metadata=sp_metadata, key_name="educonnect")


@pytest.fixture
def educonnect(world: Any, educonnect_idp: TestIdP) -> IdentityProvider:
    return register(
        world,
        educonnect_idp,
        name="EduConnect",
        kind=IdentityProvider.Kind.EDUCONNECT,
        label="Se connecter avec EduConnect",
        position=1,
    )


@pytest.fixture
def academie(world: Any) -> Authority:
    return Authority.objects.create(
        tenant=world.tenant, name="Académie de Lyon", kind=Authority.Kind.ACADEMIE, code="10"
    )


@pytest.fixture
def agents_idp(sp_metadata: str) -> TestIdP:
    return TestIdP(entity_id=AGENTS_ID, sp_metadata=sp_metadata, key_name="agents")


@pytest.fixture
def agents(world: Any, agents_idp: TestIdP, academie: Authority) -> IdentityProvider:
    return register(
        world,
        agents_idp,
        name="Agents de Lyon",
        kind=IdentityProvider.Kind.AGENTS,
        label="Personnel de l'académie de Lyon",
        academie=academie,
        position=2,
    )


def start_login(client: Client, provider: IdentityProvider, next_url: str = "") -> str:
    """Follow Préau's login button: the address of the AuthnRequest sent to the IdP."""
    url = f"/saml/login/{provider.pk}/" + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302, response
    return str(response["Location"])


def post_response(client: Client, encoded: str) -> Any:
    return client.post("/saml/acs/", {"SAMLResponse": encoded})


def session_person_id(client: Client) -> Any:
    return client.session.get("_auth_user_id")


def educonnect_identity(
    *, join_key: str = "", affiliation: str = "eleve2d", fredu_ct_id: str = "ec-1"
) -> dict[str, list[str]]:
    ec = "urn:oid:1.3.6.1.4.1.20326.10.999.1."
    identity = {
        ec + "7": [affiliation],
        ec + "57": [fredu_ct_id],
        ec + "67": ["2012-05-04"],
        ec + "72": ["0691234A"],
        "sn": ["Martin"],
        "givenName": ["Léa"],
    }
    if join_key:
        identity["FrEduCtRefId"] = [f"{{AAF}}10|0691234A|{join_key}"]
    return identity
