"""Core pages that belong to no app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from preau.core.http import ActorRequest


@never_cache
@login_required
def floor(request: ActorRequest) -> HttpResponse:
    """The performance floor (DESIGN.md): an authenticated request through the whole stack —
    tenant, session, person, actor — answering a constant. Every page costs at least this."""
    return HttpResponse(f"ok {request.actor.person.pk}", content_type="text/plain")
