"""CAS 3.0 endpoints (protocol in STANDARDS.md): /login, /logout, /validate, /serviceValidate,
/proxyValidate, /p3/serviceValidate, /p3/proxyValidate and /proxy.

The browser endpoints never redirect to an address that is not a registered service: an
unknown `service` gets a page saying so (no open redirect).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

from django.contrib.auth import logout as auth_logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from preau.accounts import actions as account_actions
from preau.accounts.forms import LoginForm
from preau.accounts.views import _open_session
from preau.core.http import PreauRequest
from preau.directory.queries import actor_for
from preau.portal.models import ConnectedApp
from preau.sso.cas import actions, queries
from preau.sso.cas.actions import TicketError
from preau.sso.cas.responses import cas1_response, proxy_response, validation_response

# Set (to the time) before sending someone to the login form; popped when they come back
# logged in: the ticket then comes from a new login (CAS `isFromNewLogin`), if they came back
# within LOGIN_FRESH_SECONDS.
LOGIN_PENDING = "cas_login_pending"
LOGIN_FRESH_SECONDS = 600


def _flag(request: PreauRequest, name: str) -> bool:
    return request.GET.get(name, request.POST.get(name, "")).lower() in {"true", "1", "yes"}


def _with_ticket(service: str, ticket: str) -> str:
    separator = "&" if urlsplit(service).query else "?"
    return f"{service}{separator}{urlencode({'ticket': ticket})}"


def _refused(request: PreauRequest, template: str, app: ConnectedApp | None = None) -> HttpResponse:
    return render(request, f"cas/pages/{template}.html", {"app": app}, status=403)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login(request: PreauRequest) -> HttpResponse:
    service = request.GET.get("service", request.POST.get("service", ""))
    renew, gateway = _flag(request, "renew"), _flag(request, "gateway")
    app = queries.service_app(request.tenant, service) if service else None
    if service and app is None:
        return _refused(request, "unknown_service")
    logged_in = request.user.is_authenticated and request.actor is not None
    if renew:
        return _renew(request, app, service)
    if not logged_in:
        if gateway and app is not None:
            return HttpResponseRedirect(service)
        request.session[LOGIN_PENDING] = time.time()
        here = f"{request.path}?{urlencode({'service': service})}" if service else request.path
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': here})}")
    asked_at = request.session.pop(LOGIN_PENDING, None)
    fresh = isinstance(asked_at, float) and time.time() - asked_at < LOGIN_FRESH_SECONDS
    if app is None:
        return redirect("portal:home")
    return _to_service(request, app, service, from_new_login=fresh)


def _to_service(
    request: PreauRequest, app: ConnectedApp, service: str, *, from_new_login: bool
) -> HttpResponse:
    actor = actor_for(request)
    try:
        row = actions.issue_service_ticket(
            actor=actor,
            app=app,
            service=service,
            session_key=request.session.session_key or "",
            from_new_login=from_new_login,
        )
    except PermissionDenied:
        return _refused(request, "not_allowed", app)
    return HttpResponseRedirect(_with_ticket(service, row.ticket))


def _renew(request: PreauRequest, app: ConnectedApp | None, service: str) -> HttpResponse:
    """`renew`: the person types their password again, even with a session open."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = account_actions.authenticate_login(
                request=request,
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.user != person:
                _open_session(request, person, to=request.path, method="cas-renew")
                request.actor = actor_for(request)
            if app is None:
                return redirect("portal:home")
            return _to_service(request, app, service, from_new_login=True)
    return render(request, "cas/pages/renew.html", {"form": form, "app": app, "service": service})


@never_cache
@require_safe
def logout(request: PreauRequest) -> HttpResponse:
    """CAS logout: end the session (and every app's, by single logout); then the registered
    `service` if one was given, else the login page."""
    if request.actor is not None:
        account_actions.end_session(actor=request.actor, session_key=request.session.session_key)
    auth_logout(request)
    service = request.GET.get("service", "")
    if service and queries.service_app(request.tenant, service) is not None:
        return HttpResponseRedirect(service)
    return render(request, "cas/pages/logged_out.html")


# --- validation (called by the connected apps, server to server) --------------------------


def _validate(request: PreauRequest, *, proxies: bool) -> HttpResponse:
    as_json = request.GET.get("format", "").upper() == "JSON"
    try:
        outcome = actions.validate_ticket(
            tenant=request.tenant,
            ticket=request.GET.get("ticket", ""),
            service=request.GET.get("service", ""),
            renew=_flag(request, "renew"),
            accept_proxy_tickets=proxies,
            pgt_url=request.GET.get("pgtUrl", ""),
        )
    except TicketError as error:
        return validation_response(error.failure, as_json=as_json)
    return validation_response(outcome, as_json=as_json)


@csrf_exempt
@never_cache
@require_safe
def service_validate(request: PreauRequest) -> HttpResponse:
    return _validate(request, proxies=False)


@csrf_exempt
@never_cache
@require_safe
def proxy_validate(request: PreauRequest) -> HttpResponse:
    return _validate(request, proxies=True)


@csrf_exempt
@never_cache
@require_safe
def validate(request: PreauRequest) -> HttpResponse:
    """CAS 1: plain text, no attributes."""
    try:
        outcome = actions.validate_ticket(
            tenant=request.tenant,
            ticket=request.GET.get("ticket", ""),
            service=request.GET.get("service", ""),
            renew=_flag(request, "renew"),
        )
    except TicketError:
        return cas1_response(None)
    return cas1_response(outcome.user)


@csrf_exempt
@never_cache
@require_safe
def proxy(request: PreauRequest) -> HttpResponse:
    as_json = request.GET.get("format", "").upper() == "JSON"
    try:
        row = actions.grant_proxy_ticket(
            tenant=request.tenant,
            pgt=request.GET.get("pgt", ""),
            target_service=request.GET.get("targetService", ""),
        )
    except TicketError as error:
        return proxy_response(None, error.failure, as_json=as_json)
    return proxy_response(row.ticket, None, as_json=as_json)
