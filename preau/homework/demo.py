"""The demo's notebooks: in the first school, the last lesson of a few courses written by their
teacher (one with a formula) and homework for the coming days. Idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from preau.core.models import Tenant
from preau.directory.models import School
from preau.directory.queries import build_actor
from preau.homework import actions
from preau.homework.models import LessonLog
from preau.timetable.models import Course

LESSONS = [
    (
        "Équations du second degré",
        "<p>Discriminant : $\\Delta = b^2 - 4ac$. Si $\\Delta > 0$, deux solutions "
        "$x = \\frac{-b \\pm \\sqrt{\\Delta}}{2a}$.</p>",
        "<p>Exercices 12 et 13 page 45 : résoudre $x^2 - 5x + 6 = 0$.</p>",
        30,
    ),
    (
        "La Révolution française",
        "<p>Les causes de 1789 ; lecture du document 2 p. 112.</p>",
        "<p>Apprendre la leçon et les dates clés.</p>",
        20,
    ),
    (
        "Le présent de l'indicatif",
        "<p>Verbes du 3e groupe : <em>prendre</em>, <em>venir</em>, <em>faire</em>.</p>",
        "<p>Conjuguer les verbes de l'exercice 4 à toutes les personnes.</p>",
        15,
    ),
]


def seed_demo_homework(tenant: Tenant, schools: Iterable[School]) -> int:
    first = next(iter(schools), None)
    if first is None or LessonLog.objects.filter(course__school=first).exists():
        return 0
    courses = (
        Course.objects.filter(school=first, year__is_current=True, school_class__isnull=False)
        .exclude(teacher=None)
        .select_related("teacher", "year")
        .order_by("school_class__name", "pk")[: len(LESSONS)]
    )
    today = timezone.localdate()
    written = 0
    for course, (title, content, homework, minutes) in zip(courses, LESSONS, strict=False):
        assert course.teacher is not None
        actor = build_actor(course.teacher, tenant=tenant, school_id=first.pk)
        day = max(course.year.starts_on, today - dt.timedelta(days=1))
        lesson = actions.write_lesson(
            actor=actor, course=course, date=day, title=title, content=content
        )
        actions.set_homework(
            actor=actor,
            course=course,
            lesson=lesson,
            due_on=today + dt.timedelta(days=2 + written),
            instructions=homework,
            estimated_minutes=minutes,
        )
        written += 1
    return written
