"""Communication rules: who may write to whom, and who may address which audience."""

from __future__ import annotations

from typing import Any

import pytest

from preau.directory import models as m
from preau.directory.audiences import people_in_target
from preau.directory.communication import (
    can_address_audience,
    can_address_target,
    can_write,
    effective_rules,
    rules_by_school,
    writable_people,
)
from preau.directory.queries import build_actor
from preau.directory.tests import factories as f

Kind = m.AudienceTarget.Kind

SCHOOL = {
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
}
OTHER_SCHOOL = {"other_pupil", "other_teacher", "other_admin"}


def actor_of(world: Any, name: str) -> Any:
    person = getattr(world, name)
    return build_actor(person, tenant=person.tenant)


def names(world: Any, people: Any) -> set[str]:
    by_pk = {obj.pk: n for n, obj in vars(world).items() if isinstance(obj, m.Person)}
    return {by_pk.get(p.pk, str(p)) for p in people}


def override(world: Any, rule: str, *, allowed: bool, school: Any = None) -> None:
    m.CommunicationRule.objects.create(
        tenant=world.tenant, school=school or world.school, rule=rule, allowed=allowed
    )


# --- writable_people: the default matrix ----------------------------------------------------

WRITABLE = {
    # pupils: their class's teachers and their groups' teachers, their classmates; not the
    # pupils of another class even when they share a group (pupil_b is in pupil's Latin group).
    "pupil": {"teacher", "teacher_b", "pupil2"},
    "pupil2": {"teacher", "pupil"},
    "pupil_b": {"teacher_b"},
    # guardians: their children's teachers (class and groups) and the school staff.
    "guardian": {"teacher", "teacher_b", "staff", "director", "admin"},
    "guardian_b": {"teacher_b", "staff", "director", "admin"},
    # staff and teachers: everyone in their school, never themselves.
    "teacher": SCHOOL - {"teacher"},
    "teacher_b": SCHOOL - {"teacher_b"},
    "staff": SCHOOL - {"staff"},
    "director": SCHOOL - {"director"},
    "admin": SCHOOL - {"admin"},
    "other_pupil": {"other_teacher"},
    "other_teacher": OTHER_SCHOOL - {"other_teacher"},
    "other_admin": OTHER_SCHOOL - {"other_admin"},
    # administrators reach what they administer.
    "authority_admin": SCHOOL | OTHER_SCHOOL,
    "operator": SCHOOL | OTHER_SCHOOL | {"authority_admin"},
    "foreign_admin": {"foreign_pupil"},
    "foreign_pupil": set(),
}


@pytest.mark.parametrize("who", sorted(WRITABLE))
def test_writable_people_default_matrix(world, django_assert_num_queries, who):
    actor = actor_of(world, who)
    qs = writable_people(actor)  # reads the schools' rules (none for administrators only)
    with django_assert_num_queries(1):
        people = list(qs)
    assert names(world, people) == WRITABLE[who]
    assert len(people) == len(WRITABLE[who])  # distinct


def test_writable_people_reads_the_rules_once(world, django_assert_num_queries):
    actor = actor_of(world, "teacher")
    with django_assert_num_queries(2):
        list(writable_people(actor))


def test_blocked_and_last_year_people_are_out_of_reach(world):
    past = f.SchoolYearFactory(tenant=world.tenant, start_year=2025, is_current=False)
    old = f.PersonFactory(tenant=world.tenant, first_name="Jules", last_name="Ancien")
    m.Membership.objects.create(
        tenant=world.tenant,
        person=old,
        school=world.school,
        year=past,
        profile=m.Profile.PUPIL,
        school_class=world.class_a,
    )
    m.Person.objects.filter(pk=world.pupil2.pk).update(is_blocked=True)
    assert names(world, writable_people(actor_of(world, "pupil"))) == {"teacher", "teacher_b"}
    teacher = actor_of(world, "teacher")
    assert not can_write(teacher, old)
    assert not can_write(teacher, m.Person.objects.get(pk=world.pupil2.pk))


def test_can_write(world):
    pupil = actor_of(world, "pupil")
    assert can_write(pupil, world.teacher)
    assert can_write(pupil, world.pupil2)
    assert not can_write(pupil, world.pupil_b)  # another class, even in the same group
    assert not can_write(pupil, world.staff)  # pupil_to_staff is off by default
    assert not can_write(pupil, world.pupil)  # not themself
    guardian = actor_of(world, "guardian")
    assert can_write(guardian, world.teacher)
    assert can_write(guardian, world.director)
    assert not can_write(guardian, world.guardian_b)  # guardian_to_guardians is off
    assert not can_write(guardian, world.other_teacher)
    assert can_write(actor_of(world, "teacher"), world.guardian)
    assert can_write(actor_of(world, "teacher"), world.guardian_b)


@pytest.mark.parametrize("who", sorted(set(WRITABLE) - {"foreign_admin", "foreign_pupil"}))
def test_nobody_writes_to_another_tenant(world, who):
    assert not can_write(actor_of(world, who), world.foreign_pupil)
    assert not can_write(actor_of(world, who), world.foreign_admin)


def test_the_other_tenant_writes_to_nobody_here(world):
    foreign = actor_of(world, "foreign_admin")
    for name in SCHOOL | {"operator"}:
        assert not can_write(foreign, getattr(world, name))


# --- School overrides --------------------------------------------------------------------------


def test_guardian_to_guardians_is_off_then_switched_on(world):
    guardian2 = f.PersonFactory(tenant=world.tenant, first_name="Karim", last_name="Bernard")
    m.GuardianLink.objects.create(tenant=world.tenant, pupil=world.pupil2, guardian=guardian2)
    assert not can_write(actor_of(world, "guardian"), guardian2)
    override(world, "guardian_to_guardians", allowed=True)
    guardian = actor_of(world, "guardian")
    assert can_write(guardian, guardian2)  # a guardian of a classmate
    assert not can_write(guardian, world.guardian_b)  # class_b: not their child's class


def test_an_override_in_another_school_changes_nothing_here(world):
    override(world, "pupil_to_staff", allowed=True, school=world.other_school)
    assert not can_write(actor_of(world, "pupil"), world.staff)
    override(world, "pupil_to_staff", allowed=True)
    assert can_write(actor_of(world, "pupil"), world.staff)


def test_school_switches_off_rules(world):
    override(world, "pupil_to_class", allowed=False)
    override(world, "guardian_to_staff", allowed=False)
    assert names(world, writable_people(actor_of(world, "pupil"))) == {"teacher", "teacher_b"}
    assert names(world, writable_people(actor_of(world, "guardian"))) == {"teacher", "teacher_b"}


def test_teachers_without_whole_school_keep_their_pupils_and_colleagues(world):
    override(world, "teacher_to_school", allowed=False)
    assert names(world, writable_people(actor_of(world, "teacher"))) == {
        "pupil",
        "pupil2",
        "guardian",
        "teacher_b",
        "staff",
        "director",
        "admin",
    }
    # teacher_b teaches class_b and the Latin group (pupil of class_a, pupil_b of class_b).
    assert names(world, writable_people(actor_of(world, "teacher_b"))) == {
        "pupil",
        "pupil_b",
        "guardian",
        "guardian_b",
        "teacher",
        "staff",
        "director",
        "admin",
    }


def test_rules_by_school_matches_effective_rules(world):
    override(world, "guardian_to_guardians", allowed=True)
    both = rules_by_school(world.tenant.pk, [world.school.pk, world.other_school.pk])
    assert both[world.school.pk] == effective_rules(world.school)
    assert both[world.other_school.pk] == effective_rules(world.other_school)
    assert both[world.school.pk]["guardian_to_guardians"]
    assert not both[world.other_school.pk]["guardian_to_guardians"]


# --- Addressing targets ---------------------------------------------------------------------

# (actor, kind, target fields by world name, may address?)
ADDRESS: list[tuple[str, str, dict[str, str], bool]] = [
    # nobody but staff (or administrators) targets a whole school
    ("pupil", Kind.SCHOOL, {"school": "school"}, False),
    ("pupil", Kind.CLASS_PUPILS, {"school_class": "class_a"}, False),
    ("pupil", Kind.GROUP, {"group": "group"}, False),
    ("pupil", Kind.PERSON, {"person": "teacher"}, True),
    ("pupil", Kind.PERSON, {"person": "pupil_b"}, False),
    ("guardian", Kind.CLASS_GUARDIANS, {"school_class": "class_a"}, False),
    ("guardian", Kind.SCHOOL, {"school": "school"}, False),
    ("guardian", Kind.PERSON, {"person": "teacher"}, True),
    ("teacher", Kind.SCHOOL, {"school": "school"}, False),
    ("teacher", Kind.PROFILE, {"school": "school", "profile": "=guardian"}, False),
    ("teacher", Kind.CLASS_GUARDIANS, {"school_class": "class_a"}, True),
    ("teacher", Kind.CLASS_PUPILS, {"school_class": "class_a"}, True),
    ("teacher", Kind.CLASS_TEACHERS, {"school_class": "class_a"}, True),
    ("teacher", Kind.CLASS_GUARDIANS, {"school_class": "class_b"}, False),
    ("teacher", Kind.CLASS_PUPILS, {"school_class": "other_class"}, False),
    ("teacher", Kind.GROUP, {"group": "group"}, False),
    ("teacher_b", Kind.GROUP, {"group": "group"}, True),
    ("teacher_b", Kind.CLASS_GUARDIANS, {"school_class": "class_b"}, True),
    # a group's teacher does not address a whole class through it
    ("teacher_b", Kind.CLASS_GUARDIANS, {"school_class": "class_a"}, False),
    ("staff", Kind.SCHOOL, {"school": "school"}, True),
    ("staff", Kind.FUNCTION, {"school": "school", "function": "=DIR"}, True),
    ("staff", Kind.SUBJECT_TEACHERS, {"school": "school", "subject": "maths"}, True),
    ("staff", Kind.CLASS_GUARDIANS, {"school_class": "class_b"}, True),
    ("staff", Kind.SCHOOL, {"school": "other_school"}, False),
    ("staff", Kind.AUTHORITY, {"authority": "authority"}, False),
    ("admin", Kind.SCHOOL, {"school": "school"}, True),
    ("admin", Kind.SCHOOL, {"school": "other_school"}, False),
    ("other_admin", Kind.SCHOOL, {"school": "other_school"}, True),
    ("other_admin", Kind.CLASS_PUPILS, {"school_class": "class_a"}, False),
    ("authority_admin", Kind.AUTHORITY, {"authority": "authority"}, True),
    ("authority_admin", Kind.SCHOOL, {"school": "other_school"}, True),
    ("operator", Kind.AUTHORITY, {"authority": "authority"}, True),
    ("operator", Kind.SCHOOL, {"school": "school"}, True),
    ("operator", Kind.GROUP, {"group": "group"}, True),
    ("operator", Kind.SCHOOL, {"school": "foreign_school"}, False),
    ("operator", Kind.SCHOOL, {}, False),
    ("foreign_admin", Kind.SCHOOL, {"school": "school"}, False),
    ("foreign_admin", Kind.PERSON, {"person": "pupil"}, False),
]


def make_target(world: Any, kind: str, fields: dict[str, str]) -> m.AudienceTarget:
    values = {k: v[1:] if v.startswith("=") else getattr(world, v) for k, v in fields.items()}
    audience = m.Audience.objects.create(tenant=world.tenant)
    return m.AudienceTarget.objects.create(
        tenant=world.tenant, audience=audience, kind=kind, **values
    )


@pytest.mark.parametrize(
    "case", ADDRESS, ids=[f"{a}-{k}-{'-'.join(fs.values())}" for a, k, fs, _ in ADDRESS]
)
def test_can_address_target(world, case):
    who, kind, fields, expected = case
    target = make_target(world, kind, fields)
    assert can_address_target(actor_of(world, who), target) is expected


def test_a_target_of_the_other_tenant_is_never_addressable(world):
    audience = m.Audience.objects.create(tenant=world.other_tenant)
    target = m.AudienceTarget.objects.create(
        tenant=world.other_tenant, audience=audience, kind=Kind.SCHOOL, school=world.foreign_school
    )
    for who in ("operator", "admin", "staff"):
        assert not can_address_target(actor_of(world, who), target)
    assert not can_address_audience(actor_of(world, "operator"), audience)


def test_teacher_to_whole_school_opens_the_school_to_teachers(world):
    target = make_target(world, Kind.SCHOOL, {"school": "school"})
    override(world, "teacher_to_whole_school", allowed=True)
    assert can_address_target(actor_of(world, "teacher"), target)
    assert not can_address_target(actor_of(world, "pupil"), target)
    other = make_target(world, Kind.SCHOOL, {"school": "other_school"})
    assert not can_address_target(actor_of(world, "teacher"), other)


def test_staff_without_staff_to_school_address_no_school(world):
    override(world, "staff_to_school", allowed=False)
    target = make_target(world, Kind.SCHOOL, {"school": "school"})
    assert not can_address_target(actor_of(world, "staff"), target)
    assert can_address_target(actor_of(world, "admin"), target)  # the ADML still does


def test_can_address_audience(world, django_assert_num_queries):
    audience = m.Audience.objects.create(tenant=world.tenant)
    assert not can_address_audience(actor_of(world, "teacher"), audience)  # empty
    for fields in (
        {"kind": Kind.CLASS_PUPILS, "school_class": world.class_a},
        {"kind": Kind.CLASS_GUARDIANS, "school_class": world.class_a},
        {"kind": Kind.PERSON, "person": world.director},
    ):
        m.AudienceTarget.objects.create(tenant=world.tenant, audience=audience, **fields)
    teacher = actor_of(world, "teacher")
    # targets, rules, assignments, the PERSON targets' reach
    with django_assert_num_queries(4):
        assert can_address_audience(teacher, audience)
    assert not can_address_audience(actor_of(world, "pupil"), audience)
    assert not can_address_audience(actor_of(world, "teacher_b"), audience)
    m.AudienceTarget.objects.create(
        tenant=world.tenant,
        audience=audience,
        kind=Kind.CLASS_GUARDIANS,
        school_class=world.class_b,
    )
    assert not can_address_audience(teacher, audience)
    assert can_address_audience(actor_of(world, "staff"), audience)


# --- The invariant: what one may address, one may write to ------------------------------------


def every_target(world: Any) -> list[m.AudienceTarget]:
    audience = m.Audience.objects.create(tenant=world.tenant)
    specs: list[dict[str, Any]] = [{"kind": Kind.AUTHORITY, "authority": world.authority}]
    for school in (world.school, world.other_school):
        specs += [
            {"kind": Kind.SCHOOL, "school": school},
            {"kind": Kind.FUNCTION, "school": school, "function": "DIR"},
            {"kind": Kind.SUBJECT_TEACHERS, "school": school, "subject": world.maths},
        ]
        specs += [{"kind": Kind.PROFILE, "school": school, "profile": p} for p in m.Profile]
    for school_class in (world.class_a, world.class_b, world.other_class):
        specs += [{"kind": k, "school_class": school_class} for k in sorted(CLASS_KINDS)]
    specs.append({"kind": Kind.GROUP, "group": world.group})
    return [
        m.AudienceTarget.objects.create(tenant=world.tenant, audience=audience, **spec)
        for spec in specs
    ]


CLASS_KINDS = {Kind.CLASS_PUPILS, Kind.CLASS_GUARDIANS, Kind.CLASS_TEACHERS}


@pytest.mark.parametrize(
    "rules", [{}, {"teacher_to_school": False, "teacher_to_whole_school": True}]
)
@pytest.mark.parametrize("who", sorted(set(WRITABLE) - {"foreign_admin", "foreign_pupil"}))
def test_whoever_addresses_a_target_may_write_to_all_its_people(world, who, rules):
    for rule, allowed in rules.items():
        override(world, rule, allowed=allowed)
    actor = actor_of(world, who)
    reachable = set(writable_people(actor).values_list("pk", flat=True)) | {actor.person.pk}
    for target in every_target(world):
        if can_address_target(actor, target):
            reached = set(people_in_target(target).values_list("pk", flat=True))
            assert reached <= reachable, (who, target.kind)
