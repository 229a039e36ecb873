"""Every write of the timetable: courses from the STS-Web services, rooms, weekly slots, the
school's calendar and holidays, one-off changes to a lesson (notified), the calendar feeds."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.notify import notify
from preau.core.permissions import require
from preau.directory.models import (
    Audience,
    AudienceTarget,
    Person,
    Profile,
    School,
    SchoolYear,
    TeachingAssignment,
)
from preau.timetable.models import (
    CalendarFeed,
    Course,
    Holiday,
    LessonChange,
    Room,
    SchoolCalendar,
    Slot,
)
from preau.timetable.permissions import Perm, policy


def _current_year(school: School) -> SchoolYear:
    year = SchoolYear.objects.filter(tenant_id=school.tenant_id, is_current=True).first()
    if year is None:
        raise ValidationError(_("No school year is open yet: the operator opens it first."))
    return year


def fill_from_services(*, actor: Actor, school: School) -> tuple[int, int]:
    """A course for each of this year's teaching services of the school (what the STS-Web
    import recorded as teaching assignments: a class or group, a subject, a teacher). Existing
    courses are kept, so running it again after a new import only adds what is new.
    Returns (created, already there)."""
    require(policy, actor, Perm.MANAGE, school)
    year = _current_year(school)
    services = TeachingAssignment.objects.filter(
        tenant_id=school.tenant_id, school=school, year=year, subject__isnull=False
    ).values_list("school_class_id", "group_id", "subject_id", "teacher_id")
    with transaction.atomic():
        existing = set(
            Course.objects.filter(school=school, year=year).values_list(
                "school_class_id", "group_id", "subject_id", "teacher_id"
            )
        )
        new = sorted(set(services) - existing, key=lambda key: tuple(v or 0 for v in key))
        Course.objects.bulk_create(
            [
                Course(
                    tenant_id=school.tenant_id,
                    school=school,
                    year=year,
                    school_class_id=class_id,
                    group_id=group_id,
                    subject_id=subject_id,
                    teacher_id=teacher_id,
                )
                for class_id, group_id, subject_id, teacher_id in new
            ]
        )
        record_audit(
            actor=actor,
            action="timetable.courses_filled",
            target=school,
            school=school,
            data={"created": len(new), "kept": len(existing)},
        )
    return len(new), len(existing & set(services))


def add_room(*, actor: Actor, school: School, name: str) -> Room:
    require(policy, actor, Perm.MANAGE, school)
    name = " ".join(name.split())[:60]
    if not name:
        raise ValidationError({"name": _("Name the room.")})
    if Room.objects.filter(school=school, name__iexact=name).exists():
        raise ValidationError({"name": _("This school already has a room with this name.")})
    return Room.objects.create(tenant_id=school.tenant_id, school=school, name=name)


def _overlaps(weeks: str) -> Q:
    """Slots that can fall in the same week as a slot of `weeks` ("" every week, "A", "B")."""
    return Q() if not weeks else Q(weeks="") | Q(weeks=weeks)


def _check_conflicts(slot: Slot) -> None:
    """The teacher, the class or group, or the room, already busy at that time."""
    course = slot.course
    same_time = Slot.objects.filter(
        _overlaps(slot.weeks),
        tenant_id=slot.tenant_id,
        course__year_id=course.year_id,
        weekday=slot.weekday,
        starts_at__lt=slot.ends_at,
        ends_at__gt=slot.starts_at,
    ).exclude(pk=slot.pk)
    busy = []
    if course.teacher_id and same_time.filter(course__teacher_id=course.teacher_id).exists():
        busy.append(_("the teacher already has a lesson then"))
    unit = (
        Q(course__school_class_id=course.school_class_id)
        if course.school_class_id
        else Q(course__group_id=course.group_id)
    )
    if same_time.filter(unit).exists():
        busy.append(_("the class or group already has a lesson then"))
    if slot.room_id and same_time.filter(room_id=slot.room_id).exists():
        busy.append(_("the room is already taken then"))
    if busy:
        raise ValidationError(_("This slot clashes: %(reasons)s.") % {"reasons": ", ".join(busy)})


def add_slot(
    *,
    actor: Actor,
    course: Course,
    weekday: int,
    starts_at: dt.time,
    ends_at: dt.time,
    room: Room | None = None,
    weeks: str = "",
) -> Slot:
    """Place a course in the week. Refused when it ends before it starts or clashes with the
    teacher's, the class's or the room's other lessons (for the weeks both can fall in)."""
    require(policy, actor, Perm.MANAGE, course.school)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The lesson must end after it starts.")})
    if room is not None and room.school_id != course.school_id:
        raise ValidationError({"room": _("Choose a room of this school.")})
    if weeks not in Slot.Weeks.values:
        raise ValidationError({"weeks": _("Choose every week, week A or week B.")})
    slot = Slot(
        tenant_id=course.tenant_id,
        course=course,
        weekday=weekday,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room,
        weeks=weeks,
    )
    _check_conflicts(slot)
    with transaction.atomic():
        slot.save()
        record_audit(
            actor=actor,
            action="timetable.slot_added",
            target=slot,
            school=course.school,
            data={"course": course.pk, "weekday": weekday, "starts_at": starts_at.isoformat()},
        )
    return slot


def delete_slot(*, actor: Actor, slot: Slot) -> None:
    require(policy, actor, Perm.MANAGE, slot.course.school)
    with transaction.atomic():
        record_audit(
            actor=actor,
            action="timetable.slot_deleted",
            target=slot,
            school=slot.course.school,
            data={"course": slot.course_id, "weekday": slot.weekday},
        )
        slot.delete()


def set_calendar(
    *, actor: Actor, school: School, week_a_monday: dt.date | None, holidays_count: bool
) -> SchoolCalendar:
    require(policy, actor, Perm.MANAGE, school)
    if week_a_monday is not None and week_a_monday.weekday() != 0:
        raise ValidationError({"week_a_monday": _("Choose a Monday.")})
    year = _current_year(school)
    with transaction.atomic():
        calendar, _created = SchoolCalendar.objects.update_or_create(
            school=school,
            year=year,
            defaults={
                "tenant_id": school.tenant_id,
                "week_a_monday": week_a_monday,
                "holidays_count": holidays_count,
            },
        )
        record_audit(
            actor=actor,
            action="timetable.calendar_set",
            target=calendar,
            school=school,
            data={"week_a_monday": str(week_a_monday or ""), "holidays_count": holidays_count},
        )
    return calendar


def add_holiday(
    *, actor: Actor, school: School, name: str, starts_on: dt.date, ends_on: dt.date
) -> Holiday:
    """Days without lessons for the school (the académie's holidays are entered once for the
    whole tenant by the operator: `school=None` through the console)."""
    require(policy, actor, Perm.MANAGE, school)
    name = " ".join(name.split())[:80]
    if not name:
        raise ValidationError(
            {"name": _("Name the holidays, for example “Vacances de la Toussaint”.")}
        )
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day cannot come before the first.")})
    with transaction.atomic():
        holiday = Holiday.objects.create(
            tenant_id=school.tenant_id,
            school=school,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        record_audit(
            actor=actor,
            action="timetable.holiday_added",
            target=holiday,
            school=school,
            data={"starts_on": str(starts_on), "ends_on": str(ends_on)},
        )
    return holiday


def delete_holiday(*, actor: Actor, holiday: Holiday) -> None:
    school = holiday.school
    if school is None:
        raise ValidationError(_("The tenant's holidays are managed by the operator."))
    require(policy, actor, Perm.MANAGE, school)
    with transaction.atomic():
        record_audit(actor=actor, action="timetable.holiday_deleted", target=holiday, school=school)
        holiday.delete()


# --- one-off changes ---------------------------------------------------------------------------


def course_audience(course: Course) -> Audience:
    """The course's pupils, their guardians and its teacher (made once, then reused)."""
    if course.audience_id:
        return course.audience  # type: ignore[return-value]
    audience = Audience.objects.create(tenant_id=course.tenant_id, label=str(course))
    kind = AudienceTarget.Kind
    targets = (
        [
            AudienceTarget(kind=kind.CLASS_PUPILS, school_class_id=course.school_class_id),
            AudienceTarget(kind=kind.CLASS_GUARDIANS, school_class_id=course.school_class_id),
        ]
        if course.school_class_id
        else [AudienceTarget(kind=kind.GROUP, group_id=course.group_id)]
    )
    if course.teacher_id:
        targets.append(AudienceTarget(kind=kind.PERSON, person_id=course.teacher_id))
    for target in targets:
        target.tenant_id = course.tenant_id
        target.audience = audience
    AudienceTarget.objects.bulk_create(targets)
    Course.objects.filter(pk=course.pk).update(audience=audience)
    course.audience = audience
    return audience


def _describe(change: LessonChange) -> str:
    slot = change.slot
    course = slot.course
    when = date_format(change.date, "l j F")
    what = course.subject.label if course.subject else str(course.unit.name)
    if change.kind == LessonChange.Kind.CANCELLED:
        return _("%(what)s on %(when)s is cancelled.") % {"what": what, "when": when}
    if change.kind == LessonChange.Kind.MOVED:
        assert change.new_date is not None
        return _("%(what)s on %(when)s is moved to %(new)s.") % {
            "what": what,
            "when": when,
            "new": date_format(change.new_date, "l j F"),
        }
    if change.kind == LessonChange.Kind.REPLACED:
        return _("%(what)s on %(when)s: another teacher takes the lesson.") % {
            "what": what,
            "when": when,
        }
    return _("%(what)s on %(when)s takes place in another room.") % {"what": what, "when": when}


def change_lesson(
    *,
    actor: Actor,
    slot: Slot,
    date: dt.date,
    kind: str,
    new_date: dt.date | None = None,
    new_starts_at: dt.time | None = None,
    new_ends_at: dt.time | None = None,
    new_room: Room | None = None,
    substitute: Person | None = None,
    note: str = "",
) -> LessonChange:
    """Record how one lesson (the slot on `date`) differs: cancelled, moved, another teacher,
    another room. One change per lesson: a new one replaces the previous. The course's pupils,
    guardians and teacher are notified (one row: fan-out on read)."""
    school = slot.course.school
    require(policy, actor, Perm.CHANGE, school)
    if date.isoweekday() != slot.weekday:
        raise ValidationError({"date": _("This lesson does not take place on that day.")})
    errors: dict[str, str] = {}
    if kind == LessonChange.Kind.MOVED:
        if new_date is None:
            errors["new_date"] = _("Choose the new date.")
        if new_starts_at and new_ends_at and new_ends_at <= new_starts_at:
            errors["new_ends_at"] = _("The lesson must end after it starts.")
    elif kind == LessonChange.Kind.REPLACED:
        if (
            substitute is None
            or not substitute.memberships.filter(
                school=school, year__is_current=True, profile=Profile.TEACHER
            ).exists()
        ):
            errors["substitute"] = _("Choose a teacher of this school.")
    elif kind == LessonChange.Kind.ROOM:
        if new_room is None or new_room.school_id != school.pk:
            errors["new_room"] = _("Choose a room of this school.")
    elif kind != LessonChange.Kind.CANCELLED:
        errors["kind"] = _("Choose what changes.")
    if new_room is not None and new_room.school_id != school.pk:
        errors["new_room"] = _("Choose a room of this school.")
    if errors:
        raise ValidationError(errors)
    moved = kind == LessonChange.Kind.MOVED
    with transaction.atomic():
        change, _created = LessonChange.objects.update_or_create(
            slot=slot,
            date=date,
            defaults={
                "tenant_id": slot.tenant_id,
                "kind": kind,
                "new_date": new_date if moved else None,
                "new_starts_at": new_starts_at if moved else None,
                "new_ends_at": new_ends_at if moved else None,
                "new_room": new_room
                if kind in (LessonChange.Kind.MOVED, LessonChange.Kind.ROOM)
                else None,
                "substitute": substitute if kind == LessonChange.Kind.REPLACED else None,
                "note": " ".join(note.split())[:200],
                "created_by": actor.person,
            },
        )
        record_audit(
            actor=actor,
            action="timetable.lesson_changed",
            target=change,
            school=school,
            data={"slot": slot.pk, "date": str(date), "kind": kind},
        )
        notify(
            course_audience(slot.course),
            kind="timetable.change",
            obj=change,
            actor=actor,
            text=_describe(change),
            url=f"{reverse('timetable:index')}?week={date.isoformat()}",
        )
    return change


def undo_change(*, actor: Actor, change: LessonChange) -> None:
    """The lesson takes place as usual after all."""
    school = change.slot.course.school
    require(policy, actor, Perm.CHANGE, school)
    with transaction.atomic():
        record_audit(
            actor=actor,
            action="timetable.change_undone",
            target=change,
            school=school,
            data={"slot": change.slot_id, "date": str(change.date)},
        )
        change.delete()


# --- calendar feeds ----------------------------------------------------------------------------


def create_feed(*, actor: Actor) -> CalendarFeed:
    """A new private iCal address for the actor; the previous one stops working."""
    with transaction.atomic():
        CalendarFeed.objects.filter(person=actor.person, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        feed = CalendarFeed.objects.create(
            tenant=actor.tenant, person=actor.person, token=secrets.token_urlsafe(32)
        )
        record_audit(
            actor=actor, action="timetable.feed_created", target=feed, subject=actor.person
        )
    return feed


def revoke_feed(*, actor: Actor) -> int:
    with transaction.atomic():
        revoked = CalendarFeed.objects.filter(person=actor.person, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            record_audit(actor=actor, action="timetable.feed_revoked", subject=actor.person)
    return revoked
