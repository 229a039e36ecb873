"""Audiences: the one reusable "who" of the product, resolved to people by a single query.

An audience is the union of its targets. Each target kind is a condition on `Person` written as
`Exists(...)` subqueries; an audience OR-s its targets' conditions. Nothing is loaded into Python
but the targets themselves, and the people come back in one query.

Every resolution is limited to the audience's tenant, to people who are not blocked, and to
memberships (and assignments, groups) of the tenant's current school year:

| kind              | resolves to                                                            |
|-------------------|------------------------------------------------------------------------|
| SCHOOL            | every person with a current membership in the school                   |
| PROFILE           | the members of the school with that profile                            |
| CLASS_PUPILS      | the pupils whose current membership is in the class                    |
| CLASS_GUARDIANS   | the guardians (levels 1 and 2) linked to a current pupil of the class  |
| CLASS_TEACHERS    | members of the class's school with a current assignment to the class,  |
|                   | or to a group with at least one current pupil of the class as member   |
| GROUP             | the members of a current-year group who are current members of its     |
|                   | school (the group's teachers are not members unless added as such)     |
| FUNCTION          | staff of the school whose functions include the code                   |
| SUBJECT_TEACHERS  | members of the school with a current assignment in that subject there  |
| AUTHORITY         | members of every school directly under the authority (optionally only  |
|                   | `target.profile`); sub-authorities' schools are not walked             |
| PERSON            | that person (no membership required: operators and agents have none)   |

CLASS_GUARDIANS does not require the guardian to hold a membership of their own: the link to a
pupil who is in the class this year is what counts (imports do not always give guardians one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from preau.directory.models import (
    Audience,
    AudienceTarget,
    Function,
    GroupMember,
    GuardianLink,
    Membership,
    Person,
    Profile,
    TeachingAssignment,
)

Kind = AudienceTarget.Kind
NOBODY = Q(pk__in=[])


# --- Building blocks: conditions on Person (the outer row is the person) ---------------------


def current_memberships(tenant_id: int) -> QuerySet[Membership]:
    """Memberships of the tenant's current school year."""
    return Membership.objects.filter(tenant_id=tenant_id, year__is_current=True)


def member_now(tenant_id: int, *conditions: Q, **filters: object) -> Q:
    """The person has a current membership matching `conditions` and `filters`."""
    return Q(
        Exists(
            current_memberships(tenant_id).filter(*conditions, person_id=OuterRef("pk"), **filters)
        )
    )


def has_function(code: str) -> Q:
    """A staff membership whose JSON list of functions holds `code`, on SQLite and PostgreSQL.

    `functions__contains=[code]` is PostgreSQL-only; the portable form matches the quoted code
    in the JSON text (`["EVS", "DIR"]`). Codes are fixed three-letter strings (validated here),
    so the quoted match is exact. The lookup only ever runs on the few rows of one school's
    staff, already narrowed by the (school, year, profile) index.
    """
    if code not in Function.values:
        return NOBODY
    return Q(profile=Profile.STAFF, functions__icontains=f'"{code}"')


def guardian_of(tenant_id: int, pupils: Q) -> Q:
    """The person is a guardian (level 1 or 2) of a pupil with a current membership in `pupils`.

    `pupils` is a condition on Membership (e.g. `Q(school_class_id=3)`).
    """
    pupil_now = Exists(
        current_memberships(tenant_id).filter(pupils, person_id=OuterRef("pupil_id"))
    )
    return Q(
        Exists(
            GuardianLink.objects.filter(
                pupil_now,
                tenant_id=tenant_id,
                guardian_id=OuterRef("pk"),
                level__in=(GuardianLink.Level.LEGAL, GuardianLink.Level.IN_CHARGE),
            )
        )
    )


def pupils_of_class_in_groups(tenant_id: int, class_ids: Iterable[int]) -> QuerySet[GroupMember]:
    """Group memberships of current pupils of the classes (to find the groups a class is in)."""
    return GroupMember.objects.filter(
        tenant_id=tenant_id,
        group__year__is_current=True,
        person__memberships__year__is_current=True,
        person__memberships__profile=Profile.PUPIL,
        person__memberships__school_class_id__in=list(class_ids),
    )


def teaches(tenant_id: int, assignments: Q) -> Q:
    """The person has a current teaching assignment matching `assignments`."""
    return Q(
        Exists(
            TeachingAssignment.objects.filter(
                assignments, tenant_id=tenant_id, teacher_id=OuterRef("pk"), year__is_current=True
            )
        )
    )


def class_teachers(tenant_id: int, class_id: int) -> Q:
    """Teachers of a class: assigned to it, or to a group one of its current pupils is in.

    They must also be current members of the class's school.
    """
    groups = pupils_of_class_in_groups(tenant_id, [class_id]).values("group_id")
    return member_now(tenant_id, school__classes=class_id) & teaches(
        tenant_id, Q(school_class_id=class_id) | Q(group_id__in=groups)
    )


# --- Targets -----------------------------------------------------------------------------


def _school(target: AudienceTarget) -> Q:
    t = target.tenant_id
    return member_now(t, school_id=target.school_id) if target.school_id else NOBODY


def _profile(target: AudienceTarget) -> Q:
    t = target.tenant_id
    if not (target.school_id and target.profile):
        return NOBODY
    return member_now(t, school_id=target.school_id, profile=target.profile)


def _class_pupils(target: AudienceTarget) -> Q:
    t = target.tenant_id
    if not target.school_class_id:
        return NOBODY
    return member_now(t, school_class_id=target.school_class_id, profile=Profile.PUPIL)


def _class_guardians(target: AudienceTarget) -> Q:
    t = target.tenant_id
    if not target.school_class_id:
        return NOBODY
    return guardian_of(t, Q(school_class_id=target.school_class_id, profile=Profile.PUPIL))


def _class_teachers(target: AudienceTarget) -> Q:
    if not target.school_class_id:
        return NOBODY
    return class_teachers(target.tenant_id, target.school_class_id)


def _group(target: AudienceTarget) -> Q:
    t = target.tenant_id
    if not target.group_id:
        return NOBODY
    in_group = Exists(
        GroupMember.objects.filter(
            tenant_id=t,
            group_id=target.group_id,
            group__year__is_current=True,
            person_id=OuterRef("pk"),
        )
    )
    return Q(in_group) & member_now(t, school__groups=target.group_id)


def _function(target: AudienceTarget) -> Q:
    t = target.tenant_id
    if not (target.school_id and target.function):
        return NOBODY
    return member_now(t, has_function(target.function), school_id=target.school_id)


def _subject_teachers(target: AudienceTarget) -> Q:
    t = target.tenant_id
    if not (target.school_id and target.subject_id):
        return NOBODY
    return member_now(t, school_id=target.school_id) & teaches(
        t, Q(school_id=target.school_id, subject_id=target.subject_id)
    )


def _authority(target: AudienceTarget) -> Q:
    t = target.tenant_id
    if not target.authority_id:
        return NOBODY
    filters: dict[str, object] = {"school__authorities": target.authority_id}
    if target.profile:
        filters["profile"] = target.profile
    return member_now(t, **filters)


def _person(target: AudienceTarget) -> Q:
    return Q(pk=target.person_id) if target.person_id else NOBODY


TARGET_CONDITIONS: dict[str, Callable[[AudienceTarget], Q]] = {
    Kind.SCHOOL: _school,
    Kind.PROFILE: _profile,
    Kind.CLASS_PUPILS: _class_pupils,
    Kind.CLASS_GUARDIANS: _class_guardians,
    Kind.CLASS_TEACHERS: _class_teachers,
    Kind.GROUP: _group,
    Kind.FUNCTION: _function,
    Kind.SUBJECT_TEACHERS: _subject_teachers,
    Kind.AUTHORITY: _authority,
    Kind.PERSON: _person,
}


def target_condition(target: AudienceTarget) -> Q:
    """The condition on Person of one target (an unknown kind matches nobody)."""
    build = TARGET_CONDITIONS.get(target.kind)
    return build(target) if build else NOBODY


def _people(tenant_id: int, condition: Q) -> QuerySet[Person]:
    return Person.objects.filter(condition, tenant_id=tenant_id, is_blocked=False)


def people_in_target(target: AudienceTarget) -> QuerySet[Person]:
    """The people one target reaches: a lazy queryset, one query when evaluated."""
    return _people(target.tenant_id, target_condition(target))


def resolve_audience(audience: Audience) -> QuerySet[Person]:
    """The people an audience reaches: the union of its targets, one query when evaluated.

    Reads the targets (one small query, or none when `targets` is prefetched); the people
    themselves are never loaded here.
    """
    condition = NOBODY
    for target in audience.targets.all():
        condition |= target_condition(target)
    return _people(audience.tenant_id, condition)


def audience_size(audience: Audience) -> int:
    """How many distinct people the audience reaches (one COUNT query after the targets)."""
    return resolve_audience(audience).count()


# --- The reverse: which audiences reach a person -------------------------------------------


def audience_ids_reaching(person: Person) -> QuerySet[AudienceTarget, int]:
    """The ids of the tenant's audiences that reach `person`, by the rules of the table above.

    The mirror of `resolve_audience`: `person in resolve_audience(a)` exactly when `a.pk` is
    among these (tested both ways on every kind). A lazy queryset of `audience_id` values,
    meant as a subquery (`audience_id__in=audience_ids_reaching(person)`): it costs no query of
    its own. The targets are found by one SQL union, one branch per target kind, each a
    semi-join on the person's current places that the foreign-key indexes answer, so the work
    grows with the person's places, not with the number of audiences in the tenant.

    The union is written once as SQL (`_REACHING_SQL`): the same union through the ORM took
    about 30 ms of Python to build and compile on every call (every feed, badge and banner),
    the text with its parameters takes microseconds, and the database plans both alike.
    """
    targets = AudienceTarget.objects.filter(tenant_id=person.tenant_id)
    if person.is_blocked:
        return targets.none().values_list("audience_id", flat=True)
    params = {"t": person.tenant_id, "p": person.pk, "current": True}
    sql, values = _named(REACHING_SQL, params)
    # A constant text: the person and tenant are parameters.
    reaching = RawSQL(sql, values)  # noqa: S611
    return targets.filter(pk__in=reaching).values_list("audience_id", flat=True)


def _named(sql: str, params: Mapping[str, object]) -> tuple[str, list[object]]:
    """`%(name)s` placeholders as positional `%s` with their values in order (both backends)."""
    values: list[object] = []

    def take(match: re.Match[str]) -> str:
        values.append(params[match.group(1)])
        return "%s"

    return re.sub(r"%\((\w+)\)s", take, sql), values


# The targets reaching person %(p)s of tenant %(t)s: the table of the module docstring read
# backwards. `mine` is the person's memberships of the current year; each branch of the union
# is one kind (the literals are AudienceTarget.Kind, Profile and Function values: a test checks
# them). Portable SQL: SQLite and PostgreSQL both take a WITH inside a subquery.
REACHING_SQL = """
WITH mine AS (
    SELECT m.school_id, m.profile, m.school_class_id, CAST(m.functions AS TEXT) AS functions
    FROM directory_membership m JOIN directory_schoolyear y ON y.id = m.year_id
    WHERE m.tenant_id = %(t)s AND m.person_id = %(p)s AND y.is_current = %(current)s
),
taught AS (
    SELECT ta.school_class_id, ta.group_id, ta.school_id, ta.subject_id
    FROM directory_teachingassignment ta JOIN directory_schoolyear ty ON ty.id = ta.year_id
    WHERE ta.tenant_id = %(t)s AND ta.teacher_id = %(p)s AND ty.is_current = %(current)s
)
SELECT a.id FROM directory_audiencetarget a
WHERE a.tenant_id = %(t)s AND a.kind = 'school'
    AND a.school_id IN (SELECT school_id FROM mine)
UNION
SELECT a.id FROM directory_audiencetarget a
WHERE a.tenant_id = %(t)s AND a.kind = 'profile'
    AND EXISTS (SELECT 1 FROM mine WHERE mine.school_id = a.school_id
                AND mine.profile = a.profile)
UNION
SELECT a.id FROM directory_audiencetarget a
WHERE a.tenant_id = %(t)s AND a.kind = 'class_pupils'
    AND a.school_class_id IN (SELECT school_class_id FROM mine WHERE profile = 'pupil')
UNION
SELECT a.id FROM directory_audiencetarget a
WHERE a.tenant_id = %(t)s AND a.kind = 'class_guardians'
    AND a.school_class_id IN (
        SELECT pm.school_class_id FROM directory_guardianlink gl
        JOIN directory_membership pm ON pm.person_id = gl.pupil_id
        JOIN directory_schoolyear py ON py.id = pm.year_id
        WHERE gl.tenant_id = %(t)s AND gl.guardian_id = %(p)s AND gl.level IN (1, 2)
            AND pm.tenant_id = %(t)s AND pm.profile = 'pupil' AND py.is_current = %(current)s)
UNION
SELECT a.id FROM directory_audiencetarget a
WHERE a.tenant_id = %(t)s AND a.kind = 'class_teachers'
    AND EXISTS (SELECT 1 FROM mine JOIN directory_schoolclass c ON c.school_id = mine.school_id
                WHERE c.id = a.school_class_id)
    AND (a.school_class_id IN (SELECT school_class_id FROM taught)
         OR a.school_class_id IN (
            SELECT pm.school_class_id FROM directory_groupmember gm
            JOIN directory_group gg ON gg.id = gm.group_id
            JOIN directory_schoolyear gy ON gy.id = gg.year_id
            JOIN directory_membership pm ON pm.person_id = gm.person_id
            JOIN directory_schoolyear py ON py.id = pm.year_id
            WHERE gm.tenant_id = %(t)s AND gm.group_id IN (SELECT group_id FROM taught)
                AND gy.is_current = %(current)s AND pm.tenant_id = %(t)s
                AND pm.profile = 'pupil' AND py.is_current = %(current)s))
UNION
SELECT a.id FROM directory_audiencetarget a
WHERE a.tenant_id = %(t)s AND a.kind = 'group'
    AND a.group_id IN (
        SELECT gm.group_id FROM directory_groupmember gm
        JOIN directory_group gg ON gg.id = gm.group_id
        JOIN directory_schoolyear gy ON gy.id = gg.year_id
        WHERE gm.tenant_id = %(t)s AND gm.person_id = %(p)s AND gy.is_current = %(current)s)
    AND EXISTS (SELECT 1 FROM mine JOIN directory_group g ON g.school_id = mine.school_id
                WHERE g.id = a.group_id)
UNION
SELECT a.id FROM directory_audiencetarget a
WHERE a.tenant_id = %(t)s AND a.kind = 'function'
    AND a.function IN ('DIR', 'EVS', 'ETA', 'DOC', 'RES', 'COL')
    AND EXISTS (SELECT 1 FROM mine WHERE mine.school_id = a.school_id
                AND mine.profile = 'staff'
                AND mine.functions LIKE '%%"' || a.function || '"%%')
UNION
SELECT a.id FROM directory_audiencetarget a
WHERE a.tenant_id = %(t)s AND a.kind = 'subject_teachers'
    AND EXISTS (SELECT 1 FROM mine WHERE mine.school_id = a.school_id)
    AND EXISTS (SELECT 1 FROM taught WHERE taught.school_id = a.school_id
                AND taught.subject_id = a.subject_id)
UNION
SELECT a.id FROM directory_audiencetarget a
WHERE a.tenant_id = %(t)s AND a.kind = 'authority'
    AND EXISTS (SELECT 1 FROM mine
                JOIN directory_school_authorities sa ON sa.school_id = mine.school_id
                WHERE sa.authority_id = a.authority_id
                AND (a.profile = '' OR mine.profile = a.profile))
UNION
SELECT a.id FROM directory_audiencetarget a
WHERE a.tenant_id = %(t)s AND a.kind = 'person' AND a.person_id = %(p)s
"""
