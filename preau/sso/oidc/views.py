"""The OpenID Connect endpoints under /oidc/ and the operator's client registry under
/console/oidc/.

The protocol endpoints are django-oauth-toolkit's views, with Préau's validator (tenant
isolation, claims); discovery is ours because the issuer depends on the host. The console
views parse forms and call `actions`; every client comes from `queries.access_client`, so
anyone but the tenant's operator gets a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from oauth2_provider.models import Application
from oauth2_provider.views import AuthorizationView as DotAuthorizationView

from preau.console.pages import Crumb, console_crumbs
from preau.core.forms import apply_errors
from preau.core.http import ActorRequest
from preau.core.pagination import BadCursorError
from preau.sso.oidc import actions, forms, queries
from preau.sso.oidc.models import OidcClient
from preau.sso.oidc.permissions import Perm, policy
from preau.sso.oidc.scopes import ALL_SCOPES, DESCRIPTIONS

# --- protocol ----------------------------------------------------------------------------------


@require_safe
def discovery(request: HttpRequest) -> HttpResponse:
    """OpenID Provider metadata for this host's tenant."""
    if not settings.OIDC_ENABLED:
        raise Http404
    data = {
        "issuer": queries.issuer_for(request),
        "authorization_endpoint": queries.endpoint(request, "authorize"),
        "token_endpoint": queries.endpoint(request, "token"),
        "userinfo_endpoint": queries.endpoint(request, "userinfo"),
        "jwks_uri": queries.endpoint(request, "jwks"),
        "revocation_endpoint": queries.endpoint(request, "revoke"),
        "scopes_supported": list(ALL_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "revocation_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": queries.SUPPORTED_CLAIMS,
        "prompt_values_supported": ["none"],
        "authorization_response_iss_parameter_supported": True,
        "ui_locales_supported": [code for code, _name in settings.LANGUAGES],
    }
    response = JsonResponse(data)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


class AuthorizeView(DotAuthorizationView):
    """The authorization endpoint: login first (the account's login page), then the consent
    screen for a third-party client, once; each code issued is audited."""

    template_name = "oidc/pages/consent.html"

    def create_authorization_response(
        self, request: Any, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> Any:
        result = super().create_authorization_response(request, scopes, credentials, allow)
        # Reached only when a code was issued (a refusal or an error raises above).
        application = Application.objects.select_related("oidc_client").get(
            client_id=credentials["client_id"]
        )
        actions.record_authorization(
            actor=request.actor,
            application=application,
            scopes=scopes.split() if scopes else [],
            consented=request.method == "POST",
        )
        return result

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        context["client"] = getattr(application, "oidc_client", None) if application else None
        context["redirect_host"] = urlsplit(str(context.get("redirect_uri") or "")).netloc
        context["scope_items"] = [
            (s, DESCRIPTIONS.get(s, s)) for s in context.get("scopes", []) if s in ALL_SCOPES
        ]
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


# --- console: the client registry -------------------------------------------------------------


def _require_registry(request: ActorRequest) -> None:
    if not policy.can(request.actor, Perm.MANAGE_CLIENTS):
        raise Http404


def _crumbs(*rest: Crumb) -> list[Crumb]:
    return console_crumbs((_("OpenID Connect clients"), reverse("oidc_console:clients")), *rest)


def _show_secret(request: ActorRequest, client: OidcClient, secret: str | None) -> HttpResponse:
    response = render(
        request,
        "oidc/pages/secret.html",
        {
            "client": client,
            "secret": secret,
            "issuer": queries.issuer_for(request),
            "crumbs": _crumbs((client.name, None)),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def clients(request: ActorRequest) -> HttpResponse:
    _require_registry(request)
    try:
        page = queries.clients_page(request.actor, after=request.GET.get("after"))
    except BadCursorError:
        return HttpResponseBadRequest(_("This page link is no longer valid."))
    return render(
        request,
        "oidc/pages/clients.html",
        {
            "page": page,
            "issuer": queries.issuer_for(request),
            "crumbs": _crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def client_new(request: ActorRequest) -> HttpResponse:
    _require_registry(request)
    form = forms.ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, secret = actions.create_client(
                actor=request.actor,
                name=data["name"],
                description=data["description"],
                redirect_uris=data["redirect_uris"],
                confidential=data["client_type"] == "confidential",
                is_first_party=data["is_first_party"],
                scopes=data["scopes"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” is registered.") % {"name": client.name})
            return _show_secret(request, client, secret)
    title = _("New OpenID Connect client")
    return render(
        request,
        "oidc/pages/client_form.html",
        {"form": form, "title": title, "client": None, "crumbs": _crumbs((title, None))},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def client_edit(request: ActorRequest, client_id: int) -> HttpResponse:
    _require_registry(request)
    client = queries.access_client(request.actor, client_id)
    initial = {
        "name": client.name,
        "description": client.description,
        "redirect_uris": "\n".join(client.redirect_uris),
        "is_first_party": client.is_first_party,
        "scopes": client.scopes,
    }
    form = forms.ClientForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_client(
                actor=request.actor,
                client=client,
                name=data["name"],
                description=data["description"],
                redirect_uris=data["redirect_uris"],
                is_first_party=data["is_first_party"],
                scopes=data["scopes"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": client.name})
            return redirect("oidc_console:clients")
    return render(
        request,
        "oidc/pages/client_form.html",
        {
            "form": form,
            "title": client.name,
            "client": client,
            "issuer": queries.issuer_for(request),
            "crumbs": _crumbs((client.name, None)),
        },
    )


@login_required
@require_POST
def client_disable(request: ActorRequest, client_id: int) -> HttpResponse:
    _require_registry(request)
    client = queries.access_client(request.actor, client_id)
    actions.disable_client(actor=request.actor, client=client)
    messages.success(
        request,
        _("“%(name)s” is disabled: Préau refuses it and its tokens are ended.")
        % {"name": client.name},
    )
    return redirect("oidc_console:client", client_id=client.pk)


@login_required
@require_POST
def client_enable(request: ActorRequest, client_id: int) -> HttpResponse:
    _require_registry(request)
    client = queries.access_client(request.actor, client_id)
    actions.enable_client(actor=request.actor, client=client)
    messages.success(request, _("“%(name)s” is enabled.") % {"name": client.name})
    return redirect("oidc_console:client", client_id=client.pk)


@login_required
@require_POST
def client_rotate_secret(request: ActorRequest, client_id: int) -> HttpResponse:
    _require_registry(request)
    client = queries.access_client(request.actor, client_id)
    try:
        secret = actions.rotate_client_secret(actor=request.actor, client=client)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("oidc_console:client", client_id=client.pk)
    messages.success(request, _("A new secret is issued; the previous one no longer works."))
    return _show_secret(request, client, secret)


# --- the person's own page: applications connected to their account ---------------------------


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def authorizations(request: ActorRequest) -> HttpResponse:
    return render(
        request,
        "oidc/pages/authorizations.html",
        {"authorizations": queries.authorizations_of(request.actor)},
    )


@login_required
@require_POST
def revoke_authorization(request: ActorRequest, client_id: int) -> HttpResponse:
    client = queries.access_authorized_client(request.actor, client_id)
    actions.revoke_authorization(actor=request.actor, client=client)
    messages.success(
        request,
        _("%(name)s can no longer use your account.") % {"name": client.name},
    )
    return redirect("oidc:authorizations")
