"""The accounts pages in Chromium: log in, see one's sessions, log out; axe-core on each."""

from __future__ import annotations

import pytest

from preau.directory.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(tab):
    """The form's own button (the header's language switch has submit buttons too)."""
    tab.page.click("main button[type=submit]")
    tab.page.wait_for_load_state("networkidle")


def test_login_sessions_logout_and_the_anonymous_pages(world, browser_for):
    tab = browser_for("accounts")
    for path in ("/accounts/activate/", "/accounts/terms/", "/accounts/reset/"):
        assert tab.goto(path).status == 200
        tab.snap(path.strip("/").replace("/", "-"))
        tab.assert_accessible()

    tab.goto("/accounts/login/")
    tab.assert_accessible()
    tab.page.fill("input[name=identifier]", world.pupil.login)
    tab.page.fill("input[name=password]", "not the password")
    submit(tab)
    assert tab.page.locator(".alert--error").count() == 1
    assert tab.page.input_value("input[name=identifier]") == world.pupil.login
    tab.snap("login-error")
    tab.assert_accessible()

    tab.page.fill("input[name=password]", TEST_PASSWORD)
    submit(tab)
    tab.goto("/accounts/sessions/")
    assert tab.page.locator("table.table tbody tr").count() == 1
    tab.snap("sessions")
    tab.assert_accessible()

    tab.page.click(".user-menu summary")
    tab.page.click(".user-menu__list button[type=submit]")
    tab.page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in tab.page.url
    tab.snap("logged-out")
