"""The "Who are you?" login page in Chromium, with two identity providers; axe-core."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_offers_the_identity_providers(world, educonnect, agents, browser_for):
    tab = browser_for("saml-login")
    assert tab.goto("/accounts/login/").status == 200
    page = tab.page
    headings = page.locator("main h2").all_inner_texts()
    assert len(headings) == 3  # pupil or parent, académie staff, Préau account
    educonnect_link = page.get_by_role("link", name="Se connecter avec EduConnect")
    assert educonnect_link.get_attribute("href") == f"/saml/login/{educonnect.pk}/"
    agents_link = page.get_by_role("link", name="Personnel de l'académie de Lyon")
    assert agents_link.get_attribute("href") == f"/saml/login/{agents.pk}/"
    # The password form still works as before.
    assert page.locator("input[name=identifier]").count() == 1
    tab.snap("who-are-you")
    tab.assert_accessible()
    # Keyboard: the providers are reachable with Tab, in reading order.
    page.focus("main h1")
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert "Se connecter avec EduConnect" in reached
    assert "Personnel de l'académie de Lyon" in reached
    assert reached.index("Se connecter avec EduConnect") < reached.index(
        "Personnel de l'académie de Lyon"
    )
