"""The demo territory's timetables: each school's courses from its teaching services, placed
in a plausible week (no clash for a class, its groups, a teacher or a room), a few rooms, weeks
A and B counted from the start of the year. Idempotent: a school with courses is left alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from preau.core.models import Tenant
from preau.directory.models import Membership, School, SchoolYear
from preau.directory.queries import build_actor
from preau.timetable import actions
from preau.timetable.calendar import monday_of
from preau.timetable.models import Course, Room, Slot

HOURS = [(8, 0), (9, 0), (10, 15), (11, 15), (13, 30), (14, 30), (15, 45)]
DAYS = [1, 2, 4, 5]  # Wednesday afternoons are free; mornings only on Wednesday
ROOMS = ["B12", "B14", "C03", "C05", "Labo 1", "Labo 2", "Gymnase", "Salle info"]


def _admin(school: School) -> Membership | None:
    return (
        Membership.objects.filter(school=school, year__is_current=True, is_school_admin=True)
        .select_related("person")
        .order_by("pk")
        .first()
    )


def seed_demo_timetable(tenant: Tenant, schools: Iterable[School]) -> int:
    """Courses and slots for every school of the demo; returns how many slots were placed."""
    placed = 0
    for school in schools:
        admin = _admin(school)
        if admin is None or Course.objects.filter(school=school).exists():
            continue
        actor = build_actor(admin.person, tenant=tenant, school_id=school.pk)
        actions.fill_from_services(actor=actor, school=school)
        rooms = [actions.add_room(actor=actor, school=school, name=name) for name in ROOMS]
        year = SchoolYear.objects.get(tenant_id=school.tenant_id, is_current=True)
        actions.set_calendar(
            actor=actor,
            school=school,
            week_a_monday=monday_of(year.starts_on),
            holidays_count=False,
        )
        placed += _place(school, rooms)
    return placed


def _place(school: School, rooms: list[Room]) -> int:
    """Each course twice a week at the first hour where its class (or group), its teacher and
    a room are free: a greedy fill, enough for a believable demo week."""
    busy: set[tuple[str, int, int, int]] = set()
    slots: list[Slot] = []
    courses = (
        Course.objects.filter(school=school, year__is_current=True)
        .prefetch_related("group__classes")
        .order_by("pk")
    )
    times = [(day, hour) for hour in range(len(HOURS)) for day in DAYS]
    times += [(3, 0), (3, 1), (3, 2), (3, 3)]
    for course in courses:
        # A group's lesson takes its pupils out of their classes: it occupies those classes.
        units = (
            {("c", course.school_class_id)}
            if course.school_class_id
            else {("c", c.pk) for c in course.group.classes.all()} | {("g", course.group_id)}  # type: ignore[union-attr]
        )
        wanted = 2
        for day, hour in times:
            if wanted == 0:
                break
            keys = {(kind, pk or 0, day, hour) for kind, pk in units}
            keys.add(("t", course.teacher_id or 0, day, hour))
            if keys & busy:
                continue
            room = next((r for r in rooms if ("r", r.pk, day, hour) not in busy), None)
            if room is None:
                continue
            busy |= keys | {("r", room.pk, day, hour)}
            start = dt.time(*HOURS[hour])
            end = (dt.datetime.combine(dt.date.min, start) + dt.timedelta(minutes=55)).time()
            slots.append(
                Slot(
                    tenant_id=course.tenant_id,
                    course=course,
                    weekday=day,
                    starts_at=start,
                    ends_at=end,
                    room=room,
                )
            )
            wanted -= 1
    Slot.objects.bulk_create(slots)
    return len(slots)
