"""Directory policy: administration scopes (operator, authority, school) and visibility."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from preau.core.actor import Actor
from preau.directory.models import Membership, Person, School


class Perm(StrEnum):
    ADMINISTER_SCHOOL = "directory.administer_school"
    ADMINISTER_PERSON = "directory.administer_person"
    # The operator and authority administrators create schools.
    CREATE_SCHOOL = "directory.create_school"
    # UAI, kind, sector and authorities: the operator, or an administrator of one of the
    # school's authorities (a school administrator changes the name and city only).
    CHANGE_SCHOOL_IDENTITY = "directory.change_school_identity"
    # AAF sets cover many schools: the operator and authority administrators import them.
    IMPORT_AAF = "directory.import_aaf"
    # SIECLE, STS-Web and CSV: a school's administrators, for their school (obj: the school).
    IMPORT_SCHOOL = "directory.import_school"
    # Opening the new school year: the operator.
    OPEN_SCHOOL_YEAR = "directory.open_school_year"


def administered_schools(actor: Actor) -> QuerySet[School]:
    """The schools the actor administers: all (operator), an authority's, or their own (ADML)."""
    qs = School.objects.filter(tenant=actor.tenant)
    if actor.is_operator:
        return qs
    return qs.filter(pk__in=actor.admin_school_ids)


def administered_people(actor: Actor, qs: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """People with a membership (any year) in a school the actor administers."""
    qs = Person.objects.filter(tenant=actor.tenant) if qs is None else qs
    if actor.is_operator:
        return qs.filter(tenant=actor.tenant)
    return qs.filter(
        Exists(
            Membership.objects.filter(person=OuterRef("pk"), school_id__in=actor.admin_school_ids)
        )
    )


class DirectoryPolicy:
    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool:  # noqa: PLR0911 - per perm
        if perm == Perm.ADMINISTER_SCHOOL:
            return (
                isinstance(obj, School)
                and obj.tenant_id == actor.tenant.pk
                and (actor.is_operator or obj.pk in actor.admin_school_ids)
            )
        if perm in {Perm.CREATE_SCHOOL, Perm.IMPORT_AAF}:
            return actor.is_operator or bool(actor.admin_authority_ids)
        if perm == Perm.IMPORT_SCHOOL:
            return self.can(actor, Perm.ADMINISTER_SCHOOL, obj)
        if perm == Perm.OPEN_SCHOOL_YEAR:
            return actor.is_operator
        if perm == Perm.CHANGE_SCHOOL_IDENTITY:
            return (
                isinstance(obj, School)
                and obj.tenant_id == actor.tenant.pk
                and (
                    actor.is_operator
                    or (
                        bool(actor.admin_authority_ids)
                        and obj.authorities.filter(pk__in=actor.admin_authority_ids).exists()
                    )
                )
            )
        if perm == Perm.ADMINISTER_PERSON:
            return (
                isinstance(obj, Person)
                and obj.tenant_id == actor.tenant.pk
                and administered_people(actor).filter(pk=obj.pk).exists()
            )
        return False

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
        return administered_people(actor, qs)


policy = DirectoryPolicy()
