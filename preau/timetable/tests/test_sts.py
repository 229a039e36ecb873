"""The STS-Web export fills the timetable: the directory's import (its parser, not a second
one) records the teaching services; the administrator turns them into courses."""

from __future__ import annotations

from typing import Any

import pytest

from preau.directory import models as m
from preau.directory.tests.test_feed_school_import import (  # the fixtures of the STS import
    SIECLE,
    STS,
    college,  # noqa: F401 - fixture
    imported,  # noqa: F401 - fixture
    media,  # noqa: F401 - fixture
    school_import,
)
from preau.timetable import actions
from preau.timetable.models import Course
from preau.timetable.tests.factories import actor

pytestmark = pytest.mark.django_db


def test_the_sts_services_become_courses(world: Any, imported: m.School) -> None:  # noqa: F811
    created, kept = actions.fill_from_services(actor=actor(world.admin), school=imported)
    courses = set(
        Course.objects.filter(school=imported).values_list(
            "school_class__code", "group__code", "subject__code", "teacher__external_id"
        )
    )
    assert ("6A", None, "020700", "STS-0693331W-501") in courses
    assert ("6B", None, "020700", "STS-0693331W-501") in courses
    assert (None, "6LAT", "021800", "STS-0693331W-501") in courses
    services = m.TeachingAssignment.objects.filter(school=imported, subject__isnull=False)
    assert created == services.count() == len(courses)
    assert kept == 0
    # The same exports imported again: nothing new to add.
    for fmt, paths in (("sts", STS), ("siecle", SIECLE)):
        school_import(world, imported, fmt, paths)
    assert actions.fill_from_services(actor=actor(world.admin), school=imported) == (0, created)
