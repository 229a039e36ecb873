"""The shape every app's policy follows: `can(actor, perm, obj)` and `visible(actor, qs)`."""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from preau.core.actor import Actor


class Policy(Protocol):
    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool: ...

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]: ...


def require(policy: Policy, actor: Actor, perm: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless the policy allows it (actions call this first)."""
    if not policy.can(actor, perm, obj):
        raise PermissionDenied(perm)
