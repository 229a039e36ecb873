"""Messaging in Chromium: a teacher writes to the guardians of a class, a guardian reads and
replies, the teacher sees the reply. axe-core on compose, inbox and the conversation."""

from __future__ import annotations

import base64

import pytest

from preau.directory.tests.factories import TEST_PASSWORD

# A one-pixel PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_writes_to_the_guardians_of_a_class_and_gets_a_reply(
    world, browser_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    teacher = browser_for("messaging-teacher")
    teacher.login(world.teacher.login, TEST_PASSWORD)
    teacher.goto("/messages/new")
    teacher.snap("compose")
    teacher.assert_accessible()
    # The picker offers the people he may write to; Léa's guardian is chosen by keyboard.
    teacher.page.fill("#recipient-search", "mart")
    teacher.page.wait_for_selector("[data-picker-results] [role=option]")
    teacher.page.press("#recipient-search", "ArrowDown")
    teacher.page.keyboard.press("Enter")
    assert teacher.page.locator("#chosen-people .chip").count() == 1
    teacher.page.locator("#chosen-people .chip__remove").click()
    assert teacher.page.locator("#chosen-people .chip").count() == 0
    teacher.page.check(f"input[value='class_guardians:{world.class_a.pk}']")
    teacher.page.fill("#id_subject", "Sortie au musée jeudi")
    # The editor: bold from the toolbar, then text, then a picture inside the text.
    editor = teacher.page.locator("#id_body-editor")
    editor.click()
    teacher.page.get_by_role("button", name="Gras").click()
    teacher.page.keyboard.type("Bonjour,")
    teacher.page.get_by_role("button", name="Gras").click()
    teacher.page.keyboard.press("Enter")
    teacher.page.keyboard.type("la classe ira au musée jeudi.")
    teacher.page.set_input_files(
        "[data-editor-image]",
        files=[{"name": "plan.png", "mimeType": "image/png", "buffer": PNG}],
    )
    teacher.page.wait_for_selector("#id_body-editor img[alt=plan]")
    # A few seconds after typing stops, the draft is saved by itself.
    teacher.page.wait_for_selector("#autosave-status:has-text('Brouillon enregistré')")
    assert teacher.page.locator("#id_draft").get_attribute("value")
    teacher.snap("compose-filled")
    teacher.page.set_input_files(
        "#id_attachments",
        files=[{"name": "autorisation.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}],
    )
    teacher.page.click("button[name=send]")
    teacher.page.wait_for_load_state("networkidle")
    assert teacher.page.locator("#confirm-send").count() == 1
    teacher.snap("confirm")
    teacher.assert_accessible()
    # A file input cannot be kept across the confirmation: it is chosen again.
    teacher.page.set_input_files(
        "#id_attachments",
        files=[{"name": "autorisation.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}],
    )
    teacher.page.click("button[name=send]")
    teacher.page.wait_for_load_state("networkidle")
    assert "/messages/box/sent/" in teacher.page.url

    guardian = browser_for("messaging-guardian")
    guardian.login(world.guardian.login, TEST_PASSWORD)
    guardian.goto("/messages/")
    assert guardian.page.locator(".mail-list__item--unread").count() == 1
    guardian.page.wait_for_selector("#unread-badge")
    guardian.snap("inbox")
    guardian.assert_accessible()
    guardian.page.click(".mail-list__item a")
    guardian.page.wait_for_load_state("networkidle")
    assert "la classe ira au musée jeudi" in guardian.page.locator(".thread__body").inner_text()
    assert guardian.page.locator(".thread__body strong, .thread__body b").first.inner_text() == (
        "Bonjour,"
    )
    assert guardian.page.locator(".thread__body img[alt=plan]").count() == 1
    with guardian.page.expect_download() as download:
        guardian.page.get_by_role("link", name="autorisation.pdf").click()
    assert download.value.suggested_filename == "autorisation.pdf"
    guardian.snap("thread")
    guardian.assert_accessible()
    guardian.page.get_by_role("link", name="Répondre", exact=True).click()
    guardian.page.wait_for_load_state("networkidle")
    guardian.page.locator("#id_body-editor").click()
    guardian.page.keyboard.type("Merci, Léa sera là.")
    guardian.page.click("button[name=send]")
    guardian.page.wait_for_load_state("networkidle")
    assert "/messages/box/sent/" in guardian.page.url

    teacher.goto("/messages/")
    teacher.page.click(".mail-list__item a")
    teacher.page.wait_for_load_state("networkidle")
    bodies = teacher.page.locator(".thread__body").all_inner_texts()
    assert len(bodies) == 2
    assert "Merci, Léa sera là." in bodies[1]
    teacher.snap("reply")
    teacher.assert_accessible()


def test_the_mailbox_on_a_phone(world, browser_for):
    s = browser_for("messaging-phone", width=390, height=844)
    s.login(world.pupil.login, TEST_PASSWORD)
    s.goto("/messages/")
    s.snap("empty")
    s.assert_accessible()
