"""Reads of the administration console. `access_*` is the only way a view gets one object.

Everything is scoped by the directory's administration scopes; an object outside them answers
404 exactly like a missing one, so ids leak nothing. Every list runs a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from preau.console.permissions import Perm, policy, visible_audit
from preau.core.actor import Actor
from preau.core.models import AuditEntry
from preau.core.pagination import Page, keyset_page
from preau.core.sanitize import fold
from preau.directory.models import (
    Authority,
    Group,
    GroupMember,
    GuardianLink,
    ImportChange,
    ImportJob,
    Membership,
    Person,
    Profile,
    School,
    SchoolClass,
    SchoolYear,
)
from preau.directory.permissions import Perm as DirectoryPerm
from preau.directory.permissions import administered_people, administered_schools
from preau.directory.permissions import policy as directory_policy
from preau.directory.queries import current_year

PAGE_SIZE = 50


def require_console(actor: Actor) -> None:
    """Only administrators open the console; anyone else gets a 404 (nothing to see here)."""
    if not policy.can(actor, Perm.USE_CONSOLE):
        raise Http404


def open_year(actor: Actor) -> SchoolYear | None:
    return current_year(actor.tenant)


# --- schools -----------------------------------------------------------------------------------


def _count_members(year_id: int | None, profile: str) -> Coalesce:
    sub = (
        Membership.objects.filter(school=OuterRef("pk"), year_id=year_id, profile=profile)
        .order_by()
        .values("school")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def _count_classes(year_id: int | None) -> Coalesce:
    sub = (
        SchoolClass.objects.filter(school=OuterRef("pk"), year_id=year_id)
        .order_by()
        .values("school")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def with_counts(qs: QuerySet[School], year: SchoolYear | None) -> QuerySet[School]:
    """Annotate pupil, teacher and class counts of the current year (one query in all)."""
    year_id = year.pk if year else None
    return qs.annotate(
        pupil_count=_count_members(year_id, Profile.PUPIL),
        teacher_count=_count_members(year_id, Profile.TEACHER),
        class_count=_count_classes(year_id),
    )


def schools_page(
    actor: Actor,
    *,
    year: SchoolYear | None,
    search: str = "",
    after: str | None = None,
    limit: int = PAGE_SIZE,
    base_query: dict[str, str] | None = None,
) -> Page[School]:
    """The schools the actor administers, by name, with their counts: one query."""
    qs = administered_schools(actor)
    search = search.strip()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(uai__istartswith=search))
    return keyset_page(
        with_counts(qs, year),
        order=("name", "id"),
        after=after,
        limit=limit,
        base_query=base_query,
    )


def access_school(actor: Actor, school_id: int, *, year: SchoolYear | None = None) -> School:
    """A school the actor administers (with its counts when `year` is given), else 404."""
    qs = administered_schools(actor).filter(pk=school_id)
    if year is not None:
        qs = with_counts(qs, year)
    school = qs.first()
    if school is None:
        raise Http404
    return school


def require_school_creation(actor: Actor) -> None:
    """Only the operator and authority administrators create schools; 404 for anyone else."""
    if not directory_policy.can(actor, DirectoryPerm.CREATE_SCHOOL):
        raise Http404


def attachable_authorities(actor: Actor) -> QuerySet[Authority]:
    """The authorities the actor may hang a school under: the tenant's (operator) or theirs."""
    qs = Authority.objects.filter(tenant=actor.tenant)
    if not actor.is_operator:
        qs = qs.filter(pk__in=actor.admin_authority_ids)
    return qs.order_by("name", "id")


def school_authorities(school: School) -> list[Authority]:
    return list(school.authorities.order_by("name", "id"))


def schools_for_filter(actor: Actor) -> QuerySet[School]:
    return administered_schools(actor).only("id", "name").order_by("name", "id")


# --- people ------------------------------------------------------------------------------------


def school_memberships(school: School, year: SchoolYear | None) -> QuerySet[Membership]:
    return Membership.objects.filter(tenant_id=school.tenant_id, school=school, year=year)


def people_page(
    school: School,
    year: SchoolYear | None,
    *,
    search: str = "",
    profile: str = "",
    school_class: SchoolClass | None = None,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    base_query: dict[str, str] | None = None,
) -> Page[Person]:
    """Members of `school` this year, by folded name, each with `school_memberships` (two
    queries whatever the page size)."""
    memberships = school_memberships(school, year)
    if profile:
        memberships = memberships.filter(profile=profile)
    if school_class is not None:
        memberships = memberships.filter(school_class=school_class)
    qs = Person.objects.filter(
        Exists(memberships.filter(person=OuterRef("pk"))), tenant_id=school.tenant_id
    )
    for word in fold(search).split():
        qs = qs.filter(search_name__contains=word)
    qs = qs.only(
        "id",
        "login",
        "first_name",
        "last_name",
        "search_name",
        "is_blocked",
        "activated_at",
        "tenant_id",
    ).prefetch_related(
        Prefetch(
            "memberships",
            queryset=school_memberships(school, year)
            .select_related("school_class")
            .order_by("profile", "id"),
            to_attr="school_memberships",
        )
    )
    return keyset_page(
        qs, order=("search_name", "id"), after=after, limit=limit, base_query=base_query
    )


def access_member(actor: Actor, school: School, person_id: int) -> Person:
    """A member of `school` this year whom the actor administers, else 404."""
    year = open_year(actor)
    person = (
        administered_people(actor, Person.objects.filter(tenant=actor.tenant, pk=person_id))
        .filter(Exists(school_memberships(school, year).filter(person=OuterRef("pk"))))
        .first()
    )
    if person is None:
        raise Http404
    return person


@dataclass
class PersonDetails:
    person: Person
    memberships: list[Membership]
    guardians: list[GuardianLink]
    children: list[GuardianLink]
    # Relatives who are members of this school: their names link to their page.
    linkable_ids: set[int] = field(default_factory=set)

    @property
    def profiles(self) -> set[str]:
        return {m.profile for m in self.memberships}

    @property
    def pupil_membership(self) -> Membership | None:
        return next((m for m in self.memberships if m.profile == Profile.PUPIL), None)

    @property
    def staff_membership(self) -> Membership | None:
        return next((m for m in self.memberships if m.profile == Profile.STAFF), None)


def person_details(school: School, year: SchoolYear | None, person: Person) -> PersonDetails:
    """A member's memberships of this school, guardians and children: four queries."""
    memberships = list(
        school_memberships(school, year)
        .filter(person=person)
        .select_related("school_class", "year")
        .order_by("profile")
    )
    links = list(
        GuardianLink.objects.filter(tenant_id=school.tenant_id)
        .filter(Q(pupil=person) | Q(guardian=person))
        .select_related("pupil", "guardian")
        .order_by("contact_priority", "id")
    )
    guardians = [link for link in links if link.pupil_id == person.pk]
    children = [link for link in links if link.guardian_id == person.pk]
    relatives = {link.guardian_id for link in guardians} | {link.pupil_id for link in children}
    linkable = set(
        school_memberships(school, year)
        .filter(person_id__in=relatives)
        .values_list("person_id", flat=True)
    )
    return PersonDetails(person, memberships, guardians, children, linkable)


# --- classes and groups ------------------------------------------------------------------------


def classes_of(school: School, year: SchoolYear | None) -> QuerySet[SchoolClass]:
    """The school's classes this year with their pupil counts (one query)."""
    return (
        SchoolClass.objects.filter(tenant_id=school.tenant_id, school=school, year=year)
        .select_related("level")
        .annotate(
            pupil_count=Count("memberships", filter=Q(memberships__profile=Profile.PUPIL)),
        )
        .order_by("name", "id")
    )


def access_class(actor: Actor, school: School, class_id: int) -> SchoolClass:
    """A class of an administered school, this year; 404 otherwise."""
    school_class = (
        SchoolClass.objects.filter(
            tenant=actor.tenant, school=school, year=open_year(actor), pk=class_id
        )
        .select_related("school", "level")
        .first()
    )
    if school_class is None:
        raise Http404
    return school_class


def groups_of(school: School, year: SchoolYear | None) -> QuerySet[Group]:
    """The school's groups this year with member counts and classes (two queries)."""
    return (
        Group.objects.filter(tenant_id=school.tenant_id, school=school, year=year)
        .annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related(Prefetch("classes", queryset=SchoolClass.objects.order_by("name")))
        .order_by("name", "id")
    )


def access_group(actor: Actor, school: School, group_id: int) -> Group:
    group = (
        Group.objects.filter(tenant=actor.tenant, school=school, year=open_year(actor), pk=group_id)
        .select_related("school")
        .first()
    )
    if group is None:
        raise Http404
    return group


def pupils_of_school(school: School, year: SchoolYear | None) -> QuerySet[Person]:
    """Choices for a class's pupils: the school's pupils this year."""
    return Person.objects.filter(
        Exists(school_memberships(school, year).filter(person=OuterRef("pk"), profile="pupil")),
        tenant_id=school.tenant_id,
    )


def members_of_school(school: School, year: SchoolYear | None) -> QuerySet[Person]:
    """Choices for a group's members: everyone in the school this year."""
    return Person.objects.filter(
        Exists(school_memberships(school, year).filter(person=OuterRef("pk"))),
        tenant_id=school.tenant_id,
    )


@dataclass
class Bucket:
    """A labelled list of people shown as one fieldset of checkboxes."""

    key: str
    label: str
    people: list[Person]
    open: bool = False


def member_rows(
    school: School, year: SchoolYear | None, *, profiles: tuple[str, ...]
) -> list[Membership]:
    """Memberships of `profiles` in the school this year, with person and class: one query."""
    return list(
        school_memberships(school, year)
        .filter(profile__in=profiles)
        .select_related("person", "school_class")
        .only(
            "id",
            "profile",
            "school_class__id",
            "school_class__name",
            "person__id",
            "person__first_name",
            "person__last_name",
            "person__search_name",
            "person__login",
        )
        .order_by("school_class__name", "person__search_name", "person_id")
    )


def group_member_ids(group: Group) -> set[int]:
    return set(GroupMember.objects.filter(group=group).values_list("person_id", flat=True))


def class_pupil_ids(school_class: SchoolClass) -> set[int]:
    return set(
        Membership.objects.filter(
            school_class=school_class, profile=Profile.PUPIL, year_id=school_class.year_id
        ).values_list("person_id", flat=True)
    )


# --- activation letters ------------------------------------------------------------------------


@dataclass
class Letter:
    person: Person
    role: str  # "pupil" or "guardian"
    children: list[Person] = field(default_factory=list)


def letter_recipients(actor: Actor, school_class: SchoolClass, *, guardians: bool) -> list[Letter]:
    """Who gets a letter: the class's pupils not yet activated (nor blocked), each followed by
    their guardians not yet activated when `guardians` (each guardian once). Two queries."""
    pupils = list(
        Person.objects.filter(
            tenant=actor.tenant,
            memberships__school_class=school_class,
            memberships__profile=Profile.PUPIL,
            memberships__year_id=school_class.year_id,
        )
        .distinct()
        .order_by("search_name", "id")
    )
    if not guardians:
        return [Letter(p, "pupil") for p in pupils if p.activated_at is None and not p.is_blocked]
    links = (
        GuardianLink.objects.filter(pupil__in=pupils, tenant=actor.tenant)
        .filter(
            guardian__in=administered_people(
                actor, Person.objects.filter(activated_at__isnull=True, is_blocked=False)
            )
        )
        .select_related("guardian")
        .order_by("contact_priority", "id")
    )
    by_pupil: dict[int, list[Person]] = {}
    for link in links:
        by_pupil.setdefault(link.pupil_id, []).append(link.guardian)
    children_of: dict[int, list[Person]] = {}
    for pupil in pupils:
        for guardian in by_pupil.get(pupil.pk, []):
            children_of.setdefault(guardian.pk, []).append(pupil)
    letters: list[Letter] = []
    seen: set[int] = set()
    for pupil in pupils:
        if pupil.activated_at is None and not pupil.is_blocked:
            letters.append(Letter(pupil, "pupil"))
        for guardian in by_pupil.get(pupil.pk, []):
            if guardian.pk not in seen:
                seen.add(guardian.pk)
                letters.append(Letter(guardian, "guardian", children_of[guardian.pk]))
    return letters


# --- audit -------------------------------------------------------------------------------------


def audit_page(
    actor: Actor,
    *,
    action: str = "",
    school: School | None = None,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    base_query: dict[str, str] | None = None,
) -> Page[AuditEntry]:
    """Audit entries the actor may read, newest first, keyset-paginated by id: one query.

    Raises BadCursorError for a malformed cursor.
    """
    qs = visible_audit(actor).select_related("school", "subject")
    action = action.strip()
    if action:
        qs = qs.filter(action__startswith=action)
    if school is not None:
        qs = qs.filter(school=school)
    return keyset_page(qs, order=("-id",), after=after, limit=limit, base_query=base_query)


# --- imports -------------------------------------------------------------------------------------


def visible_imports(actor: Actor) -> QuerySet[ImportJob]:
    """Import jobs the actor may see: all (operator); a school's imports (its administrators);
    the AAF sets they started themselves (authority administrators)."""
    qs = ImportJob.objects.filter(tenant=actor.tenant)
    if actor.is_operator:
        return qs
    return qs.filter(
        Q(school_id__in=actor.admin_school_ids) | Q(school__isnull=True, created_by=actor.person)
    )


def imports_page(
    actor: Actor,
    *,
    school: School | None = None,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    base_query: dict[str, str] | None = None,
) -> Page[ImportJob]:
    """Import jobs, newest first, keyset-paginated: one query."""
    qs = visible_imports(actor).select_related("school", "created_by")
    if school is not None:
        qs = qs.filter(school=school)
    return keyset_page(qs, order=("-id",), after=after, limit=limit, base_query=base_query)


def access_import(actor: Actor, job_id: int) -> ImportJob:
    job = visible_imports(actor).select_related("school", "created_by").filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


def import_changes_page(
    job: ImportJob,
    *,
    kind: str = "",
    action: str = "",
    after: str | None = None,
    limit: int = PAGE_SIZE,
    base_query: dict[str, str] | None = None,
) -> Page[ImportChange]:
    """The lines of a job's report, in the order they were found, keyset-paginated by seq."""
    qs = ImportChange.objects.filter(tenant_id=job.tenant_id, job=job)
    if kind:
        qs = qs.filter(kind=kind)
    if action:
        qs = qs.filter(action=action)
    return keyset_page(qs, order=("seq",), after=after, limit=limit, base_query=base_query)


def import_change_lines(job: ImportJob) -> Iterator[ImportChange]:
    """Every line of a job's report, streamed from the database (the CSV download)."""
    return (
        ImportChange.objects.filter(tenant_id=job.tenant_id, job=job)
        .order_by("seq")
        .iterator(chunk_size=2000)
    )


def school_years(actor: Actor) -> QuerySet[SchoolYear]:
    """The tenant's school years, newest first."""
    return SchoolYear.objects.filter(tenant=actor.tenant).order_by("-start_year")
