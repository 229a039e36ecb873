"""The week pages (query counts whatever the number of lessons), who sees which timetable,
the management page, a lesson's change, the iCal feed."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.test import Client

from preau.timetable import actions
from preau.timetable.models import Course, Holiday, LessonChange, SchoolCalendar, Slot
from preau.timetable.tests.factories import MONDAY, actor, course, room, slot

pytestmark = pytest.mark.django_db
WEEK = "?week=2026-11-30"


def lessons(response):
    return [
        (lesson.date.isoformat(), lesson.starts_at.isoformat("minutes"), lesson.status)
        for day in response.context["week"].days
        for lesson in day.lessons
    ]


@pytest.fixture
def timetable(world):
    """Maths of 6e A on Monday 8:00 (B12) and Thursday 10:00 week A; Latin (the group) Tuesday."""
    b12 = room(world)
    maths = course(world)
    monday = slot(maths, 1, "08:00", "09:00", room=b12)
    thursday = slot(maths, 4, "10:00", "11:00", weeks="A")
    latin = course(
        world, teacher=world.teacher_b, school_class=None, group=world.group, subject=world.french
    )
    tuesday = slot(latin, 2, "14:00", "15:00")
    SchoolCalendar.objects.create(
        tenant=world.tenant, school=world.school, year=world.year, week_a_monday=dt.date(2026, 9, 7)
    )
    return {"monday": monday, "thursday": thursday, "tuesday": tuesday, "room": b12}


def test_a_pupil_sees_their_class_and_group_lessons(world, client_for, timetable):
    # 30 November 2026 is week A (12 weeks after 7 September, no holidays entered).
    response = client_for(world.pupil).get("/timetable/" + WEEK)
    assert response.status_code == 200
    assert lessons(response) == [
        ("2026-11-30", "08:00", ""),
        ("2026-12-01", "14:00", ""),
        ("2026-12-03", "10:00", ""),
    ]
    assert response.context["week"].letter == "A"
    # Week B: no Thursday maths. Pupil 2 is not in the Latin group.
    week_b = client_for(world.pupil2).get("/timetable/?week=2026-12-07")
    assert lessons(week_b) == [("2026-12-07", "08:00", "")]


def test_the_week_page_has_a_fixed_number_of_queries(
    world, client_for, timetable, django_assert_num_queries
):
    client = client_for(world.pupil)
    client.get("/timetable/" + WEEK)
    # 10, and the pupil's courses, read before their slots (queries.slots_of_pupil).
    with django_assert_num_queries(11) as few:
        client.get("/timetable/" + WEEK)
    maths = Course.objects.get(school_class=world.class_a)
    for weekday in range(1, 6):
        for hour in range(11, 17):
            slot(maths, weekday, f"{hour}:00", f"{hour}:55")
    for day in range(5):
        actions.change_lesson(
            actor=actor(world.staff),
            slot=Slot.objects.filter(weekday=day + 1).last(),
            date=MONDAY + dt.timedelta(days=day),
            kind="cancelled",
        )
    Holiday.objects.create(
        tenant=world.tenant,
        name="Noël",
        starts_on=dt.date(2026, 12, 19),
        ends_on=dt.date(2027, 1, 3),
    )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/timetable/" + WEEK)
    assert len(lessons(response)) == 3 + 30


def test_changes_show_on_the_week(world, client_for, timetable):
    staff = actor(world.staff)
    actions.change_lesson(
        actor=staff,
        slot=timetable["monday"],
        date=MONDAY,
        kind="moved",
        new_date=dt.date(2026, 12, 4),
        new_starts_at=dt.time(9),
        new_ends_at=dt.time(10),
    )
    actions.change_lesson(
        actor=staff,
        slot=timetable["tuesday"],
        date=MONDAY + dt.timedelta(days=1),
        kind="replaced",
        substitute=world.teacher,
    )
    actions.change_lesson(
        actor=staff,
        slot=timetable["thursday"],
        date=MONDAY + dt.timedelta(days=3),
        kind="cancelled",
    )
    response = client_for(world.pupil).get("/timetable/" + WEEK)
    assert lessons(response) == [
        ("2026-11-30", "08:00", "moved_away"),
        ("2026-12-01", "14:00", "replaced"),
        ("2026-12-03", "10:00", "cancelled"),
        ("2026-12-04", "09:00", "moved_here"),
    ]
    page = response.content.decode()
    assert "Annulé" in page or "Cancelled" in page
    # The replacing teacher sees the lesson they cover, and only that one of the slot.
    covering = client_for(world.teacher).get("/timetable/" + WEEK)
    assert ("2026-12-01", "14:00", "replaced") in lessons(covering)
    next_week = client_for(world.teacher).get("/timetable/?week=2026-12-07")
    assert all(when[1] != "14:00" for when in lessons(next_week))


def test_holidays_empty_the_week(world, client_for, timetable):
    Holiday.objects.create(
        tenant=world.tenant,
        name="Vacances de Noël",
        starts_on=dt.date(2026, 12, 19),
        ends_on=dt.date(2027, 1, 3),
    )
    response = client_for(world.pupil).get("/timetable/?week=2026-12-21")
    assert lessons(response) == []
    assert "Vacances de Noël" in response.content.decode()


def test_a_guardian_sees_each_child_and_nobody_else(world, client_for, timetable):
    client = client_for(world.guardian)
    response = client.get("/timetable/" + WEEK)
    assert response.context["subject"] == world.pupil
    assert len(lessons(response)) == 3
    assert client.get(f"/timetable/?child={world.pupil_b.pk}").status_code == 404
    assert client.get(f"/timetable/people/{world.pupil.pk}/").status_code == 200
    assert client.get(f"/timetable/people/{world.pupil_b.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("teacher", 200),
        ("staff", 200),
        ("pupil", 200),
        ("pupil_b", 404),
        ("guardian", 404),
        ("other_admin", 404),
        ("foreign_admin", 404),
    ],
)
def test_who_sees_a_class_s_week(world, client_for, timetable, who, status):
    response = client_for(getattr(world, who)).get(f"/timetable/classes/{world.class_a.pk}/")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("teacher_b", 200),
        ("director", 200),
        ("pupil", 404),
        ("other_teacher", 404),
        ("foreign_admin", 404),
    ],
)
def test_who_sees_a_room_and_a_teacher(world, client_for, timetable, who, status):
    client = client_for(getattr(world, who))
    assert client.get(f"/timetable/rooms/{timetable['room'].pk}/").status_code == status
    assert client.get(f"/timetable/people/{world.teacher.pk}/").status_code == status


def test_the_school_index_and_the_management_page_are_scoped(world, client_for, timetable):
    assert (
        client_for(world.teacher).get(f"/timetable/schools/{world.school.pk}/").status_code == 200
    )
    assert client_for(world.pupil).get(f"/timetable/schools/{world.school.pk}/").status_code == 404
    for who in (world.teacher, world.staff, world.other_admin, world.foreign_admin):
        client = client_for(who)
        assert client.get(f"/timetable/schools/{world.school.pk}/manage").status_code == 404
        assert (
            client.post(f"/timetable/schools/{world.school.pk}/manage", {"do": "fill"}).status_code
            == 404
        )
    assert Course.objects.count() == 2


def test_the_administrator_fills_and_places_courses(world, client_for):
    client = client_for(world.admin)
    url = f"/timetable/schools/{world.school.pk}/manage"
    assert client.get(url).status_code == 200
    client.post(url, {"do": "fill"})
    assert Course.objects.count() == 3
    client.post(url, {"do": "room", "name": "Labo 1"})
    maths = Course.objects.get(school_class=world.class_a)
    room_id = room_of(world, "Labo 1")
    response = client.post(
        url,
        {
            "do": "slot",
            "course": maths.pk,
            "weekday": 3,
            "starts_at": "09:00",
            "ends_at": "08:00",
            "room": room_id,
        },
    )
    assert response.status_code == 200  # refused, shown again with what was typed
    assert response.context["slot_form"].errors
    assert response.context["slot_form"]["starts_at"].value() == "09:00"
    client.post(
        url,
        {
            "do": "slot",
            "course": maths.pk,
            "weekday": 3,
            "starts_at": "09:00",
            "ends_at": "10:00",
            "room": room_id,
            "weeks": "B",
        },
    )
    placed = Slot.objects.get()
    assert (placed.weekday, placed.weeks, placed.room.name) == (3, "B", "Labo 1")
    client.post(url, {"do": "calendar", "week_a_monday": "2026-09-07"})
    client.post(
        url,
        {"do": "holiday", "name": "Toussaint", "starts_on": "2026-10-17", "ends_on": "2026-11-01"},
    )
    assert Holiday.objects.get(school=world.school).name == "Toussaint"
    # Another school's slot cannot be deleted from here.
    foreign = slot(
        course(
            world,
            teacher=world.other_teacher,
            school_class=world.other_class,
            school=world.other_school,
        )
    )
    assert client.post(url, {"do": "delete_slot", "slot": foreign.pk}).status_code == 404
    assert Slot.objects.filter(pk=foreign.pk).exists()
    client.post(url, {"do": "delete_slot", "slot": placed.pk})
    assert not Slot.objects.filter(pk=placed.pk).exists()


def room_of(world, name):
    from preau.timetable.models import Room

    return Room.objects.get(school=world.school, name=name).pk


def test_vie_scolaire_changes_a_lesson_from_the_page(world, client_for, timetable):
    client = client_for(world.staff)
    url = f"/timetable/slots/{timetable['monday'].pk}/change?date=2026-11-30"
    assert client.get(url).status_code == 200
    response = client.post(url, {"date": "2026-11-30", "kind": "cancelled", "note": "Sortie"})
    assert response.status_code == 302
    assert LessonChange.objects.get().note == "Sortie"
    client.post(url, {"date": "2026-11-30", "undo": "1"})
    assert not LessonChange.objects.exists()
    assert client_for(world.teacher).get(url).status_code == 404
    assert client_for(world.other_admin).get(url).status_code == 404


def test_the_ical_feed_parses_and_matches_the_week(world, client_for, timetable, monkeypatch):
    from preau.timetable import ical

    monkeypatch.setattr(ical.timezone, "localdate", lambda: dt.date(2026, 12, 2))
    client = client_for(world.pupil)
    client.post("/timetable/feed")
    feed_page = client.get("/timetable/feed")
    address = feed_page.context["url"]
    assert "/timetable/ical/" in address
    actions.change_lesson(
        actor=actor(world.staff),
        slot=timetable["thursday"],
        date=dt.date(2026, 12, 3),
        kind="cancelled",
    )
    response = Client(HTTP_HOST="testserver").get(address.replace("http://testserver", ""))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {
        (e.decoded("dtstart").isoformat(), str(e.get("status", "")))
        for e in calendar.walk("VEVENT")
        if dt.date(2026, 11, 30) <= e.decoded("dtstart").date() <= dt.date(2026, 12, 6)
    }
    assert events == {
        ("2026-11-30T08:00:00+01:00", ""),
        ("2026-12-01T14:00:00+01:00", ""),
        ("2026-12-03T10:00:00+01:00", "CANCELLED"),
    }
    # Another tenant's host, a revoked address: nothing.
    assert (
        Client(HTTP_HOST="other.test").get(address.replace("http://testserver", "")).status_code
        == 404
    )
    client.post("/timetable/feed", {"revoke": "1"})
    assert (
        Client(HTTP_HOST="testserver").get(address.replace("http://testserver", "")).status_code
        == 404
    )
