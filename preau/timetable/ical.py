"""A person's timetable as iCalendar (RFC 5545), with the `icalendar` package."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from preau.directory.models import Person
from preau.timetable.calendar import WEEK, monday_of
from preau.timetable.queries import slots_of_person, weeks_of

WEEKS_BEFORE = 2
WEEKS_AFTER = 10


def calendar_of(person: Person, *, today: dt.date | None = None) -> bytes:
    """The lessons of WEEKS_BEFORE weeks ago to WEEKS_AFTER weeks ahead; cancelled lessons are
    kept as CANCELLED events, so calendar apps show them struck out."""
    today = today or timezone.localdate()
    zone = ZoneInfo(settings.TIME_ZONE)
    start = monday_of(today) - WEEKS_BEFORE * WEEK
    weeks = weeks_of(
        person.tenant_id,
        slots_of_person(person.tenant_id, person.pk),
        monday=start,
        count=WEEKS_BEFORE + WEEKS_AFTER,
        substitute_id=person.pk,
    )
    cal = Calendar()
    cal.add("prodid", "-//Préau//Emploi du temps//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Emploi du temps · {person.full_name}")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for week in weeks:
        for day in week.days:
            for lesson in day.lessons:
                if lesson.status == "moved_away":
                    continue
                course = lesson.course
                event = Event()
                event.add("uid", f"preau-{person.tenant_id}-{lesson.slot.pk}-{lesson.date:%Y%m%d}")
                event.add("dtstamp", timezone.now())
                event.add("dtstart", lesson.starts.replace(tzinfo=zone))
                event.add("dtend", lesson.ends.replace(tzinfo=zone))
                subject = course.subject.label if course.subject else course.unit.name
                event.add("summary", f"{subject} · {course.unit.name}")
                if lesson.room:
                    event.add("location", lesson.room.name)
                if lesson.teacher_name:
                    event.add("description", lesson.teacher_name)
                if lesson.status == "cancelled":
                    event.add("status", "CANCELLED")
                cal.add_component(event)
    return cal.to_ical()
