"""CAS protocol responses: CAS 1 text, CAS 2/3 XML and the CAS 3 JSON form."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

CAS_NS = "http://www.yale.edu/tp/cas"
SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
ET.register_namespace("cas", CAS_NS)
ET.register_namespace("samlp", SAMLP_NS)
ET.register_namespace("saml", SAML_NS)


@dataclass
class Success:
    user: str
    attributes: dict[str, list[str]] = field(default_factory=dict)
    pgt_iou: str = ""
    proxies: list[str] = field(default_factory=list)


@dataclass
class Failure:
    code: str
    description: str


def _cas(tag: str) -> str:
    return f"{{{CAS_NS}}}{tag}"


def _xml(root: ET.Element) -> HttpResponse:
    body = ET.tostring(root, encoding="unicode")
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def validation_response(outcome: Success | Failure, *, as_json: bool) -> HttpResponse:
    """`serviceResponse` for /serviceValidate, /proxyValidate and their /p3/ forms."""
    if as_json:
        inner: dict[str, dict[str, object]]
        if isinstance(outcome, Failure):
            inner = {
                "authenticationFailure": {"code": outcome.code, "description": outcome.description}
            }
        else:
            success: dict[str, object] = {"user": outcome.user, "attributes": outcome.attributes}
            if outcome.pgt_iou:
                success["proxyGrantingTicket"] = outcome.pgt_iou
            if outcome.proxies:
                success["proxies"] = outcome.proxies
            inner = {"authenticationSuccess": success}
        return HttpResponse(json.dumps({"serviceResponse": inner}), content_type="application/json")
    root = ET.Element(_cas("serviceResponse"))
    if isinstance(outcome, Failure):
        failure = ET.SubElement(root, _cas("authenticationFailure"), code=outcome.code)
        failure.text = outcome.description
        return _xml(root)
    success_el = ET.SubElement(root, _cas("authenticationSuccess"))
    ET.SubElement(success_el, _cas("user")).text = outcome.user
    attributes_el = ET.SubElement(success_el, _cas("attributes"))
    for name, values in outcome.attributes.items():
        for value in values:
            ET.SubElement(attributes_el, _cas(name)).text = value
    if outcome.pgt_iou:
        ET.SubElement(success_el, _cas("proxyGrantingTicket")).text = outcome.pgt_iou
    if outcome.proxies:
        proxies_el = ET.SubElement(success_el, _cas("proxies"))
        for proxy in outcome.proxies:
            ET.SubElement(proxies_el, _cas("proxy")).text = proxy
    return _xml(root)


def proxy_response(ticket: str | None, failure: Failure | None, *, as_json: bool) -> HttpResponse:
    """`serviceResponse` for /proxy."""
    if as_json:
        inner = (
            {"proxyFailure": {"code": failure.code, "description": failure.description}}
            if failure
            else {"proxySuccess": {"proxyTicket": ticket}}
        )
        return HttpResponse(json.dumps({"serviceResponse": inner}), content_type="application/json")
    root = ET.Element(_cas("serviceResponse"))
    if failure is not None:
        ET.SubElement(root, _cas("proxyFailure"), code=failure.code).text = failure.description
    else:
        success = ET.SubElement(root, _cas("proxySuccess"))
        ET.SubElement(success, _cas("proxyTicket")).text = ticket
    return _xml(root)


def cas1_response(user: str | None) -> HttpResponse:
    """/validate (CAS 1): "yes\\n<user>\\n" or "no\\n\\n"."""
    body = f"yes\n{user}\n" if user else "no\n\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


def logout_request(*, name_id: str, session_index: str, at: dt.datetime | None = None) -> str:
    """The SAML `LogoutRequest` a CAS server posts to a service for single logout."""
    at = at or timezone.now()
    root = ET.Element(
        f"{{{SAMLP_NS}}}LogoutRequest",
        ID=f"LR-{secrets.token_hex(16)}",
        Version="2.0",
        IssueInstant=at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    ET.SubElement(root, f"{{{SAML_NS}}}NameID").text = name_id
    ET.SubElement(root, f"{{{SAMLP_NS}}}SessionIndex").text = session_index
    return ET.tostring(root, encoding="unicode")
