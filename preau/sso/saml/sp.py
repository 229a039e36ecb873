"""The SAML2 protocol side of the service provider, over pysaml2 and xmlsec1.

Everything here reads or builds messages; it writes nothing. A response that fails any check
raises `Refused` with a short machine reason (audited) and a sentence for the person.

Checks on an authentication response (docs/saml.md, "Security checks"):
- it answers an AuthnRequest this browser session sent (InResponseTo), to this provider;
- only that provider's metadata is loaded, so only its signing certificate is trusted
  (`only_use_keys_in_metadata`); the assertion must be signed (`want_assertions_signed`);
- audience, recipient, destination, NotBefore / NotOnOrAfter (with `SAML_CLOCK_SKEW_SECONDS`)
  are checked by pysaml2;
- signature wrapping: the raw document holds exactly one assertion, no two elements share an
  ID, and the assertion used carries the signature whose reference is its own ID;
- the issuer is the provider; the assertion id is consumed once (replay store, actions.py).
"""

from __future__ import annotations

import base64
import binascii
import calendar
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from saml2 import (
    BINDING_HTTP_POST,
    BINDING_HTTP_REDIRECT,
    saml,
)
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import StatusError, UnsolicitedResponse
from saml2.s_utils import UnravelError
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT
from saml2.sigver import (
    SignatureError,
    verify_redirect_signature,
)
from saml2.time_util import str_to_time
from saml2.validate import ResponseLifetimeExceed, ToEarly
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from preau.core.http import PreauRequest
from preau.sso.saml.keys import sp_key_files
from preau.sso.saml.models import IdentityProvider

logger = logging.getLogger(__name__)

SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
MAX_MESSAGE_BYTES = 512 * 1024


class Refused(Exception):  # noqa: N818 - a refusal, not a programming error
    """A message Préau will not act on: `reason` is audited, `message` is shown."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message or _(
            "The identity provider's answer could not be accepted. Try logging in again; "
            "if it keeps failing, use your Préau login name and password."
        )


@dataclass(frozen=True)
class MetadataInfo:
    entity_id: str
    has_signing_cert: bool
    has_redirect_sso: bool


@dataclass
class LoginResult:
    """What a verified assertion says about the person."""

    provider: IdentityProvider
    assertion_id: str
    not_on_or_after: float  # epoch seconds (0 when the assertion sets none)
    name_id: Any
    session_index: str
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def first(self, *names: str) -> str:
        for name in names:
            for value in self.attributes.get(name, []):
                if value and value.strip():
                    return value.strip()
        return ""

    def all(self, *names: str) -> list[str]:
        return [v.strip() for n in names for v in self.attributes.get(n, []) if v and v.strip()]


# --- configuration -------------------------------------------------------------------------------


def sp_base_url(request: PreauRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def sp_entity_id(request: PreauRequest) -> str:
    return sp_base_url(request) + reverse("saml:metadata")


def _config(request: PreauRequest, providers: Iterable[IdentityProvider]) -> SPConfig:
    base = sp_base_url(request)
    key_file, cert_file = sp_key_files()
    acs = base + reverse("saml:acs")
    sls = base + reverse("saml:sls")
    conf: dict[str, Any] = {
        "entityid": sp_entity_id(request),
        "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
        "key_file": key_file,
        "cert_file": cert_file,
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        "allow_unknown_attributes": True,
        "accepted_time_diff": settings.SAML_CLOCK_SKEW_SECONDS,
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "service": {
            "sp": {
                "name": str(request.tenant.name),
                "endpoints": {
                    "assertion_consumer_service": [(acs, BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (sls, BINDING_HTTP_REDIRECT),
                        (sls, BINDING_HTTP_POST),
                    ],
                },
                "want_assertions_signed": True,
                "want_response_signed": False,
                "want_assertions_or_response_signed": False,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "allow_unsolicited": False,
                "only_use_keys_in_metadata": True,
                "name_id_format": [NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT],
                "name_id_format_allow_create": True,
            }
        },
        "metadata": {"inline": [p.metadata_xml for p in providers]},
    }
    config = SPConfig()
    config.load(conf)
    return config


def client_for(request: PreauRequest, provider: IdentityProvider | None) -> Saml2Client:
    """A pysaml2 client trusting `provider` alone (or nobody, to publish our metadata)."""
    return Saml2Client(config=_config(request, [provider] if provider else []))


def sp_metadata(request: PreauRequest) -> str:
    """Our SP metadata: entity id, ACS and SLS endpoints, signing and encryption certificate."""
    descriptor = entity_descriptor(_config(request, []))
    return str(descriptor.to_string().decode("utf-8"))


def read_metadata(xml: str) -> MetadataInfo:
    """Parse an identity provider's metadata; ValueError with a sentence if it is unusable."""
    if not xml.strip():
        raise ValueError(_("Paste or upload the provider's metadata XML."))
    try:
        SafeET.fromstring(xml.encode("utf-8"))
    except Exception as exc:
        raise ValueError(
            _("This is not well-formed XML: %(error)s.") % {"error": str(exc)[:200]}
        ) from exc
    conf = SPConfig()
    conf.load(
        {"entityid": "urn:preau:metadata-check", "xmlsec_binary": settings.SAML_XMLSEC_BINARY}
    )
    try:
        metadata = conf.load_metadata({"inline": [xml]})
    except Exception as exc:
        raise ValueError(
            _("This XML is not SAML2 metadata: %(error)s.") % {"error": str(exc)[:200]}
        ) from exc
    idps = list(metadata.identity_providers())
    if len(idps) != 1:
        raise ValueError(
            _("The metadata must describe exactly one identity provider (it describes %(n)d).")
            % {"n": len(idps)}
        )
    entity_id = idps[0]
    certs = metadata.certs(entity_id, "idpsso", "signing")
    sso = metadata.service(entity_id, "idpsso_descriptor", "single_sign_on_service")
    return MetadataInfo(
        entity_id=str(entity_id),
        has_signing_cert=bool(certs),
        has_redirect_sso=bool(sso and BINDING_HTTP_REDIRECT in sso),
    )


# --- logging in ----------------------------------------------------------------------------------


def authn_request(
    request: PreauRequest, provider: IdentityProvider, *, relay_state: str
) -> tuple[str, str]:
    """(request id, address to redirect to) for a signed AuthnRequest over HTTP-Redirect."""
    client = client_for(request, provider)
    request_id, info = client.prepare_for_authenticate(
        entityid=provider.entity_id,
        relay_state=relay_state,
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    location = dict(info["headers"])["Location"]
    return str(request_id), str(location)


def decode_post_message(encoded: str) -> bytes:
    """The XML of an HTTP-POST message, or Refused."""
    if not encoded or len(encoded) > MAX_MESSAGE_BYTES:
        raise Refused("malformed")
    try:
        return base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise Refused("malformed") from exc


def peek_in_response_to(xml: bytes) -> tuple[str, str]:
    """(InResponseTo, Issuer) of a Response, read before anything is trusted."""
    try:
        root = SafeET.fromstring(xml)
    except Exception as exc:
        raise Refused("malformed") from exc
    if root.tag != f"{{{SAMLP_NS}}}Response":
        raise Refused("malformed")
    issuer = root.find(f"{{{SAML_NS}}}Issuer")
    return root.get("InResponseTo", ""), (issuer.text or "").strip() if issuer is not None else ""


def check_no_wrapping(xml: bytes) -> None:
    """Refuse documents shaped for signature wrapping, whatever the verifier would say."""
    root = SafeET.fromstring(xml)
    assertions = [
        el
        for el in root.iter()
        if el.tag in (f"{{{SAML_NS}}}Assertion", f"{{{SAML_NS}}}EncryptedAssertion")
    ]
    if len(assertions) != 1:
        raise Refused("wrapping")
    ids = [el.get("ID") for el in root.iter() if el.get("ID")]
    if len(ids) != len(set(ids)):
        raise Refused("wrapping")
    assertion = assertions[0]
    if assertion.tag == f"{{{SAML_NS}}}Assertion":
        if assertion not in list(root):
            raise Refused("wrapping")  # the assertion must be a child of the Response itself
        _require_own_signature(assertion)


def check_times(xml: bytes, *, skew: int) -> None:
    """Name the refusal of an answer outside its validity window (pysaml2 checks it too, but
    reports every failed condition alike). Refusing on unverified values is always safe."""
    root = SafeET.fromstring(xml)
    now = time.time()
    for element in root.iter():
        if element.tag not in (
            f"{{{SAML_NS}}}Conditions",
            f"{{{SAML_NS}}}SubjectConfirmationData",
        ):
            continue
        after, before = element.get("NotOnOrAfter"), element.get("NotBefore")
        try:
            if after and calendar.timegm(str_to_time(after)) + skew <= now:
                raise Refused(
                    "expired",
                    _("This login answer has expired. Start logging in again."),
                )
            if before and calendar.timegm(str_to_time(before)) - skew > now:
                raise Refused("not_yet_valid")
        except (ValueError, TypeError) as exc:
            raise Refused("malformed") from exc


def _require_own_signature(assertion: Any) -> None:
    signature = assertion.find(f"{{{DSIG_NS}}}Signature")
    if signature is None:
        raise Refused("unsigned")
    references = signature.findall(f"{{{DSIG_NS}}}SignedInfo/{{{DSIG_NS}}}Reference")
    if len(references) != 1 or references[0].get("URI") != "#" + (assertion.get("ID") or "?"):
        raise Refused("wrapping")


_REASONS_BY_TYPE: tuple[tuple[type[Exception], str], ...] = (
    (ResponseLifetimeExceed, "expired"),
    (ToEarly, "not_yet_valid"),
    (SignatureError, "signature"),
    (StatusError, "status"),
    (UnsolicitedResponse, "unsolicited"),
)
_REASONS_BY_TEXT = (
    ("audiencerestriction", "audience"),
    ("recipient", "recipient"),
    ("destined", "recipient"),
    ("signature", "signature"),
    ("signed", "signature"),
)


def _reason_for(exc: Exception) -> str:
    """A short audit reason for what pysaml2 raised."""
    for cls, reason in _REASONS_BY_TYPE:
        if isinstance(exc, cls):
            return reason
    text = f"{type(exc).__name__} {exc}".lower()
    return next((reason for word, reason in _REASONS_BY_TEXT if word in text), "invalid")


def read_authn_response(
    request: PreauRequest,
    provider: IdentityProvider,
    *,
    encoded: str,
    xml: bytes,
    request_id: str,
) -> LoginResult:
    """Verify an authentication response to our `request_id`; Refused on any failure."""
    check_no_wrapping(xml)
    check_times(xml, skew=settings.SAML_CLOCK_SKEW_SECONDS)
    client = client_for(request, provider)
    try:
        response = client.parse_authn_request_response(
            encoded, BINDING_HTTP_POST, outstanding={request_id: "/"}
        )
    except UnravelError as exc:
        raise Refused("malformed") from exc
    except StatusError as exc:
        raise Refused(
            "status",
            _("The identity provider did not authenticate you. You can try again."),
        ) from exc
    except Exception as exc:
        reason = _reason_for(exc)
        logger.info("SAML response refused (%s): %s", reason, exc)
        raise Refused(reason) from exc
    if response is None or response.assertion is None:
        raise Refused("invalid")
    assertion = response.assertion
    if not getattr(assertion, "signature", None):
        raise Refused("unsigned")  # belt and braces: pysaml2 requires it already
    issuer = (assertion.issuer.text or "").strip() if assertion.issuer is not None else ""
    if issuer != provider.entity_id:
        raise Refused("issuer")
    if response.in_response_to != request_id:
        raise Refused("unsolicited")
    session_index = ""
    for statement in assertion.authn_statement or []:
        session_index = statement.session_index or session_index
    return LoginResult(
        provider=provider,
        assertion_id=str(assertion.id),
        not_on_or_after=float(response.not_on_or_after or 0),
        name_id=response.name_id,
        session_index=session_index or "",
        attributes=_attributes(assertion),
    )


def _attributes(assertion: Any) -> dict[str, list[str]]:
    """Attribute values by name and by friendly name, exactly as the IdP sent them."""
    found: dict[str, list[str]] = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            values = [str(v.text).strip() for v in attribute.attribute_value or [] if v.text]
            for key in {attribute.name, attribute.friendly_name} - {None, ""}:
                found.setdefault(str(key), []).extend(values)
    return found


def name_id_value(name_id: Any) -> str:
    return str(getattr(name_id, "text", "") or "").strip()


def name_id_xml(name_id: Any) -> str:
    return str(name_id.to_string().decode("utf-8")) if name_id is not None else ""


# --- single logout -------------------------------------------------------------------------------


def logout_request_redirect(
    request: PreauRequest,
    provider: IdentityProvider,
    *,
    name_id_xml_text: str,
    session_index: str,
) -> tuple[str, str] | None:
    """(request id, address) of a signed LogoutRequest to the provider, or None if it offers
    no single logout over HTTP-Redirect."""
    client = client_for(request, provider)
    try:
        destinations = client.metadata.single_logout_service(
            provider.entity_id, BINDING_HTTP_REDIRECT, "idpsso"
        )
    except Exception:
        return None
    if not destinations:
        return None
    destination = destinations[0]["location"]
    name_id = saml.name_id_from_string(name_id_xml_text)
    request_id, logout_request = client.create_logout_request(
        destination,
        provider.entity_id,
        name_id=name_id,
        session_indexes=[session_index] if session_index else None,
        sign=False,
    )
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(logout_request),
        destination,
        relay_state="",
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return str(request_id), str(dict(info["headers"])["Location"])


@dataclass(frozen=True)
class IncomingLogout:
    message: Any  # the verified samlp.LogoutRequest
    name_id_value: str
    session_indexes: tuple[str, ...]


def issuer_of_message(encoded: str, binding: str) -> str:
    """The Issuer of a SAML message before it is trusted (to pick the provider's metadata)."""
    client = Saml2Client(config=_bare_config())
    try:
        xml = client.unravel(encoded, binding, "SAMLRequest")
        root = SafeET.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
    except Exception as exc:
        raise Refused("malformed") from exc
    issuer = root.find(f"{{{SAML_NS}}}Issuer")
    return (issuer.text or "").strip() if issuer is not None else ""


def _bare_config() -> SPConfig:
    config = SPConfig()
    config.load({"entityid": "urn:preau:unravel", "xmlsec_binary": settings.SAML_XMLSEC_BINARY})
    return config


def read_logout_request(
    request: PreauRequest,
    provider: IdentityProvider,
    *,
    encoded: str,
    binding: str,
    relay_state: str | None,
    sigalg: str | None,
    signature: str | None,
) -> IncomingLogout:
    """A LogoutRequest from `provider`, signed (in the query or in the XML), or Refused."""
    client = client_for(request, provider)
    try:
        parsed = client.parse_logout_request(
            encoded, binding, relay_state=relay_state, sigalg=sigalg, signature=signature
        )
    except Exception as exc:
        raise Refused(_reason_for(exc)) from exc
    message = parsed.message if parsed is not None else None
    if message is None:
        raise Refused("invalid")
    if binding == BINDING_HTTP_REDIRECT:
        if not (sigalg and signature):
            raise Refused("unsigned")
        signed = {"SAMLRequest": encoded, "SigAlg": sigalg, "Signature": signature}
        if relay_state is not None:
            signed["RelayState"] = relay_state
        certs = client.metadata.certs(provider.entity_id, "idpsso", "signing")
        try:
            ok = any(
                verify_redirect_signature(signed, client.sec.sec_backend, c) for _n, c in certs
            )
        except Exception as exc:
            raise Refused("signature") from exc
        if not ok:
            raise Refused("signature")
    elif not message.signature:
        raise Refused("unsigned")
    issuer = (message.issuer.text or "").strip() if message.issuer is not None else ""
    if issuer != provider.entity_id:
        raise Refused("issuer")
    return IncomingLogout(
        message=message,
        name_id_value=name_id_value(message.name_id),
        session_indexes=tuple(str(s.text) for s in message.session_index or [] if s.text),
    )


def logout_response_redirect(
    request: PreauRequest, provider: IdentityProvider, *, incoming: IncomingLogout, success: bool
) -> str | None:
    """The address that carries our signed LogoutResponse back to the provider."""
    client = client_for(request, provider)
    try:
        destinations = client.metadata.single_logout_service(
            provider.entity_id, BINDING_HTTP_REDIRECT, "idpsso"
        )
    except Exception:
        return None
    if not destinations:
        return None
    endpoint = destinations[0]
    destination = endpoint.get("response_location") or endpoint["location"]
    status = None
    if not success:
        from saml2.s_utils import error_status_factory
        from saml2.samlp import STATUS_UNKNOWN_PRINCIPAL

        status = error_status_factory((STATUS_UNKNOWN_PRINCIPAL, "Unknown session"))
    response = client.create_logout_response(
        incoming.message,
        bindings=[BINDING_HTTP_REDIRECT],
        status=status,
        sign=False,
    )
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        relay_state="",
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return str(dict(info["headers"])["Location"])


def read_logout_response(
    request: PreauRequest, provider: IdentityProvider, *, encoded: str, binding: str
) -> bool:
    """True if the provider confirms our LogoutRequest (a bad answer is simply ignored)."""
    client = client_for(request, provider)
    try:
        response = client.parse_logout_request_response(encoded, binding)
    except Exception:
        return False
    return response is not None


def login_url_with_next(provider_id: int, next_url: str) -> str:
    url = reverse("saml:login", args=[provider_id])
    return url + ("?" + urlencode({"next": next_url}) if next_url else "")
