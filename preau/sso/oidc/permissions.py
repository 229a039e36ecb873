"""Who may manage the tenant's OpenID Connect clients: its operator, nobody else."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from preau.core.actor import Actor
from preau.sso.oidc.models import OidcClient


class Perm(StrEnum):
    MANAGE_CLIENTS = "oidc.manage_clients"
    CHANGE_CLIENT = "oidc.change_client"


class OidcPolicy:
    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool:
        if perm == Perm.MANAGE_CLIENTS:
            return actor.is_operator and not actor.person.is_blocked
        if perm == Perm.CHANGE_CLIENT:
            return (
                isinstance(obj, OidcClient)
                and obj.tenant_id == actor.tenant.pk
                and self.can(actor, Perm.MANAGE_CLIENTS)
            )
        return False

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not self.can(actor, Perm.MANAGE_CLIENTS):
            return qs.none()
        return qs.filter(tenant=actor.tenant)


policy = OidcPolicy()
