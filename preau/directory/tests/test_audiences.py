"""Audience resolution: each kind reaches exactly the right people, in one query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from preau.directory import models as m
from preau.directory.audiences import (
    audience_ids_reaching,
    audience_size,
    people_in_target,
    resolve_audience,
)
from preau.directory.tests import factories as f

Kind = m.AudienceTarget.Kind


@dataclass
class Extras:
    past_year: Any
    repeater: Any
    repeater_guardian: Any
    guardian2: Any
    blocked_pupil: Any
    blocked_teacher: Any
    former_teacher: Any
    cpe: Any
    past_group: Any


@pytest.fixture
def extras(world: Any) -> Extras:
    """Traps around the world: last year's rows, blocked people, level-2 guardians."""
    t = world.tenant
    past_year = f.SchoolYearFactory(
        tenant=t,
        start_year=2025,
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2026, 7, 4),
        is_current=False,
    )

    def person(first: str, last: str, **kw: Any) -> Any:
        return f.PersonFactory(tenant=t, first_name=first, last_name=last, **kw)

    def member(p: Any, school: Any, profile: str, year: Any = world.year, **kw: Any) -> Any:
        return m.Membership.objects.create(
            tenant=t, person=p, school=school, year=year, profile=profile, **kw
        )

    # Last year only, even pointing at this year's class: out of every current audience.
    repeater = person("Jules", "Ancien")
    member(repeater, world.school, m.Profile.PUPIL, past_year, school_class=world.class_a)
    repeater_guardian = person("Anne", "Ancien")
    m.GuardianLink.objects.create(tenant=t, pupil=repeater, guardian=repeater_guardian)
    # other_pupil was in `school` last year and moved to other_school.
    member(world.other_pupil, world.school, m.Profile.PUPIL, past_year)
    # A level-2 guardian (person in charge) without a membership of their own.
    guardian2 = person("Karim", "Bernard")
    m.GuardianLink.objects.create(
        tenant=t, pupil=world.pupil2, guardian=guardian2, level=m.GuardianLink.Level.IN_CHARGE
    )
    blocked_pupil = person("Zoé", "Bloquée", is_blocked=True)
    member(blocked_pupil, world.school, m.Profile.PUPIL, school_class=world.class_a)
    m.GroupMember.objects.create(tenant=t, group=world.group, person=blocked_pupil)
    blocked_teacher = person("Yves", "Bloqué", is_blocked=True)
    member(blocked_teacher, world.school, m.Profile.TEACHER)
    m.TeachingAssignment.objects.create(
        tenant=t,
        teacher=blocked_teacher,
        school=world.school,
        year=world.year,
        school_class=world.class_a,
        subject=world.maths,
    )
    # Still in the school, but taught class_a maths last year only.
    former_teacher = person("Gérard", "Passé")
    member(former_teacher, world.school, m.Profile.TEACHER)
    m.TeachingAssignment.objects.create(
        tenant=t,
        teacher=former_teacher,
        school=world.school,
        year=past_year,
        school_class=world.class_a,
        subject=world.maths,
    )
    cpe = person("Inès", "Lemoine")
    member(cpe, world.school, m.Profile.STAFF, functions=["DIR", "EVS"])
    # A teacher with a nonsense function must not count as staff.
    m.Membership.objects.filter(person=world.teacher).update(functions=["EVS"])
    past_group = f.GroupFactory(school=world.school, year=past_year, code="OLD")
    m.GroupMember.objects.create(tenant=t, group=past_group, person=world.pupil)
    return Extras(**{k: v for k, v in locals().items() if k in Extras.__dataclass_fields__})


def make_target(world: Any, kind: str, **fields: Any) -> m.AudienceTarget:
    audience = m.Audience.objects.create(tenant=world.tenant, label=kind)
    return m.AudienceTarget.objects.create(
        tenant=world.tenant, audience=audience, kind=kind, **fields
    )


SCHOOL_MEMBERS = {
    "pupil",
    "pupil2",
    "pupil_b",
    "guardian",
    "guardian_b",
    "teacher",
    "teacher_b",
    "staff",
    "director",
    "admin",
    "x.former_teacher",
    "x.cpe",
}
OTHER_SCHOOL_MEMBERS = {"other_pupil", "other_teacher", "other_admin"}

# (kind, target fields as names in world/extras, the exact people reached)
CASES: list[tuple[str, dict[str, str], set[str]]] = [
    (Kind.SCHOOL, {"school": "school"}, SCHOOL_MEMBERS),
    (Kind.SCHOOL, {"school": "other_school"}, OTHER_SCHOOL_MEMBERS),
    (Kind.SCHOOL, {"school": "foreign_school"}, set()),
    (
        Kind.PROFILE,
        {"school": "school", "profile": "=teacher"},
        {"teacher", "teacher_b", "x.former_teacher"},
    ),
    (Kind.PROFILE, {"school": "school", "profile": "=guardian"}, {"guardian", "guardian_b"}),
    (Kind.CLASS_PUPILS, {"school_class": "class_a"}, {"pupil", "pupil2"}),
    (Kind.CLASS_PUPILS, {"school_class": "class_b"}, {"pupil_b"}),
    (Kind.CLASS_PUPILS, {"school_class": "foreign_class"}, set()),
    (Kind.CLASS_GUARDIANS, {"school_class": "class_a"}, {"guardian", "x.guardian2"}),
    (Kind.CLASS_GUARDIANS, {"school_class": "class_b"}, {"guardian_b"}),
    # teacher_b teaches class_b and the Latin group, which has a pupil of class_a.
    (Kind.CLASS_TEACHERS, {"school_class": "class_a"}, {"teacher", "teacher_b"}),
    (Kind.CLASS_TEACHERS, {"school_class": "class_b"}, {"teacher_b"}),
    (Kind.CLASS_TEACHERS, {"school_class": "other_class"}, {"other_teacher"}),
    (Kind.GROUP, {"group": "group"}, {"pupil", "pupil_b"}),
    (Kind.GROUP, {"group": "x.past_group"}, set()),
    (Kind.FUNCTION, {"school": "school", "function": "=EVS"}, {"staff", "x.cpe"}),
    (Kind.FUNCTION, {"school": "school", "function": "=DIR"}, {"director", "x.cpe"}),
    (Kind.FUNCTION, {"school": "other_school", "function": "=DIR"}, {"other_admin"}),
    (Kind.FUNCTION, {"school": "school", "function": "=RES"}, set()),
    (Kind.SUBJECT_TEACHERS, {"school": "school", "subject": "maths"}, {"teacher"}),
    (Kind.SUBJECT_TEACHERS, {"school": "school", "subject": "french"}, {"teacher_b"}),
    (Kind.SUBJECT_TEACHERS, {"school": "other_school", "subject": "maths"}, {"other_teacher"}),
    (Kind.AUTHORITY, {"authority": "authority"}, SCHOOL_MEMBERS | OTHER_SCHOOL_MEMBERS),
    (
        Kind.AUTHORITY,
        {"authority": "authority", "profile": "=teacher"},
        {"teacher", "teacher_b", "x.former_teacher", "other_teacher"},
    ),
    (Kind.PERSON, {"person": "operator"}, {"operator"}),
    (Kind.PERSON, {"person": "x.blocked_pupil"}, set()),
    (Kind.PERSON, {"person": "foreign_pupil"}, set()),
]


def lookup(world: Any, extras: Extras, name: str) -> Any:
    if name.startswith("="):
        return name[1:]
    if name.startswith("x."):
        return getattr(extras, name[2:])
    return getattr(world, name)


def names_of(world: Any, extras: Extras, people: Any) -> set[str]:
    by_pk = {obj.pk: name for name, obj in vars(world).items() if isinstance(obj, m.Person)}
    by_pk |= {
        obj.pk: f"x.{name}" for name, obj in vars(extras).items() if isinstance(obj, m.Person)
    }
    return {by_pk.get(p.pk, f"?{p}") for p in people}


@pytest.mark.parametrize(
    "case",
    CASES,
    ids=[f"{k}-{'-'.join(v.lstrip('=x.') for v in fs.values())}" for k, fs, _ in CASES],
)
def test_target_reaches_exactly(world, extras, django_assert_num_queries, case):
    kind, fields, expected = case
    target = make_target(world, kind, **{k: lookup(world, extras, v) for k, v in fields.items()})
    target = m.AudienceTarget.objects.get(pk=target.pk)  # nothing cached on the instance
    with django_assert_num_queries(1):
        people = list(people_in_target(target))
    assert names_of(world, extras, people) == expected
    assert len(people) == len(expected)  # distinct


def test_unknown_kind_or_missing_field_reaches_nobody(world):
    assert list(people_in_target(make_target(world, Kind.SCHOOL))) == []
    assert list(people_in_target(make_target(world, "nonsense"))) == []
    assert list(people_in_target(make_target(world, Kind.FUNCTION, school=world.school))) == []


def test_audience_is_the_union_of_its_targets_once_each(world, extras, django_assert_num_queries):
    audience = m.Audience.objects.create(tenant=world.tenant, label="mix")
    for fields in (
        {"kind": Kind.CLASS_PUPILS, "school_class": world.class_a},
        {"kind": Kind.GROUP, "group": world.group},  # pupil is in both
        {"kind": Kind.PERSON, "person": world.teacher},
        {"kind": Kind.PERSON, "person": world.pupil},
    ):
        m.AudienceTarget.objects.create(tenant=world.tenant, audience=audience, **fields)
    audience = m.Audience.objects.prefetch_related("targets").get(pk=audience.pk)
    with django_assert_num_queries(1):
        people = list(resolve_audience(audience))
    assert names_of(world, extras, people) == {"pupil", "pupil2", "pupil_b", "teacher"}
    assert len(people) == 4
    with django_assert_num_queries(1):
        assert audience_size(audience) == 4


def test_audience_without_prefetch_reads_targets_then_people(world, django_assert_num_queries):
    audience = m.Audience.objects.create(tenant=world.tenant)
    m.AudienceTarget.objects.create(
        tenant=world.tenant, audience=audience, kind=Kind.SCHOOL, school=world.other_school
    )
    audience = m.Audience.objects.get(pk=audience.pk)
    with django_assert_num_queries(2):
        assert {p.pk for p in resolve_audience(audience)} == {
            world.other_pupil.pk,
            world.other_teacher.pk,
            world.other_admin.pk,
        }


def test_empty_audience_reaches_nobody(world):
    audience = m.Audience.objects.create(tenant=world.tenant)
    assert list(resolve_audience(audience)) == []
    assert audience_size(audience) == 0


def test_audience_stays_in_its_tenant(world):
    """A target pointing at another tenant's rows (bad data) reaches nobody there."""
    audience = m.Audience.objects.create(tenant=world.tenant)
    for fields in (
        {"kind": Kind.SCHOOL, "school": world.foreign_school},
        {"kind": Kind.CLASS_PUPILS, "school_class": world.foreign_class},
        {"kind": Kind.PERSON, "person": world.foreign_pupil},
    ):
        m.AudienceTarget.objects.create(tenant=world.tenant, audience=audience, **fields)
    assert list(resolve_audience(audience)) == []


def test_resolution_is_lazy_and_composable(world):
    """The result is a queryset: callers can narrow it without loading everyone."""
    target = make_target(world, Kind.SCHOOL, school=world.school)
    qs = people_in_target(target).filter(memberships__profile=m.Profile.PUPIL).distinct()
    assert {p.pk for p in qs} == {world.pupil.pk, world.pupil2.pk, world.pupil_b.pk}


# --- The reverse: the audiences that reach a person ----------------------------------------


def everyone(world: Any, extras: Extras) -> dict[str, Any]:
    people = {name: obj for name, obj in vars(world).items() if isinstance(obj, m.Person)}
    people |= {f"x.{n}": obj for n, obj in vars(extras).items() if isinstance(obj, m.Person)}
    return people


def test_the_audiences_reaching_a_person_mirror_resolution_on_every_case(
    world, extras, django_assert_num_queries
):
    """Every case of the table at once: `a` reaches `p` exactly when resolving `a` gives `p`."""
    audiences: dict[int, set[str]] = {}
    for kind, fields, expected in CASES:
        target = make_target(
            world, kind, **{k: lookup(world, extras, v) for k, v in fields.items()}
        )
        audiences[target.audience_id] = expected
    people = everyone(world, extras)
    assert len(people) > 20
    for name, loaded in people.items():
        person = m.Person.objects.get(pk=loaded.pk)
        with django_assert_num_queries(0 if person.is_blocked else 1):
            reached = set(audience_ids_reaching(person))
        assert reached == {pk for pk, names in audiences.items() if name in names}, name


def test_the_reverse_agrees_with_resolution_for_mixed_audiences(world, extras):
    mix = m.Audience.objects.create(tenant=world.tenant, label="mix")
    for fields in (
        {"kind": Kind.CLASS_GUARDIANS, "school_class": world.class_b},
        {"kind": Kind.GROUP, "group": world.group},
        {"kind": Kind.PERSON, "person": world.other_teacher},
    ):
        m.AudienceTarget.objects.create(tenant=world.tenant, audience=mix, **fields)
    resolved = {p.pk for p in resolve_audience(mix)}
    for person in everyone(world, extras).values():
        assert (mix.pk in set(audience_ids_reaching(person))) == (person.pk in resolved)


def test_the_reverse_is_a_subquery_costing_no_query_of_its_own(world, django_assert_num_queries):
    reaching = make_target(world, Kind.CLASS_PUPILS, school_class=world.class_a).audience
    make_target(world, Kind.CLASS_PUPILS, school_class=world.class_b)
    with django_assert_num_queries(1):
        found = list(
            m.Audience.objects.filter(pk__in=audience_ids_reaching(world.pupil)).values_list(
                "pk", flat=True
            )
        )
    assert found == [reaching.pk]


def test_a_blocked_person_or_another_tenant_is_reached_by_nothing(world, extras):
    make_target(world, Kind.SCHOOL, school=world.school)
    make_target(world, Kind.PERSON, person=extras.blocked_pupil)
    make_target(world, Kind.SCHOOL, school=world.foreign_school)  # bad data: another tenant's
    assert list(audience_ids_reaching(extras.blocked_pupil)) == []
    assert list(audience_ids_reaching(world.foreign_pupil)) == []


def test_an_authority_s_profile_is_matched_in_its_own_schools_only(world):
    """Staff under the authority who teach elsewhere are not among its teachers."""
    elsewhere = f.SchoolFactory(tenant=world.tenant, name="Lycée hors département")
    m.Membership.objects.create(
        tenant=world.tenant,
        person=world.staff,
        school=elsewhere,
        year=world.year,
        profile=m.Profile.TEACHER,
    )
    teachers = make_target(world, Kind.AUTHORITY, authority=world.authority, profile="teacher")
    assert world.staff not in set(resolve_audience(teachers.audience))
    assert teachers.audience_id not in set(audience_ids_reaching(world.staff))
    assert teachers.audience_id in set(audience_ids_reaching(world.teacher))


def test_the_sql_speaks_the_code_s_constants():
    from preau.directory.audiences import REACHING_SQL

    for kind in Kind.values:
        assert f"a.kind = '{kind}'" in REACHING_SQL
    assert "('" + "', '".join(m.Function.values) + "')" in REACHING_SQL
    assert f"profile = '{m.Profile.PUPIL}'" in REACHING_SQL
    assert f"profile = '{m.Profile.STAFF}'" in REACHING_SQL
