"""Console pages of the federation: the tenant's operator registers identity providers.

Anyone else gets a 404 (missing and forbidden look the same); anonymous people are sent to log
in. Every write goes through `preau.sso.saml.actions`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from preau.console.pages import Crumb, console_crumbs
from preau.core.forms import apply_errors
from preau.core.http import ActorRequest
from preau.sso.saml import actions, forms
from preau.sso.saml import queries as q
from preau.sso.saml.models import IdentityProvider
from preau.sso.saml.permissions import Perm, policy
from preau.sso.saml.sp import sp_entity_id


def _require_operator(request: ActorRequest) -> None:
    if not policy.can(request.actor, Perm.MANAGE_PROVIDERS):
        raise Http404


def _crumbs(*rest: Crumb) -> list[Crumb]:
    return console_crumbs((_("Identity providers"), reverse("saml_console:providers")), *rest)


@login_required
@require_http_methods(["GET", "HEAD"])
def providers(request: ActorRequest) -> HttpResponse:
    _require_operator(request)
    return render(
        request,
        "saml/pages/providers.html",
        {
            "providers": list(q.providers_for_console(request.actor)),
            "sp_metadata_url": request.build_absolute_uri(reverse("saml:metadata")),
            "sp_entity_id": sp_entity_id(request),
            "crumbs": _crumbs(),
        },
    )


def _form_page(request: ActorRequest, provider: IdentityProvider | None) -> HttpResponse:
    actor = request.actor
    editing = provider is not None
    initial = (
        {
            "name": provider.name,
            "kind": provider.kind,
            "label": provider.label,
            "academie": provider.academie_id,
            "position": provider.position,
        }
        if provider is not None
        else {"position": 0}
    )
    form = forms.ProviderForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        academies=q.academies(actor.tenant),
        editing=editing,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if provider is None:
                saved = actions.create_identity_provider(
                    actor=actor,
                    name=data["name"],
                    kind=data["kind"],
                    label=data["label"],
                    metadata_xml=data["metadata_xml"],
                    academie=data["academie"],
                    position=data["position"],
                    is_enabled=data["is_enabled"],
                )
            else:
                saved = actions.update_identity_provider(
                    actor=actor,
                    provider=provider,
                    name=data["name"],
                    kind=data["kind"],
                    label=data["label"],
                    academie=data["academie"],
                    position=data["position"],
                    metadata_xml=data["metadata_xml"] or "",
                )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
            return redirect("saml_console:providers")
    title = str(provider) if provider is not None else _("New identity provider")
    return render(
        request,
        "saml/pages/provider_form.html",
        {"form": form, "provider": provider, "title": title, "crumbs": _crumbs((title, None))},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def provider_new(request: ActorRequest) -> HttpResponse:
    _require_operator(request)
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def provider_edit(request: ActorRequest, provider_id: int) -> HttpResponse:
    _require_operator(request)
    return _form_page(request, q.access_provider(request.actor, provider_id))


def _set_enabled(request: ActorRequest, provider_id: int, *, enabled: bool) -> HttpResponse:
    _require_operator(request)
    provider = q.access_provider(request.actor, provider_id)
    try:
        actions.set_identity_provider_enabled(
            actor=request.actor, provider=provider, enabled=enabled
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    if enabled:
        messages.success(
            request, _("“%(name)s” is offered on the login page.") % {"name": provider.name}
        )
    else:
        messages.success(request, _("“%(name)s” is no longer offered.") % {"name": provider.name})
    return redirect("saml_console:providers")


@login_required
@require_POST
def provider_enable(request: ActorRequest, provider_id: int) -> HttpResponse:
    return _set_enabled(request, provider_id, enabled=True)


@login_required
@require_POST
def provider_disable(request: ActorRequest, provider_id: int) -> HttpResponse:
    return _set_enabled(request, provider_id, enabled=False)
