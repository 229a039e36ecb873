"""Who manages the identity providers: the tenant's operator, and nobody else."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from preau.core.actor import Actor


class Perm(StrEnum):
    MANAGE_PROVIDERS = "saml.manage_providers"


class SamlPolicy:
    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool:
        if perm == Perm.MANAGE_PROVIDERS:
            if obj is not None and getattr(obj, "tenant_id", None) != actor.tenant.pk:
                return False
            return actor.is_operator
        return False

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
        qs = qs.filter(tenant=actor.tenant)
        return qs if actor.is_operator else qs.none()


policy = SamlPolicy()
