"""Courses from the STS-Web services, slots and clashes, the calendar, lesson changes and their
notifications; who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from preau.core.models import AuditEntry, Notification
from preau.directory.audiences import resolve_audience
from preau.timetable import actions, queries
from preau.timetable.models import Course, LessonChange, Slot
from preau.timetable.tests.factories import MONDAY, actor, course, room, slot

pytestmark = pytest.mark.django_db
T = dt.time.fromisoformat


def test_courses_come_from_this_school_s_teaching_services_once(world):
    created, kept = actions.fill_from_services(actor=actor(world.admin), school=world.school)
    assert (created, kept) == (3, 0)
    units = {(c.unit.name, c.subject.label, c.teacher.full_name) for c in Course.objects.all()}
    assert units == {
        ("6e A", "Mathématiques", "Paul Durand"),
        ("6e B", "Français", "Claire Moreau"),
        ("Latin 5e", "Français", "Claire Moreau"),
    }
    assert actions.fill_from_services(actor=actor(world.admin), school=world.school) == (0, 3)
    assert Course.objects.count() == 3
    assert AuditEntry.objects.filter(action="timetable.courses_filled").count() == 2


@pytest.mark.parametrize("who", ["teacher", "staff", "other_admin", "foreign_admin", "pupil"])
def test_only_the_school_s_administrators_manage(world, who):
    with pytest.raises(PermissionDenied):
        actions.fill_from_services(actor=actor(getattr(world, who)), school=world.school)
    assert not Course.objects.exists()


def test_a_slot_that_clashes_is_refused_with_the_reason(world):
    b12 = room(world)
    maths = course(world)
    actions.add_slot(
        actor=actor(world.admin),
        course=maths,
        weekday=1,
        starts_at=T("08:00"),
        ends_at=T("09:00"),
        room=b12,
    )
    french_b = course(
        world, teacher=world.teacher_b, school_class=world.class_b, subject=world.french
    )
    with pytest.raises(ValidationError) as refused:
        actions.add_slot(
            actor=actor(world.admin),
            course=french_b,
            weekday=1,
            starts_at=T("08:30"),
            ends_at=T("09:30"),
            room=b12,
        )
    assert "room" in refused.value.messages[0] or "salle" in refused.value.messages[0]
    # Week A and week B never meet: the same room, the same time, no clash.
    actions.add_slot(
        actor=actor(world.admin),
        course=maths,
        weekday=2,
        starts_at=T("10:00"),
        ends_at=T("11:00"),
        room=b12,
        weeks="A",
    )
    actions.add_slot(
        actor=actor(world.admin),
        course=french_b,
        weekday=2,
        starts_at=T("10:00"),
        ends_at=T("11:00"),
        room=b12,
        weeks="B",
    )
    with pytest.raises(ValidationError):
        actions.add_slot(
            actor=actor(world.admin),
            course=french_b,
            weekday=2,
            starts_at=T("10:30"),
            ends_at=T("11:30"),
            room=b12,
        )
    assert Slot.objects.count() == 3


def test_a_slot_must_end_after_it_starts_and_use_a_room_of_the_school(world):
    maths = course(world)
    elsewhere = room(world, "A1", school=world.other_school)
    with pytest.raises(ValidationError):
        actions.add_slot(
            actor=actor(world.admin),
            course=maths,
            weekday=1,
            starts_at=T("10:00"),
            ends_at=T("09:00"),
        )
    with pytest.raises(ValidationError):
        actions.add_slot(
            actor=actor(world.admin),
            course=maths,
            weekday=1,
            starts_at=T("08:00"),
            ends_at=T("09:00"),
            room=elsewhere,
        )
    assert not Slot.objects.exists()


def test_the_calendar_needs_a_monday(world):
    with pytest.raises(ValidationError):
        actions.set_calendar(
            actor=actor(world.admin),
            school=world.school,
            week_a_monday=dt.date(2026, 9, 8),
            holidays_count=False,
        )
    calendar = actions.set_calendar(
        actor=actor(world.admin),
        school=world.school,
        week_a_monday=dt.date(2026, 9, 7),
        holidays_count=False,
    )
    assert queries.calendar_of(world.school) == calendar


def test_a_cancelled_lesson_tells_the_class_its_families_and_the_teacher_in_one_row(world):
    lesson = slot(course(world))
    change = actions.change_lesson(
        actor=actor(world.staff),
        slot=lesson,
        date=MONDAY,
        kind=LessonChange.Kind.CANCELLED,
        note="Professeur absent",
    )
    notification = Notification.objects.get(kind="timetable.change")
    assert notification.recipient is None  # one row for an audience: fan-out on read
    reached = {p.pk for p in resolve_audience(notification.audience)}
    assert reached == {world.pupil.pk, world.pupil2.pk, world.guardian.pk, world.teacher.pk}
    assert "annulé" in notification.text or "cancelled" in notification.text
    assert notification.url == "/timetable/?week=2026-11-30"
    assert AuditEntry.objects.filter(
        action="timetable.lesson_changed", target_id=str(change.pk)
    ).exists()
    # A second change of the same lesson replaces the first.
    actions.change_lesson(
        actor=actor(world.staff),
        slot=lesson,
        date=MONDAY,
        kind=LessonChange.Kind.ROOM,
        new_room=room(world),
    )
    assert LessonChange.objects.get().kind == "room"


@pytest.mark.parametrize("who", ["teacher", "pupil", "guardian", "other_admin", "foreign_admin"])
def test_who_may_not_change_a_lesson(world, who):
    lesson = slot(course(world))
    with pytest.raises(PermissionDenied):
        actions.change_lesson(
            actor=actor(getattr(world, who)),
            slot=lesson,
            date=MONDAY,
            kind=LessonChange.Kind.CANCELLED,
        )
    assert not LessonChange.objects.exists()


def test_a_change_is_checked(world):
    lesson = slot(course(world))
    staff = actor(world.director)
    tuesday = MONDAY + dt.timedelta(days=1)
    cases = [
        ({"date": tuesday, "kind": "cancelled"}, "date"),
        ({"date": MONDAY, "kind": "moved"}, "new_date"),
        ({"date": MONDAY, "kind": "replaced", "substitute": world.other_teacher}, "substitute"),
        (
            {"date": MONDAY, "kind": "room", "new_room": room(world, "X", world.other_school)},
            "new_room",
        ),
        ({"date": MONDAY, "kind": "nonsense"}, "kind"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as refused:
            actions.change_lesson(actor=staff, slot=lesson, **fields)
        assert field in refused.value.message_dict, fields
    assert not LessonChange.objects.exists()


def test_feeds_are_renewed_and_revoked(world):
    first = actions.create_feed(actor=actor(world.pupil))
    second = actions.create_feed(actor=actor(world.pupil))
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert queries.feed_of(actor(world.pupil)) == second
    assert actions.revoke_feed(actor=actor(world.pupil)) == 1
    assert queries.feed_of(actor(world.pupil)) is None
