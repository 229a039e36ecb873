"""Reads of the directory. `access_*` is the only way a view gets one object."""

from __future__ import annotations

from django.db import connection
from django.db.models import CharField, Exists, OuterRef, Prefetch, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404

from preau.core.actor import Actor
from preau.core.http import PreauRequest
from preau.core.models import Tenant
from preau.core.pagination import Page, keyset_page
from preau.core.sanitize import fold
from preau.directory.communication import writable_people
from preau.directory.models import (
    AuthorityAdmin,
    GuardianLink,
    Membership,
    Person,
    Profile,
    School,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
)

ACTIVE_SCHOOL_SESSION_KEY = "preau_school_id"
PEOPLE_PAGE_MAX = 100
SEARCH_MAX_WORDS = 6
SEARCH_MAX_LENGTH = 100


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


def current_memberships_prefetch(tenant: Tenant, to_attr: str = "current_memberships") -> Prefetch:
    """Prefetch a person's current-year memberships with their school and class (one query)."""
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(tenant=tenant, year__is_current=True)
        .select_related("school", "school_class")
        .order_by("school__name", "profile", "id"),
        to_attr=to_attr,
    )


def search_words(search: str) -> list[str]:
    """The folded words of a search ("Éloïse  Dup" -> ["eloise", "dup"]), bounded in size."""
    return fold(search[:SEARCH_MAX_LENGTH]).split()[:SEARCH_MAX_WORDS]


def people_visible_to(
    actor: Actor,
    *,
    search: str = "",
    profile: str | None = None,
    school_id: int | None = None,
    after: str | None = None,
    limit: int = 20,
) -> Page[Person]:
    """One page of the people the actor may write to: the pickers' search.

    Each word of `search` must appear, accent- and case-insensitively, in the person's
    "last first" name. `profile` and `school_id` keep people with such a current membership.
    Ordered and paged by (search_name, id); `after` is the previous page's `next_cursor`
    (a malformed one raises `BadCursorError`). Each person carries `current_memberships`
    (school and class loaded): the page costs two queries after the rules' read.
    """
    qs = writable_people(actor)
    for word in search_words(search):
        qs = qs.filter(search_name__contains=word)
    if profile or school_id:
        memberships = Membership.objects.filter(
            tenant=actor.tenant, year__is_current=True, person_id=OuterRef("pk")
        )
        if profile:
            memberships = memberships.filter(profile=profile)
        if school_id:
            memberships = memberships.filter(school_id=school_id)
        qs = qs.filter(Exists(memberships))
    qs = qs.prefetch_related(current_memberships_prefetch(actor.tenant))
    name = "search_name"
    words = search_words(search)
    if connection.vendor == "postgresql" and words:
        # Ordered by an expression the name index cannot give, PostgreSQL does not walk every
        # name of the tenant in order to fill a page: it starts from the people of the actor's
        # schools (whom the rules can reach at all) or, for words of 3 letters or more, from
        # the trigram index (migration 0004), and sorts the few the rules keep
        # (docs/bench-messaging.md).
        qs = qs.annotate(name_order=Concat("search_name", Value(""), output_field=CharField()))
        name = "name_order"
        if not actor.is_operator:
            # The rules reach only members of these schools and the guardians of their pupils.
            schools = actor.school_ids | actor.admin_school_ids
            members = Membership.objects.filter(tenant=actor.tenant, school_id__in=schools)
            guardians = GuardianLink.objects.filter(
                tenant=actor.tenant,
                pupil_id__in=members.filter(profile=Profile.PUPIL).values("person_id"),
            )
            qs = qs.filter(
                pk__in=members.values("person_id").union(guardians.values("guardian_id"))
            )
    return keyset_page(
        qs,
        order=(name, "id"),
        after=after,
        limit=max(1, min(limit, PEOPLE_PAGE_MAX)),
    )


def classes_of_school(actor: Actor, school_id: int) -> QuerySet[SchoolClass]:
    """This year's classes of a school the actor belongs to or administers (404 otherwise)."""
    school = access_school(actor, school_id)
    return (
        SchoolClass.objects.filter(tenant=actor.tenant, school=school, year__is_current=True)
        .select_related("level")
        .order_by("name", "id")
    )


def children_of(actor: Actor) -> QuerySet[Person]:
    """The actor's children (guardian links of any level), with their current memberships."""
    links = GuardianLink.objects.filter(
        tenant=actor.tenant, guardian_id=actor.person.pk, pupil_id=OuterRef("pk")
    )
    return (
        Person.objects.filter(Exists(links), tenant=actor.tenant)
        .prefetch_related(current_memberships_prefetch(actor.tenant))
        .order_by("search_name", "id")
    )


def assignments_of(actor: Actor) -> QuerySet[TeachingAssignment]:
    """The actor's teaching assignments of the current year, with class, group and subject."""
    return (
        TeachingAssignment.objects.filter(
            tenant=actor.tenant, teacher_id=actor.person.pk, year__is_current=True
        )
        .select_related("school_class", "group", "subject")
        .order_by("school_id", "id")
    )


# --- duplicates proposed by the feeds --------------------------------------------------------
#
# Imported here on purpose: this part of the file was appended while other parts were edited.

from preau.directory.models import DuplicateCandidate  # noqa: E402
from preau.directory.permissions import Perm, policy  # noqa: E402


def duplicates_of_school(actor: Actor, school: School) -> QuerySet[DuplicateCandidate]:
    """The open possible duplicates of a school the actor administers (404 otherwise).

    Newest first, each with its existing and incoming person loaded: one query.
    """
    if not policy.can(actor, Perm.ADMINISTER_SCHOOL, school):
        raise Http404
    return (
        DuplicateCandidate.objects.filter(
            tenant=actor.tenant, school=school, status=DuplicateCandidate.Status.OPEN
        )
        .select_related("existing", "incoming")
        .order_by("-created_at", "-id")
    )


def access_duplicate(actor: Actor, candidate_id: int) -> DuplicateCandidate:
    """A possible duplicate (any status) of a school the actor administers; 404 otherwise,
    missing, of another school or of another tenant alike."""
    candidate = (
        DuplicateCandidate.objects.filter(tenant=actor.tenant, pk=candidate_id)
        .select_related("school", "existing", "incoming")
        .first()
    )
    if candidate is None or not policy.can(actor, Perm.ADMINISTER_SCHOOL, candidate.school):
        raise Http404
    return candidate
