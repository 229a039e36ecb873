"""The service provider's endpoints: metadata, login, assertion consumer, single logout, and
the pages a person sees when a federated login does not open an account.

Pending AuthnRequests are kept in a short-lived signed cookie scoped to `/saml/`: the IdP
posts the answer cross-site, and the session cookie (SameSite=Lax) is not sent with that POST.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

from preau.accounts.views import _open_session, _safe_next
from preau.core.http import PreauRequest
from preau.sso.saml import actions, forms, sp
from preau.sso.saml import queries as q
from preau.sso.saml.models import IdentityProvider

logger = logging.getLogger(__name__)

PENDING_COOKIE = "preau_saml"
PENDING_SALT = "preau.sso.saml.pending"
PENDING_MAX_AGE = 10 * 60
PENDING_MAX = 5
LINK_SESSION_KEY = "saml_link"
LINK_MAX_AGE = 10 * 60
LOGOUT_SESSION_KEY = "saml_logout"


def _ip(request: PreauRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _xml(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="application/samlmetadata+xml; charset=utf-8")


# --- pending AuthnRequests ---------------------------------------------------------------------


def _salt(request: PreauRequest) -> str:
    """Per tenant: a cookie signed for one tenant's host means nothing on another's."""
    return f"{PENDING_SALT}.{request.tenant.pk}"


def _pending(request: PreauRequest) -> dict[str, Any]:
    value = request.COOKIES.get(PENDING_COOKIE, "")
    try:
        data = signing.loads(value, salt=_salt(request), max_age=PENDING_MAX_AGE)
    except (signing.BadSignature, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _store_pending(request: PreauRequest, response: HttpResponse, pending: dict[str, Any]) -> None:
    if not pending:
        response.delete_cookie(PENDING_COOKIE, path="/saml/")
        return
    secure = request.is_secure()
    response.set_cookie(
        PENDING_COOKIE,
        signing.dumps(pending, salt=_salt(request), compress=True),
        max_age=PENDING_MAX_AGE,
        path="/saml/",
        secure=secure,
        httponly=True,
        # Sent with the IdP's cross-site POST; browsers accept SameSite=None on https only.
        samesite="None" if secure else "Lax",
    )


# --- pages -------------------------------------------------------------------------------------


def _refused(
    request: PreauRequest, error: sp.Refused, provider: IdentityProvider | None = None
) -> HttpResponse:
    if error.reason != "blocked":  # the blocked refusal is audited with its person already
        actions.record_refusal(
            tenant=request.tenant, provider=provider, reason=error.reason, ip=_ip(request)
        )
    return render(
        request,
        "saml/pages/refused.html",
        {"message": error.message, "reason": error.reason, "provider": provider},
        status=403,
    )


@require_safe
def metadata(request: PreauRequest) -> HttpResponse:
    """Our SP metadata, to register Préau with EduConnect or an académie."""
    return _xml(sp.sp_metadata(request))


@never_cache
@require_safe
def login(request: PreauRequest, provider_id: int) -> HttpResponse:
    """Send a signed AuthnRequest to the provider (HTTP-Redirect)."""
    provider = q.enabled_provider(request.tenant, provider_id)
    next_url = _safe_next(request, request.GET.get("next"))
    request_id, location = sp.authn_request(request, provider, relay_state="")
    pending = _pending(request)
    pending[request_id] = {"p": provider.pk, "n": next_url, "t": int(time.time())}
    # Keep the latest few (several tabs); the oldest are dropped.
    pending = dict(sorted(pending.items(), key=lambda kv: kv[1].get("t", 0))[-PENDING_MAX:])
    response = HttpResponseRedirect(location)
    _store_pending(request, response, pending)
    return response


@csrf_exempt  # a SAML POST binding: the signed assertion, not a CSRF token, proves the origin
@never_cache
@require_POST
def acs(request: PreauRequest) -> HttpResponse:
    """The assertion consumer: verify, match, and log in (or explain why not)."""
    encoded = request.POST.get("SAMLResponse", "")
    pending = _pending(request)
    provider: IdentityProvider | None = None
    try:
        xml = sp.decode_post_message(encoded)
        in_response_to, issuer = sp.peek_in_response_to(xml)
        entry = pending.pop(in_response_to, None) if in_response_to else None
        if entry is None:
            provider = q.provider_by_entity_id(request.tenant, issuer) if issuer else None
            raise sp.Refused(
                "unsolicited",
                _(
                    "This login answer does not match a login started here (it may have "
                    "expired, or come from another site). Start logging in again."
                ),
            )
        provider = q.provider_of_tenant(request.tenant, int(entry["p"]))
        if provider is None or not provider.is_enabled:
            raise sp.Refused("provider_disabled")
        result = sp.read_authn_response(
            request, provider, encoded=encoded, xml=xml, request_id=in_response_to
        )
        actions.consume_assertion(
            tenant=request.tenant,
            assertion_id=result.assertion_id,
            not_on_or_after=result.not_on_or_after,
        )
        outcome = actions.log_in_federated(tenant=request.tenant, result=result, ip=_ip(request))
    except sp.Refused as error:
        response = _refused(request, error, provider)
        _store_pending(request, response, pending)
        return response
    if outcome.person is None:
        if outcome.is_parent:
            request.session[LINK_SESSION_KEY] = {
                "p": outcome.provider.pk,
                "s": outcome.subject,
                "n": entry.get("n", ""),
                "t": int(time.time()),
            }
            response = redirect("saml:link")
        else:
            response = render(
                request,
                "saml/pages/unmatched.html",
                {"provider": outcome.provider, "hint": q.contact_hint(outcome.provider)},
                status=403,
            )
        _store_pending(request, response, pending)
        return response
    response = _open_session(
        request,
        outcome.person,
        to=_safe_next(request, entry.get("n")),
        method=f"saml:{outcome.provider.name}",
    )
    actions.open_federated_session(
        actor=actions.accounts.acting_as(outcome.person, ip=_ip(request), tenant=request.tenant),
        provider=outcome.provider,
        session_key=request.session.session_key,
        name_id=result.name_id,
        session_index=result.session_index,
    )
    _store_pending(request, response, pending)
    return response


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def link(request: PreauRequest) -> HttpResponse:
    """A parent EduConnect vouched for, whom the directory does not know by that identity:
    they confirm their Préau account once."""
    raw = request.session.get(LINK_SESSION_KEY)
    pending: dict[str, Any] = raw if isinstance(raw, dict) else {}
    provider = None
    if pending and time.time() - pending.get("t", 0) < LINK_MAX_AGE:
        provider = q.enabled_provider_or_none(request.tenant, int(pending["p"]))
    if provider is None:
        request.session.pop(LINK_SESSION_KEY, None)
        return render(request, "saml/pages/link_expired.html", status=410)
    form = forms.LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.link_parent_account(
                request=request,
                provider=provider,
                subject=str(pending["s"]),
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(LINK_SESSION_KEY, None)
            messages.success(
                request,
                _("Your EduConnect identity is now linked to your Préau account."),
            )
            return _open_session(
                request,
                person,
                to=_safe_next(request, pending.get("n")),
                method=f"saml-link:{provider.name}",
            )
    return render(
        request,
        "saml/pages/link.html",
        {"form": form, "provider": provider, "hint": q.contact_hint(provider)},
    )


# --- single logout -----------------------------------------------------------------------------


@csrf_exempt  # the POST binding carries a signed SAML message, not a form of ours
@never_cache
@require_http_methods(["GET", "POST"])
def sls(request: PreauRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    binding = BINDING_HTTP_POST if request.method == "POST" else BINDING_HTTP_REDIRECT
    if data.get("SAMLRequest"):
        return _idp_logout(request, data, binding)
    if data.get("SAMLResponse"):
        return _logout_answer(request, data["SAMLResponse"], binding)
    return redirect("accounts:login")


def _idp_logout(request: PreauRequest, data: Any, binding: str) -> HttpResponse:
    """The provider asks Préau to end the sessions it opened for this person."""
    encoded = data["SAMLRequest"]
    provider = None
    try:
        issuer = sp.issuer_of_message(encoded, binding)
        provider = q.provider_by_entity_id(request.tenant, issuer) if issuer else None
        if provider is None:
            raise sp.Refused("unknown_issuer")
        incoming = sp.read_logout_request(
            request,
            provider,
            encoded=encoded,
            binding=binding,
            relay_state=data.get("RelayState"),
            sigalg=data.get("SigAlg"),
            signature=data.get("Signature"),
        )
    except sp.Refused as error:
        return _refused(request, error, provider)
    ended = actions.end_federated_sessions(
        tenant=request.tenant,
        provider=provider,
        name_id=incoming.name_id_value,
        session_indexes=incoming.session_indexes,
    )
    if request.session.session_key in ended:
        auth_logout(request)
    location = sp.logout_response_redirect(request, provider, incoming=incoming, success=True)
    if location is None:
        messages.success(request, _("You are logged out. See you soon!"))
        return redirect("accounts:login")
    return HttpResponseRedirect(location)


def _logout_answer(request: PreauRequest, encoded: str, binding: str) -> HttpResponse:
    """The provider answers our LogoutRequest; the Préau session is already over."""
    pending = request.session.pop(LOGOUT_SESSION_KEY, None)
    if isinstance(pending, dict):
        provider = q.provider_of_tenant(request.tenant, int(pending.get("p", 0)))
        if provider is not None:
            sp.read_logout_response(request, provider, encoded=encoded, binding=binding)
    return redirect("accounts:login")


@dataclass(frozen=True)
class SingleLogout:
    """A LogoutRequest to send once the Préau session is over (see `begin_single_logout`)."""

    provider_id: int
    request_id: str
    location: str

    def redirect(self, request: PreauRequest) -> HttpResponse:
        request.session[LOGOUT_SESSION_KEY] = {"p": self.provider_id, "r": self.request_id}
        return HttpResponseRedirect(self.location)


def begin_single_logout(request: PreauRequest) -> SingleLogout | None:
    """Called by the logout view before it ends the session: if it was opened through an
    identity provider, forget it and prepare the LogoutRequest for that provider."""
    if request.actor is None:
        return None
    row = actions.leave_federated_session(
        actor=request.actor, session_key=request.session.session_key
    )
    if row is None:
        return None
    try:
        prepared = sp.logout_request_redirect(
            request, row.provider, name_id_xml_text=row.name_id, session_index=row.session_index
        )
    except Exception:
        logger.warning("Could not build the SAML LogoutRequest", exc_info=True)
        return None
    if prepared is None:
        return None
    request_id, location = prepared
    return SingleLogout(row.provider_id, request_id, location)
