"""The timetable for the mobile app: a week of mine, or of someone I may see (my child)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from preau.core.actor import Actor
from preau.directory.models import Profile
from preau.directory.schemas import ErrorOut
from preau.timetable import queries
from preau.timetable.calendar import Week, monday_of
from preau.timetable.schemas import WeekOut

router = Router(tags=["timetable"])


def _lessons(week: Week) -> list[dict[str, Any]]:
    return [
        {
            "date": lesson.date,
            "starts_at": lesson.starts_at,
            "ends_at": lesson.ends_at,
            "subject": lesson.course.subject.label if lesson.course.subject else "",
            "unit": lesson.course.unit.name,
            "teacher": lesson.teacher_name,
            "room": lesson.room.name if lesson.room else None,
            "weeks": lesson.slot.weeks,
            "status": lesson.status,
            "note": lesson.change.note if lesson.change else "",
        }
        for day in week.days
        for lesson in day.lessons
    ]


@router.get("/week", response={200: WeekOut, 404: ErrorOut}, summary="A week of lessons")
def week(
    request: HttpRequest, day: dt.date | None = None, person: int | None = None
) -> Status[dict[str, Any]]:
    """The week of `day` (default: today) for me, or for `person` (my child, or someone of a
    school whose timetables I may see; otherwise 404)."""
    actor: Actor = request.auth  # type: ignore[attr-defined]
    try:
        subject = queries.access_person(actor, person) if person else actor.person
    except Http404:
        return Status(404, {"detail": _("This person does not exist."), "code": "not_found"})
    monday = monday_of(day or timezone.localdate())
    teaches = subject == actor.person and actor.has_profile(Profile.TEACHER)
    (result,) = queries.weeks_of(
        actor.tenant.pk,
        queries.slots_of_person(actor.tenant.pk, subject.pk),
        monday=monday,
        substitute_id=subject.pk if teaches or subject != actor.person else None,
    )
    return Status(
        200,
        {
            "monday": result.monday,
            "letter": result.letter,
            "person_id": subject.pk,
            "lessons": _lessons(result),
            "previous": result.previous,
            "next": result.next,
        },
    )
