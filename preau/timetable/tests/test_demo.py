"""The demo's timetables and notebooks: placed without clashes, idempotent."""

from __future__ import annotations

from collections import Counter

import pytest

from preau.homework.demo import seed_demo_homework
from preau.homework.models import Homework, LessonLog
from preau.timetable.demo import seed_demo_timetable
from preau.timetable.models import Course, Slot
from preau.timetable.queries import slots_of_pupil

pytestmark = pytest.mark.django_db


def test_the_demo_places_every_course_without_clashes_once(world):
    schools = [world.school, world.other_school]
    placed = seed_demo_timetable(world.tenant, schools)
    assert placed == 2 * Course.objects.count() > 0
    slots = list(Slot.objects.select_related("course"))
    for key in (
        lambda s: (s.course.teacher_id, s.weekday, s.starts_at),
        lambda s: (s.course.school_class_id, s.course.group_id, s.weekday, s.starts_at),
        lambda s: (s.room_id, s.weekday, s.starts_at),
    ):
        assert max(Counter(map(key, slots)).values()) == 1
    for pupil in (world.pupil, world.pupil2, world.pupil_b):  # Léa and Chloé are in Latin too
        times = [(s.weekday, s.starts_at) for s in slots_of_pupil(world.tenant.pk, pupil.pk)]
        assert len(times) == len(set(times)) > 0
    assert seed_demo_timetable(world.tenant, schools) == 0
    assert Slot.objects.count() == placed
    assert seed_demo_homework(world.tenant, schools) == 2  # two class courses in the school
    assert seed_demo_homework(world.tenant, schools) == 0
    assert (LessonLog.objects.count(), Homework.objects.count()) == (2, 2)
