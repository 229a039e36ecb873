"""The notebook in Chromium: a teacher fills a lesson with a formula and homework with a file,
the pupil sees it in "to do" (the file too) and marks it done, the guardian sees it; axe-core on
each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from preau.directory.tests.factories import TEST_PASSWORD
from preau.homework.models import Attachment, Done, Homework
from preau.timetable.tests.factories import course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lesson_with_a_formula_and_homework_reaches_the_pupil_and_the_guardian(
    world, browser_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    maths = course(world)
    due = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    teacher = browser_for("homework-teacher")
    teacher.login(world.teacher.login, TEST_PASSWORD)
    teacher.goto(f"/homework/courses/{maths.pk}/")
    teacher.page.fill("#id_title", "Équations du second degré")
    teacher.page.locator("#id_content-editor").click()
    teacher.page.keyboard.type("Discriminant : $\\Delta = b^2 - 4ac$")
    teacher.page.locator("#id_homework-editor").click()
    teacher.page.keyboard.type("Exercices 12 et 13 page 45 : résoudre $x^2 - 5x + 6 = 0$")
    teacher.page.fill("#id_due_on", due)
    teacher.page.fill("#id_estimated_minutes", "30")
    teacher.page.set_input_files(
        "#id_homework_files",
        files=[{"name": "exercices.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 ex"}],
    )
    teacher.snap("write")
    teacher.assert_accessible()
    teacher.page.click("text=Enregistrer la séance")
    teacher.page.wait_for_load_state("networkidle")
    assert Homework.objects.count() == 1
    assert Attachment.objects.get().homework == Homework.objects.get()
    assert teacher.page.locator(".homework-box a[download]").inner_text() == "exercices.pdf"
    teacher.page.wait_for_selector(".lesson-log .katex")
    teacher.snap("notebook")
    teacher.assert_accessible()

    pupil = browser_for("homework-pupil")
    pupil.login(world.pupil.login, TEST_PASSWORD)
    pupil.goto("/homework/")
    item = pupil.page.locator(".homework")
    assert item.count() == 1
    assert "Exercices 12 et 13" in item.inner_text()
    link = item.locator("a[download]")
    assert link.inner_text() == "exercices.pdf"
    with pupil.page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "exercices.pdf"
    pupil.page.wait_for_selector(".homework .katex")
    pupil.snap("todo")
    pupil.assert_accessible()
    pupil.page.get_by_role("button", name="Marquer comme fait").click()
    pupil.page.wait_for_selector("button[aria-pressed=true]")
    assert Done.objects.filter(pupil=world.pupil).count() == 1
    pupil.snap("done")

    guardian = browser_for("homework-guardian")
    guardian.login(world.guardian.login, TEST_PASSWORD)
    guardian.goto("/homework/")
    assert "Exercices 12 et 13" in guardian.page.locator(".homework").inner_text()
    assert guardian.page.locator(".homework .badge--ok").count() == 1  # Léa has done it
    guardian.snap("child")
    guardian.assert_accessible()
