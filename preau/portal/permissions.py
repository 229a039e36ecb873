"""The portal's permissions: one's own profile, and who may see whose avatar."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from preau.core.actor import Actor
from preau.directory.models import Membership, Person


class Perm(StrEnum):
    EDIT_PROFILE = "portal.edit_profile"
    VIEW_AVATAR = "portal.view_avatar"


class PortalPolicy:
    """A person edits only their own profile.

    An avatar is seen by the person themself, by the people who share a school with them this
    school year, and by the administrators of one of their schools (operators: the whole tenant).
    """

    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool:
        if perm == Perm.EDIT_PROFILE:
            return (
                isinstance(obj, Person)
                and obj.pk == actor.person.pk
                and obj.tenant_id == actor.tenant.pk
            )
        if perm == Perm.VIEW_AVATAR:
            return (
                isinstance(obj, Person)
                and self.visible(actor, Person.objects.filter(pk=obj.pk)).exists()
            )
        return False

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
        """People of `qs` whose avatar the actor may see."""
        qs = qs.filter(tenant=actor.tenant)
        if actor.is_operator:
            return qs
        school_ids = actor.school_ids | actor.admin_school_ids
        shares_a_school = Exists(
            Membership.objects.filter(
                person=OuterRef("pk"), year__is_current=True, school_id__in=school_ids
            )
        )
        return (
            qs.filter(Q(pk=actor.person.pk) | shares_a_school)
            if school_ids
            else qs.filter(pk=actor.person.pk)
        )


policy = PortalPolicy()
