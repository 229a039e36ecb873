"""CAS in Chromium: a pupil opens a connected app, logs in on Préau's page and arrives in the
app logged in; an unregistered address gets Préau's refusal page. axe-core on each page."""

from __future__ import annotations

import pytest

from preau.directory.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pupil_logs_into_a_connected_app_through_cas(world, browser_for, cas_app, receiver):
    s = browser_for("cas-login")
    receiver.cas_server = f"{s.base_url}/cas/"
    s.page.goto(f"{receiver.url}/app/")
    s.page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in s.page.url
    s.snap("login")
    s.assert_accessible()
    s.page.fill("input[name=identifier]", world.pupil.login)
    s.page.fill("input[name=password]", TEST_PASSWORD)
    s.page.click("main button[type=submit]")
    s.page.wait_for_load_state("networkidle")
    assert s.page.url.startswith(f"{receiver.url}/app/?ticket=ST-")
    assert (
        s.page.locator("h1").inner_text()
        == f"Bonjour {world.pupil.first_name} {world.pupil.last_name}"
    )
    s.snap("in-the-app")

    # Already logged in: the app is opened again without any form.
    s.page.goto(f"{receiver.url}/app/")
    s.page.wait_for_load_state("networkidle")
    assert s.page.url.startswith(f"{receiver.url}/app/?ticket=ST-")

    s.goto("/cas/login?service=https%3A%2F%2Fevil.example.com%2F")
    assert s.page.url.startswith(s.base_url)
    s.snap("unknown-service")
    s.assert_accessible()


def test_the_registry_in_the_console(world, browser_for, cas_app, pronote):
    s = browser_for("cas-registry")
    s.login(world.admin.login, TEST_PASSWORD)
    s.goto("/console/apps/")
    assert s.page.locator("tbody tr").count() == 1  # Pronote (the admin's school); not Moodle
    s.snap("list")
    s.assert_accessible()
    s.page.click("tbody a")
    s.page.wait_for_load_state("networkidle")
    s.page.fill("#id_service_patterns", "pronote.example.fr")
    s.page.click("form.card button[type=submit]")
    s.page.wait_for_load_state("networkidle")
    assert s.page.locator("#id_service_patterns_error").count() == 1
    s.snap("form-error")
    s.assert_accessible()
