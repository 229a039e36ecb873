"""The request as Préau's middleware leaves it: typed, so views need no `type: ignore`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from preau.core.actor import Actor
    from preau.core.models import Tenant
    from preau.directory.models import Person


class PreauRequest(HttpRequest):
    tenant: Tenant
    actor: Actor | None
    user: Person | AnonymousUser


class ActorRequest(PreauRequest):
    """A request in a view that requires login (`@login_required`): actor is set."""

    actor: Actor
    user: Person
