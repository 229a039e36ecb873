"""Reads of the directory: schools, classes, children, assignments, the actor."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from preau.directory import models as m
from preau.directory.queries import (
    access_school,
    assignments_of,
    build_actor,
    children_of,
    classes_of_school,
    current_year,
    search_words,
)
from preau.directory.tests import factories as f


def actor_of(person: Any) -> Any:
    return build_actor(person, tenant=person.tenant)


def test_current_year(world):
    assert current_year(world.tenant) == world.year
    assert current_year(world.other_tenant) == world.foreign_year


def test_build_actor_keeps_current_memberships_and_scopes(world):
    past = f.SchoolYearFactory(tenant=world.tenant, start_year=2025, is_current=False)
    m.Membership.objects.create(
        tenant=world.tenant,
        person=world.teacher,
        school=world.other_school,
        year=past,
        profile=m.Profile.TEACHER,
    )
    teacher = actor_of(world.teacher)
    assert teacher.school_ids == {world.school.pk}
    assert teacher.school == world.school
    assert actor_of(world.admin).admin_school_ids == {world.school.pk}
    assert actor_of(world.authority_admin).admin_school_ids == {
        world.school.pk,
        world.other_school.pk,
    }


@pytest.mark.parametrize(
    ("who", "school", "allowed"),
    [
        ("pupil", "school", True),
        ("pupil", "other_school", False),
        ("pupil", "foreign_school", False),
        ("admin", "school", True),
        ("admin", "other_school", False),
        ("authority_admin", "other_school", True),
        ("operator", "other_school", True),
        ("operator", "foreign_school", False),
        ("foreign_admin", "school", False),
    ],
)
def test_access_school(world, who, school, allowed):
    actor = actor_of(getattr(world, who))
    school_id = getattr(world, school).pk
    if allowed:
        assert access_school(actor, school_id).pk == school_id
    else:
        with pytest.raises(Http404):
            access_school(actor, school_id)


def test_access_school_missing_is_404(world):
    with pytest.raises(Http404):
        access_school(actor_of(world.operator), 999_999)


def test_classes_of_school_are_this_years(world, django_assert_num_queries):
    past = f.SchoolYearFactory(tenant=world.tenant, start_year=2025, is_current=False)
    f.SchoolClassFactory(school=world.school, year=past, code="5A", name="5e A (old)")
    actor = actor_of(world.pupil)
    with django_assert_num_queries(2):  # the school, its classes (with their level)
        classes = list(classes_of_school(actor, world.school.pk))
        [c.level for c in classes]
    assert classes == [world.class_a, world.class_b]
    with pytest.raises(Http404):
        classes_of_school(actor, world.other_school.pk)
    with pytest.raises(Http404):
        classes_of_school(actor, world.foreign_school.pk)


def test_children_of_a_guardian(world, django_assert_num_queries):
    m.GuardianLink.objects.create(
        tenant=world.tenant,
        pupil=world.pupil2,
        guardian=world.guardian,
        level=m.GuardianLink.Level.IN_CHARGE,
    )
    actor = actor_of(world.guardian)
    with django_assert_num_queries(2):
        children = list(children_of(actor))
        classes = [ms.school_class.name for c in children for ms in c.current_memberships]
    assert children == [world.pupil2, world.pupil]  # Bernard, Martin
    assert classes == ["6e A", "6e A"]
    assert list(children_of(actor_of(world.teacher))) == []


def test_assignments_of_a_teacher(world):
    past = f.SchoolYearFactory(tenant=world.tenant, start_year=2025, is_current=False)
    m.TeachingAssignment.objects.create(
        tenant=world.tenant,
        teacher=world.teacher_b,
        school=world.school,
        year=past,
        school_class=world.class_a,
    )
    got = {(a.school_class_id, a.group_id) for a in assignments_of(actor_of(world.teacher_b))}
    assert got == {(world.class_b.pk, None), (None, world.group.pk)}


@pytest.mark.parametrize(
    ("search", "words"),
    [
        ("", []),
        ("  Éloïse   DUPONT ", ["eloise", "dupont"]),
        ("a b c d e f g h", ["a", "b", "c", "d", "e", "f"]),
        ("x" * 500, ["x" * 100]),
    ],
)
def test_search_words(search, words):
    assert search_words(search) == words
