"""Tenant from the host, then the Actor of the logged-in person."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject

from preau.core.tenancy import tenant_for_host

Handler = Callable[[HttpRequest], HttpResponse]


class TenantMiddleware:
    """Every request belongs to one tenant; an unknown host gets a clear 404 page."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = tenant_for_host(request.get_host())
        if tenant is None:
            html = render_to_string("core/unknown_host.html", {"host": request.get_host()})
            return HttpResponseNotFound(html)
        request.tenant = tenant  # type: ignore[attr-defined]
        return self.get_response(request)


class ActorMiddleware:
    """Attach `request.actor` (lazy) for an authenticated person of this tenant.

    A session opened on another tenant, or a blocked account, is logged out here.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and (
            user.tenant_id != request.tenant.pk or user.is_blocked  # type: ignore[attr-defined,union-attr]
        ):
            logout(request)
        if request.user.is_authenticated:
            from preau.directory.queries import actor_for

            request.actor = SimpleLazyObject(lambda: actor_for(request))  # type: ignore[attr-defined]
        else:
            request.actor = None  # type: ignore[attr-defined]
        return self.get_response(request)
