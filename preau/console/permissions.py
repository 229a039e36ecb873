"""Console policy: who may open the console and which audit entries they see.

The schools and people an administrator reaches come from the directory's scopes
(`administered_schools`, `administered_people`): operator → the whole tenant, authority
administrator → its authorities' schools, school administrator (ADML) → their school.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from preau.core.actor import Actor
from preau.core.models import AuditEntry


class Perm(StrEnum):
    USE_CONSOLE = "console.use"
    READ_AUDIT = "console.read_audit"


class ConsolePolicy:
    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool:
        if perm in (Perm.USE_CONSOLE, Perm.READ_AUDIT):
            return actor.is_admin
        return False

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
        """Audit entries: the whole tenant for an operator; otherwise the entries about a school
        the actor administers, plus the entries the actor wrote."""
        qs = qs.filter(tenant=actor.tenant)
        if actor.is_operator:
            return qs
        if not actor.is_admin:
            return qs.none()
        return qs.filter(Q(school_id__in=actor.admin_school_ids) | Q(actor=actor.person))


policy = ConsolePolicy()


def visible_audit(actor: Actor) -> QuerySet[AuditEntry]:
    return policy.visible(actor, AuditEntry.objects.all())
