"""The home page: apps, schools, and the block of each profile, in a fixed number of queries."""

from __future__ import annotations

import re

from preau.directory import models as m
from preau.directory.tests import factories as f

# Every authenticated page: session, person, the actor's memberships and authority rows.
BASE = 4
APPS = 1  # connected apps of the active school


def page(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def block(html: str, block_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{block_id}".*?</section>', html, re.S)
    assert match, f"no #{block_id} on the page"
    return match.group(0)


def warm(client):
    """A first request fills the tenant-by-host cache, as in production."""
    client.get("/")


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_pupil_sees_class_and_main_teacher(world, english_client_for, django_assert_num_queries):
    client = english_client_for(world.pupil)
    warm(client)
    with django_assert_num_queries(BASE + APPS + 1):
        html = page(client)
    my_class = block(html, "my-class")
    assert "6e A" in my_class
    assert "Paul Durand" in my_class
    assert "Mathématiques" in my_class
    assert "Claire Moreau" not in my_class  # teaches 6e B, not main teacher of 6e A
    schools = block(html, "my-schools")
    assert "Collège Victor Hugo" in schools
    assert "Pupil" in schools
    assert 'id="my-children"' not in html
    assert 'id="administration"' not in html
    assert "Hello Léa" in html


def test_pupil_without_class_sees_an_honest_empty_state(world, english_client_for):
    m.Membership.objects.filter(person=world.pupil).update(school_class=None)
    html = page(english_client_for(world.pupil))
    assert "You are not in any class yet for 2026-2027" in block(html, "my-class")


def test_guardian_sees_children_in_two_schools(
    world, english_client_for, django_assert_num_queries
):
    client = english_client_for(world.guardian)
    warm(client)
    with django_assert_num_queries(BASE + APPS + 2):
        page(client)
    # A second child, in the other school: the same number of queries.
    m.GuardianLink.objects.create(
        tenant=world.tenant, pupil=world.other_pupil, guardian=world.guardian
    )
    with django_assert_num_queries(BASE + APPS + 2):
        html = page(client)
    children = block(html, "my-children")
    assert "Léa Martin" in children
    assert "Louis Thomas" in children
    assert "Collège Victor Hugo" in children
    assert "Collège George Sand" in children
    assert children.count("6e A") == 2
    assert "Guardian" in block(html, "my-schools")


def test_guardian_without_children_sees_an_empty_state(world, english_client_for):
    m.GuardianLink.objects.filter(guardian=world.guardian).delete()
    html = page(english_client_for(world.guardian))
    assert "No child is linked to your account yet" in block(html, "my-children")


def test_teacher_sees_classes_groups_and_subjects(
    world, english_client_for, django_assert_num_queries
):
    client = english_client_for(world.teacher_b)
    warm(client)
    with django_assert_num_queries(BASE + APPS + 1):
        html = page(client)
    teaching = block(html, "my-teaching")
    assert "6e B" in teaching
    assert "Latin 5e" in teaching
    assert "Group" in teaching
    assert "Français" in teaching
    assert "6e A" not in teaching
    # More classes, more subjects: the same number of queries.
    for code in ("5A", "5B", "4A"):
        extra = f.SchoolClassFactory(school=world.school, year=world.year, code=code, name=code)
        m.TeachingAssignment.objects.create(
            tenant=world.tenant,
            teacher=world.teacher_b,
            school=world.school,
            year=world.year,
            school_class=extra,
            subject=world.maths,
        )
    with django_assert_num_queries(BASE + APPS + 1):
        html = page(client)
    teaching = block(html, "my-teaching")
    assert all(code in teaching for code in ("5A", "5B", "4A"))


def test_main_teacher_is_marked(world, english_client_for):
    html = page(english_client_for(world.teacher))
    teaching = block(html, "my-teaching")
    assert "6e A" in teaching
    assert "Main teacher" in teaching
    assert "Mathématiques" in teaching


def test_teacher_without_classes_sees_an_empty_state(world, english_client_for):
    m.TeachingAssignment.objects.filter(teacher=world.teacher).delete()
    html = page(english_client_for(world.teacher))
    assert "You do not teach any class here yet for 2026-2027" in block(html, "my-teaching")


def test_staff_sees_functions(world, english_client_for, django_assert_num_queries):
    client = english_client_for(world.staff)
    warm(client)
    with django_assert_num_queries(BASE + APPS):
        html = page(client)
    assert "Vie scolaire (CPE, assistants)" in block(html, "my-functions")
    assert "Staff" in block(html, "my-schools")
    assert 'id="administration"' not in html


def test_school_admin_sees_the_console_link(world, english_client_for, django_assert_num_queries):
    client = english_client_for(world.admin)
    warm(client)
    with django_assert_num_queries(BASE + APPS):
        html = page(client)
    admin = block(html, "administration")
    assert 'href="/console/"' in admin
    assert "You administer 1 school." in admin
    assert "Administrator" in block(html, "my-schools")


def test_authority_admin_without_membership(world, english_client_for, django_assert_num_queries):
    client = english_client_for(world.authority_admin)
    warm(client)
    # + the schools under the administered authority (built into the actor); + the school year
    # named by the empty state.
    with django_assert_num_queries(BASE + 1 + APPS + 1):
        html = page(client)
    assert "You administer 2 schools." in block(html, "administration")
    assert "You are not in any school for 2026-2027" in block(html, "my-schools")


def test_person_without_membership_sees_empty_states(
    world, english_client_for, django_assert_num_queries
):
    nobody = f.PersonFactory(tenant=world.tenant, first_name="Zoé", last_name="Nouvelle")
    client = english_client_for(nobody)
    warm(client)
    with django_assert_num_queries(BASE + APPS + 1):
        html = page(client)
    assert "You are not in any school for 2026-2027" in block(html, "my-schools")
    assert "No app is available to you yet" not in html  # messages are for everyone
    assert 'href="/messages/"' in html
    assert 'id="administration"' not in html
    assert 'id="my-class"' not in html


def test_home_is_in_french_by_default(world, client_for):
    html = page(client_for(world.pupil))
    assert '<html lang="fr">' in html


def test_date_follows_french_conventions(world, client_for):
    import datetime as dt
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 9, 2)):
        html = page(client_for(world.pupil))
    assert "Mercredi 2 septembre 2026" in html


def test_apps_grid_shows_native_and_connected_apps(world, english_client_for, native_apps):
    from preau.portal.tests.factories import ConnectedAppFactory

    ConnectedAppFactory(tenant=world.tenant, name="Pronote", url="https://pronote.example.org/")
    world.tenant.enabled_apps = [*world.tenant.enabled_apps, "Notes"]
    world.tenant.save()
    html = page(english_client_for(world.pupil))
    assert re.search(r'<a class="app-tile" href="/news/"', html)
    assert re.search(r'<a class="app-tile" href="/stub-grades/"', html)
    assert re.search(
        r'<a class="app-tile" href="https://pronote.example.org/" rel="noopener"', html
    )
    assert "Connected app" in html
