"""A test identity provider: pysaml2's `Server` with its own key, answering Préau's requests.

Keys are generated at test time (never committed). `TestIdP.answer()` builds a signed
response to an AuthnRequest; the tests then tamper with it to check each refusal.
"""

from __future__ import annotations

import base64
import functools
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.request import AuthnRequest
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

from preau.sso.saml.keys import generate_key_pair

XMLSEC = "/usr/bin/xmlsec1"
EC = "urn:oid:1.3.6.1.4.1.20326.10.999.1."


@functools.cache
def key_pair(name: str) -> tuple[str, str]:
    """Files of a key and self-signed certificate, generated once per test run and name."""
    folder = Path(tempfile.mkdtemp(prefix=f"preau-saml-{name}-"))
    key_pem, cert_pem = generate_key_pair(name, years=1, bits=2048)
    (folder / "key.pem").write_bytes(key_pem)
    (folder / "cert.pem").write_bytes(cert_pem)
    return str(folder / "key.pem"), str(folder / "cert.pem")


class TestIdP:
    """One identity provider; `sp_metadata` is Préau's metadata for the tenant's host."""

    __test__ = False  # not a test class for pytest

    def __init__(
        self,
        *,
        entity_id: str,
        sp_metadata: str,
        key_name: str = "idp",
        lifetime_minutes: int = 5,
    ) -> None:
        self.entity_id = entity_id
        self.key_file, self.cert_file = key_pair(key_name)
        base = entity_id.rstrip("/")
        self.sso_url = base + "/sso"
        self.slo_url = base + "/slo"
        self.config = IdPConfig()
        self.config.load(
            {
                "entityid": entity_id,
                "xmlsec_binary": XMLSEC,
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(self.slo_url, BINDING_HTTP_REDIRECT)],
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": lifetime_minutes},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "want_authn_requests_signed": True,
                    }
                },
                "metadata": {"inline": [sp_metadata]},
            }
        )
        self.server = Server(config=self.config)

    def metadata(self) -> str:
        return str(entity_descriptor(self.config).to_string().decode("utf-8"))

    def read_authn_request(self, location: str) -> Any:
        """The AuthnRequest Préau redirected to (its signature checked by pysaml2)."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        return self.server._parse_request(
            query["SAMLRequest"],
            AuthnRequest,
            "single_sign_on_service",
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )

    def answer(
        self,
        request_location: str,
        identity: dict[str, list[str]],
        *,
        name_id: str = "subject-1",
        sign_assertion: bool = True,
        sp_entity_id: str | None = None,
        in_response_to: str | None = None,
    ) -> str:
        """A base64 SAMLResponse answering the AuthnRequest at `request_location`."""
        req = self.read_authn_request(request_location)
        message = req.message
        destination = message.assertion_consumer_service_url
        response = self.server.create_authn_response(
            identity,
            in_response_to=in_response_to or message.id,
            destination=destination,
            sp_entity_id=sp_entity_id or message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_assertion=sign_assertion,
            sign_response=False,
            session_not_on_or_after=None,
        )
        return base64.b64encode(str(response).encode("utf-8")).decode("ascii")

    def logout_request(self, *, name_id: str, sls_url: str, sp_entity_id: str) -> dict[str, str]:
        """Query parameters of a signed IdP-initiated LogoutRequest (HTTP-Redirect)."""
        _id, request = self.server.create_logout_request(
            sls_url,
            self.entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
            sign=False,
        )
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), sls_url, relay_state="", sign=True
        )
        location = dict(info["headers"])["Location"]
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    def read_logout_request(self, location: str) -> Any:
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        return self.server.parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )


def decode(encoded: str) -> str:
    return base64.b64decode(encoded).decode("utf-8")


def encode(xml: str) -> str:
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")


__all__ = ["BINDING_HTTP_POST", "EC", "TestIdP", "decode", "encode", "key_pair"]
