"""Reads of the directory. `access_*` is the only way a view gets one object."""

from __future__ import annotations

from django.http import Http404

from preau.core.actor import Actor
from preau.core.http import PreauRequest
from preau.core.models import Tenant
from preau.directory.models import AuthorityAdmin, Membership, Person, School, SchoolYear

ACTIVE_SCHOOL_SESSION_KEY = "preau_school_id"


def current_year(tenant: Tenant) -> SchoolYear | None:
    return SchoolYear.objects.filter(tenant=tenant, is_current=True).first()


def build_actor(
    person: Person, *, tenant: Tenant, school_id: int | None = None, ip: str | None = None
) -> Actor:
    """The Actor of `person`: current-year memberships, administered schools and authorities."""
    memberships = tuple(
        Membership.objects.filter(tenant=tenant, person=person, year__is_current=True)
        .select_related("school", "school_class")
        .order_by("school__name", "id")
    )
    authority_ids = frozenset(
        AuthorityAdmin.objects.filter(tenant=tenant, person=person).values_list(
            "authority_id", flat=True
        )
    )
    admin_schools = {m.school_id for m in memberships if m.is_school_admin}
    if authority_ids:
        admin_schools |= set(
            School.objects.filter(tenant=tenant, authorities__in=authority_ids).values_list(
                "id", flat=True
            )
        )
    school: School | None = None
    for m in memberships:
        if m.school_id == school_id or school is None:
            school = m.school
            if m.school_id == school_id:
                break
    if (
        school_id
        and (school is None or school.pk != school_id)
        and (person.is_operator or school_id in admin_schools)
    ):
        school = School.objects.filter(tenant=tenant, pk=school_id).first() or school
    return Actor(
        person=person,
        tenant=tenant,
        memberships=memberships,
        school=school,
        admin_school_ids=frozenset(admin_schools),
        admin_authority_ids=authority_ids,
        ip=ip,
    )


def actor_for(request: PreauRequest) -> Actor:
    return build_actor(
        request.user,  # type: ignore[arg-type]
        tenant=request.tenant,
        school_id=request.session.get(ACTIVE_SCHOOL_SESSION_KEY),
        ip=request.META.get("REMOTE_ADDR"),
    )


def access_school(actor: Actor, school_id: int) -> School:
    """A school the actor belongs to or administers; 404 otherwise (missing = forbidden)."""
    qs = School.objects.filter(tenant=actor.tenant, pk=school_id)
    school = qs.first()
    if school is None or not (
        actor.is_operator or school.pk in actor.school_ids or school.pk in actor.admin_school_ids
    ):
        raise Http404
    return school
