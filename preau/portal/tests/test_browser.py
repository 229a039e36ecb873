"""The portal in Chromium: home, profile with an avatar, school switcher; axe-core on each page."""

from __future__ import annotations

import pytest

from preau.directory.models import Membership, Profile
from preau.directory.tests.factories import TEST_PASSWORD
from preau.portal.tests.factories import ConnectedAppFactory, picture_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(s, person):
    s.goto("/accounts/login/")
    s.page.fill("input[name=identifier]", person.login)
    s.page.fill("input[name=password]", TEST_PASSWORD)
    s.page.click("main button[type=submit]")
    s.page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in s.page.url


def test_a_pupil_sees_home_and_edits_the_profile(world, browser_for, media, tmp_path):
    ConnectedAppFactory(
        tenant=world.tenant,
        name="Pronote",
        url="https://pronote.example.org/",
        icon_colour="#1f7a3a",
    )
    s = browser_for("portal-pupil")
    log_in(s, world.pupil)
    s.goto("/")
    assert s.page.locator("h1").count() == 1
    assert s.page.locator("a.app-tile[rel=noopener]").count() == 1
    assert "Paul Durand" in s.page.locator("#my-class").inner_text()
    s.snap("home")
    s.assert_accessible()

    s.goto("/profile/")
    s.snap("profile")
    s.assert_accessible()

    # A text file named .png: refused next to the field, what was typed is kept.
    fake = tmp_path / "photo.png"
    fake.write_text("not a picture")
    s.page.fill("#id_mobile", "06 12 34 56 78")
    s.page.set_input_files("#id_avatar", str(fake))
    s.page.click("form.card button[type=submit]")
    s.page.wait_for_load_state("networkidle")
    assert s.page.locator("#id_avatar_error").count() == 1
    assert s.page.input_value("#id_mobile") == "06 12 34 56 78"
    s.snap("profile-error")
    s.assert_accessible()

    # A real picture, and English: saved, and the interface switches.
    real = tmp_path / "me.png"
    real.write_bytes(picture_bytes("PNG", (500, 400)))
    s.page.set_input_files("#id_avatar", str(real))
    s.page.select_option("#id_language", "en")
    s.page.click("form.card button[type=submit]")
    s.page.wait_for_load_state("networkidle")
    assert s.page.locator("html").get_attribute("lang") == "en"
    assert s.page.locator(".avatar--lg img").count() == 1
    assert s.page.evaluate("document.querySelector('.avatar--lg img').naturalWidth") == 256
    s.snap("profile-saved")
    s.assert_accessible()


def test_a_teacher_switches_school_and_a_guardian_sees_children(world, browser_for):
    Membership.objects.create(
        tenant=world.tenant,
        person=world.teacher,
        school=world.other_school,
        year=world.year,
        profile=Profile.TEACHER,
    )
    s = browser_for("portal-teacher")
    log_in(s, world.teacher)
    s.goto("/")
    # The first school by name is active at first: George Sand, where nothing is taught yet.
    assert "Collège George Sand" in s.page.locator(".page-header__lead").inner_text()
    assert s.page.locator("#my-teaching .empty-state").count() == 1
    s.snap("home-first-school")
    s.assert_accessible()
    with s.page.expect_navigation():  # the select submits itself on change
        s.page.select_option("#school-switcher", str(world.school.pk))
    s.page.wait_for_load_state("networkidle")
    assert "Collège Victor Hugo" in s.page.locator(".page-header__lead").inner_text()
    assert "6e A" in s.page.locator("#my-teaching").inner_text()
    s.snap("home-switched")
    s.assert_accessible()

    g = browser_for("portal-guardian")
    log_in(g, world.guardian)
    g.goto("/")
    assert "Léa Martin" in g.page.locator("#my-children").inner_text()
    g.snap("home")
    g.assert_accessible()
