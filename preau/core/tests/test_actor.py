"""Who manages a school: one rule for every app (Actor.manages_school)."""

from __future__ import annotations

from typing import Any

from preau.core import actor as actor_module
from preau.directory.models import Function
from preau.directory.queries import build_actor


def test_the_direction_code_is_the_directory_s() -> None:
    assert Function.DIRECTION.value == actor_module.DIRECTION


def test_management_of_a_school(world: Any) -> None:
    def actor(person: Any) -> Any:
        return build_actor(person, tenant=world.tenant)

    school, other = world.school.pk, world.other_school.pk
    director, admin, operator = actor(world.director), actor(world.admin), actor(world.operator)
    assert director.manages_school(school)
    assert not director.manages_school(other)
    assert director.managed_school_ids == {school}
    assert admin.manages_school(school)
    assert school in admin.managed_school_ids
    assert operator.manages_school(other)
    assert operator.managed_school_ids == frozenset()
    for person in (world.teacher, world.staff, world.pupil, world.guardian):
        assert not actor(person).manages_school(school)
        assert not actor(person).managed_school_ids
    assert not director.manages_school(None)
