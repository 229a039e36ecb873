"""OpenID Connect in Chromium: a guardian consents to a third-party app; the operator's client
registry. axe-core on each page."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from preau.directory.tests.factories import TEST_PASSWORD
from preau.sso.oidc.tests.conftest import REDIRECT_URI, pkce_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_guardian_allows_a_third_party_app(world, browser_for, register):
    registered = register(name="Cantine en ligne", is_first_party=False)
    _verifier, challenge = pkce_pair()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": registered.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile schools",
            "state": "xyz",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    s = browser_for("oidc-consent")
    s.login(world.guardian.login, TEST_PASSWORD)
    s.goto(f"/oidc/authorize/?{query}")
    assert s.page.locator("#oidc-consent").count() == 1
    assert "Cantine en ligne" in s.page.locator("h1").inner_text()
    s.snap("consent")
    s.assert_accessible()
    # Allowing sends the browser to the app's address with a code (nothing listens there).
    with s.page.expect_request(lambda r: r.url.startswith(REDIRECT_URI)) as sent:
        s.page.get_by_role("button", name="Autoriser").click()
    assert "code=" in sent.value.url
    assert "state=xyz" in sent.value.url


def test_the_operator_registers_a_client(world, browser_for):
    s = browser_for("oidc-console")
    s.login(world.operator.login, TEST_PASSWORD)
    s.goto("/console/oidc/")
    s.snap("empty")
    s.assert_accessible()
    s.goto("/console/oidc/new")
    s.snap("form")
    s.assert_accessible()


def test_a_guardian_ends_an_application_s_access(world, browser_for, register, flow):
    registered = register(name="Cantine en ligne")
    flow(world.guardian, registered).tokens()
    s = browser_for("oidc-authorizations")
    s.login(world.guardian.login, TEST_PASSWORD)
    s.goto("/oidc/authorized/")
    assert "Cantine en ligne" in s.page.locator("#authorizations").inner_text()
    s.snap("list")
    s.assert_accessible()
    s.page.once("dialog", lambda dialog: dialog.accept())
    s.page.get_by_role("button", name="Mettre fin à son accès — Cantine en ligne").click()
    s.page.wait_for_load_state("networkidle")
    assert s.page.locator("#authorizations").count() == 0
    s.snap("ended")
    s.assert_accessible()
