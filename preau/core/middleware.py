"""Tenant from the host, then the Actor of the logged-in person."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject

from preau.core.http import PreauRequest
from preau.core.tenancy import tenant_for_host

Handler = Callable[[PreauRequest], HttpResponse]


class TenantMiddleware:
    """Every request belongs to one tenant; an unknown host gets a clear 404 page."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: PreauRequest) -> HttpResponse:
        tenant = tenant_for_host(request.get_host())
        if tenant is None:
            html = render_to_string("core/unknown_host.html", {"host": request.get_host()})
            return HttpResponseNotFound(html)
        request.tenant = tenant
        return self.get_response(request)


class ActorMiddleware:
    """Attach `request.actor` (lazy) for an authenticated person of this tenant.

    A session opened on another tenant, or a blocked account, is logged out here.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: PreauRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and (user.tenant_id != request.tenant.pk or user.is_blocked):
            logout(request)
        if request.user.is_authenticated:
            from preau.directory.queries import actor_for

            request.actor = SimpleLazyObject(lambda: actor_for(request))  # type: ignore[assignment]
        else:
            request.actor = None
        return self.get_response(request)
