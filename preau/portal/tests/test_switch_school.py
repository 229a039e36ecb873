"""The school switcher: only one's own or administered schools; nothing else changes."""

from __future__ import annotations

import pytest

from preau.directory.models import Membership, Profile
from preau.directory.queries import ACTIVE_SCHOOL_SESSION_KEY

URL = "/school/switch"


@pytest.fixture
def two_school_teacher(world):
    Membership.objects.create(
        tenant=world.tenant,
        person=world.teacher,
        school=world.other_school,
        year=world.year,
        profile=Profile.TEACHER,
    )
    return world.teacher


def test_switch_to_a_school_of_ones_own(world, client_for, two_school_teacher):
    client = client_for(two_school_teacher)
    response = client.post(URL, {"school": world.other_school.pk})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[ACTIVE_SCHOOL_SESSION_KEY] == world.other_school.pk
    html = client.get("/").content.decode()
    assert "· Collège George Sand</p>" in html


def test_switcher_is_in_the_header_for_several_schools(world, client_for, two_school_teacher):
    html = client_for(two_school_teacher).get("/").content.decode()
    assert 'action="/school/switch"' in html
    assert f'value="{world.other_school.pk}"' in html


def test_switch_goes_back_to_a_safe_next(world, client_for, two_school_teacher):
    client = client_for(two_school_teacher)
    response = client.post(URL, {"school": world.other_school.pk, "next": "/profile/"})
    assert response["Location"] == "/profile/"
    response = client.post(
        URL, {"school": world.school.pk}, HTTP_REFERER="http://testserver/profile/"
    )
    assert response["Location"] == "http://testserver/profile/"


@pytest.mark.parametrize("bad", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_switch_never_redirects_elsewhere(world, client_for, two_school_teacher, bad):
    client = client_for(two_school_teacher)
    response = client.post(URL, {"school": world.other_school.pk, "next": bad}, HTTP_REFERER=bad)
    assert response["Location"] == "/"


def test_admin_switches_to_an_administered_school(world, client_for):
    client = client_for(world.authority_admin)
    response = client.post(URL, {"school": world.other_school.pk})
    assert response.status_code == 302
    assert client.session[ACTIVE_SCHOOL_SESSION_KEY] == world.other_school.pk


@pytest.mark.parametrize(
    ("who", "where"),
    [
        ("pupil", "other_school"),  # same tenant, no membership there
        ("teacher", "other_school"),
        ("admin", "other_school"),  # administers another school only
        ("pupil", "foreign_school"),  # the other tenant
        ("authority_admin", "foreign_school"),
        ("operator", "foreign_school"),
    ],
)
def test_switch_elsewhere_is_404_and_changes_nothing(world, client_for, who, where):
    client = client_for(getattr(world, who))
    client.get("/")
    before = client.session.get(ACTIVE_SCHOOL_SESSION_KEY)
    response = client.post(URL, {"school": getattr(world, where).pk})
    assert response.status_code == 404
    assert client.session.get(ACTIVE_SCHOOL_SESSION_KEY) == before


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_switch_with_nonsense_is_404(world, client_for, value):
    client = client_for(world.pupil)
    response = client.post(URL, {"school": value})
    assert response.status_code == 404
    assert ACTIVE_SCHOOL_SESSION_KEY not in client.session


def test_switch_needs_post(world, client_for):
    assert client_for(world.pupil).get(URL).status_code == 405


def test_switch_needs_login(world, client):
    response = client.post(URL, {"school": world.school.pk})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
