"""Timetable test helpers: courses from the world's teaching services, slots, rooms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from preau.directory.queries import build_actor
from preau.timetable.models import Course, Room, Slot

# The world's school year runs from 1 September 2026 to 4 July 2027.
MONDAY = dt.date(2026, 11, 30)


def actor(person: Any) -> Any:
    return build_actor(person, tenant=person.tenant)


def course(
    world: Any,
    *,
    teacher: Any = None,
    school_class: Any = None,
    group: Any = None,
    subject: Any = None,
    school: Any = None,
) -> Course:
    if school_class is None and group is None:
        school_class = world.class_a
    return Course.objects.create(
        tenant=world.tenant,
        school=school or world.school,
        year=world.year,
        school_class=school_class,
        group=group,
        subject=subject or world.maths,
        teacher=teacher if teacher is not None else world.teacher,
    )


def slot(
    course_: Course,
    weekday: int = 1,
    start: str = "08:00",
    end: str = "09:00",
    room: Room | None = None,
    weeks: str = "",
) -> Slot:
    return Slot.objects.create(
        tenant_id=course_.tenant_id,
        course=course_,
        weekday=weekday,
        starts_at=dt.time.fromisoformat(start),
        ends_at=dt.time.fromisoformat(end),
        room=room,
        weeks=weeks,
    )


def room(world: Any, name: str = "B12", school: Any = None) -> Room:
    return Room.objects.create(tenant=world.tenant, school=school or world.school, name=name)
