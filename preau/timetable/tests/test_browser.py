"""The timetable in Chromium: the administrator places a course, vie scolaire cancels a
lesson, the pupil sees it struck out, on a computer and on a phone; axe-core on each page."""

from __future__ import annotations

import datetime as dt

import pytest

from preau.directory.tests.factories import TEST_PASSWORD
from preau.timetable.models import LessonChange, Slot
from preau.timetable.tests.factories import course, room

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lesson_is_placed_cancelled_and_seen(world, browser_for):
    maths = course(world)
    room(world, "B12")
    admin = browser_for("timetable-admin")
    admin.login(world.admin.login, TEST_PASSWORD)
    admin.goto(f"/timetable/schools/{world.school.pk}/manage")
    admin.page.select_option("#id_course", str(maths.pk))
    admin.page.select_option("#id_weekday", "1")
    admin.page.fill("#id_starts_at", "08:00")
    admin.page.fill("#id_ends_at", "09:00")
    admin.page.select_option("#id_room", label="B12")
    admin.page.click("text=Ajouter le créneau")
    admin.page.wait_for_load_state("networkidle")
    assert Slot.objects.count() == 1
    admin.snap("manage")
    admin.assert_accessible()

    staff = browser_for("timetable-staff")
    staff.login(world.staff.login, TEST_PASSWORD)
    staff.goto(f"/timetable/classes/{world.class_a.pk}/?week=2026-11-30")
    staff.page.click("text=Modifier ce cours")
    staff.page.wait_for_load_state("networkidle")
    staff.snap("change")
    staff.assert_accessible()
    staff.page.check("input[value=cancelled]")
    staff.page.fill("#id_note", "Sortie au musée")
    staff.page.click("text=Enregistrer et prévenir la classe")
    staff.page.wait_for_load_state("networkidle")
    assert LessonChange.objects.get().date == dt.date(2026, 11, 30)

    pupil = browser_for("timetable-pupil")
    pupil.login(world.pupil.login, TEST_PASSWORD)
    pupil.goto("/timetable/?week=2026-11-30")
    lesson = pupil.page.locator(".lesson--cancelled")
    assert lesson.count() == 1
    assert "Sortie au musée" in lesson.inner_text()
    pupil.snap("week")
    pupil.assert_accessible()

    phone = browser_for("timetable-phone", width=390, height=844)
    phone.login(world.pupil.login, TEST_PASSWORD)
    phone.goto("/timetable/?week=2026-11-30")
    phone.snap("week")
    phone.assert_accessible()
