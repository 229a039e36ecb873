"""The protocols together: a pupil asked to log in by a CAS app chooses EduConnect and arrives
in the app with a ticket."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from defusedxml.ElementTree import fromstring
from django.test import Client

from preau.portal.tests.factories import ConnectedAppFactory
from preau.sso.cas.responses import CAS_NS
from preau.sso.saml.tests.conftest import educonnect_identity, post_response, start_login


def test_a_cas_login_goes_through_educonnect(world, educonnect, educonnect_idp):
    world.pupil.external_id = "7654321"
    world.pupil.save()
    service = "https://moodle.example.org/login/index.php"
    ConnectedAppFactory(
        tenant=world.tenant,
        url="https://moodle.example.org/",
        cas_enabled=True,
        service_patterns="https://moodle.example.org/*",
    )
    browser = Client(HTTP_HOST="testserver")
    to_login = browser.get("/cas/login?" + urlencode({"service": service}))
    next_url = parse_qs(urlsplit(to_login["Location"]).query)["next"][0]
    login_page = browser.get(to_login["Location"]).content.decode()
    assert f"/saml/login/{educonnect.pk}/?next=" in login_page

    location = start_login(browser, educonnect, next_url=urlencode({"": next_url})[1:])
    back = post_response(
        browser, educonnect_idp.answer(location, educonnect_identity(join_key="7654321"))
    )
    assert back["Location"] == next_url
    to_app = browser.get(next_url)
    assert to_app["Location"].startswith(service + "?ticket=ST-")
    ticket = parse_qs(urlsplit(to_app["Location"]).query)["ticket"][0]

    answer = Client().get("/cas/p3/serviceValidate", {"ticket": ticket, "service": service})
    user = fromstring(answer.content).findtext(
        "cas:authenticationSuccess/cas:user", namespaces={"cas": CAS_NS}
    )
    assert user == world.pupil.login
