"""Who may use a CAS-connected app, and who may register or change one in the console.

Registering: the operator for any app; an authority or school administrator for an app whose
schools are all among those they administer (an app offered to every school is the operator's).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from preau.core.actor import Actor
from preau.portal.models import ConnectedApp
from preau.sso.cas.queries import may_use


class Perm(StrEnum):
    USE_SERVICE = "cas.use_service"
    MANAGE_SERVICES = "cas.manage_services"
    CHANGE_SERVICE = "cas.change_service"


class CasPolicy:
    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool:
        if perm == Perm.USE_SERVICE:
            return (
                isinstance(obj, ConnectedApp)
                and obj.tenant_id == actor.tenant.pk
                and obj.is_enabled
                and obj.cas_enabled
                and not actor.person.is_blocked
                and may_use(obj, list(actor.memberships))
            )
        if perm == Perm.MANAGE_SERVICES:
            return actor.is_operator or bool(actor.admin_school_ids)
        if perm == Perm.CHANGE_SERVICE:
            if not isinstance(obj, ConnectedApp) or obj.tenant_id != actor.tenant.pk:
                return False
            if actor.is_operator:
                return True
            school_ids = {s.pk for s in obj.schools.all()}
            return bool(school_ids) and school_ids <= actor.admin_school_ids
        return False

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
        """Connected apps the actor may change in the console."""
        qs = qs.filter(tenant=actor.tenant)
        if actor.is_operator:
            return qs
        if not actor.admin_school_ids:
            return qs.none()
        links = ConnectedApp.schools.through.objects.filter(connectedapp_id=OuterRef("pk"))
        return qs.filter(Exists(links)).exclude(
            Exists(links.exclude(school_id__in=actor.admin_school_ids))
        )


policy = CasPolicy()
