"""The console's home (schools per scope, counts, search, pages) and the audit log."""

from __future__ import annotations

import zoneinfo
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from preau.core.audit import record_audit
from preau.core.models import AuditEntry
from preau.directory.actions import create_class, create_person
from preau.directory.queries import build_actor
from preau.directory.tests import factories as f


def school_names(response):
    return [s.name for s in response.context["page"].items]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", ["Collège Victor Hugo"]),
        ("other_admin", ["Collège George Sand"]),
        ("authority_admin", ["Collège George Sand", "Collège Victor Hugo"]),
        ("operator", ["Collège George Sand", "Collège Victor Hugo"]),
        ("foreign_admin", ["Collège Étranger"]),
    ],
)
def test_each_administrator_sees_the_schools_of_their_scope(world, client_as, role, expected):
    response = client_as(role).get(reverse("console:index"))
    assert school_names(response) == expected


def test_schools_show_their_counts(world, client_as):
    response = client_as("admin").get(reverse("console:index"))
    (school,) = response.context["page"].items
    assert (school.pupil_count, school.teacher_count, school.class_count) == (3, 2, 2)
    html = response.content.decode()
    assert 'data-label="' in html
    assert "table--responsive" in html


def test_schools_search_by_name_or_uai(world, client_as):
    client = client_as("operator")
    url = reverse("console:index")
    assert school_names(client.get(url, {"q": "sand"})) == ["Collège George Sand"]
    assert school_names(client.get(url, {"q": world.school.uai.lower()})) == ["Collège Victor Hugo"]
    empty = client.get(url, {"q": "zzz"})
    assert school_names(empty) == []
    assert b"empty-state" in empty.content


def _many_schools(world, n):
    for i in range(n):
        school = f.SchoolFactory(tenant=world.tenant, name=f"École {i:03d}")
        f.SchoolClassFactory(school=school, year=world.year)


def test_schools_are_paginated_in_a_fixed_number_of_queries(
    world, client_as, django_assert_num_queries
):
    client = client_as("operator")
    url = reverse("console:index")
    client.get(url)  # warms the tenant cache
    # Session, person, memberships, authority rows, current year, the page with its counts.
    with django_assert_num_queries(6):
        client.get(url)
    _many_schools(world, 60)
    with django_assert_num_queries(6):
        first = client.get(url)
    page = first.context["page"]
    assert len(page.items) == 50
    second = client.get(url + page.next_url)
    assert len(school_names(first) + school_names(second)) == 62
    assert {s.class_count for s in page.items if s.name.startswith("École")} == {1}


def test_school_page_links_to_every_section(world, client_as):
    response = client_as("admin").get(reverse("console:school", args=[world.school.pk]))
    html = response.content.decode()
    for name in ("people", "classes", "groups", "communication"):
        assert reverse(f"console:{name}", args=[world.school.pk]) in html
    assert response.context["school"].pupil_count == 3


# --- audit -----------------------------------------------------------------------------------


@pytest.fixture
def history(world):
    """A change in each school of the tenant, one in the other tenant, and one by the admin
    outside their school."""
    admin = build_actor(world.admin, tenant=world.tenant)
    other = build_actor(world.other_admin, tenant=world.tenant)
    foreign = build_actor(world.foreign_admin, tenant=world.other_tenant)
    create_person(
        actor=admin, school=world.school, first_name="Jeanne", last_name="Dupont", profile="pupil"
    )
    create_class(actor=other, school=world.other_school, code="5Z", name="5e Z")
    create_class(actor=foreign, school=world.foreign_school, code="5Y", name="5e Y")
    record_audit(actor=admin, action="accounts.api_token_created", subject=world.admin)


def actions_seen(response):
    return sorted(e.action for e in response.context["page"].items)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", ["accounts.api_token_created", "directory.person_created"]),
        ("other_admin", ["directory.class_created"]),
        ("authority_admin", ["directory.class_created", "directory.person_created"]),
        (
            "operator",
            ["accounts.api_token_created", "directory.class_created", "directory.person_created"],
        ),
        ("foreign_admin", ["directory.class_created"]),
    ],
)
def test_audit_shows_each_administrator_what_they_may_see(
    world, client_as, history, role, expected
):
    response = client_as(role).get(reverse("console:audit"))
    assert actions_seen(response) == expected


def test_audit_shows_who_what_when_on_whom_in_french(world, client_as, history):
    entry = AuditEntry.objects.get(action="directory.person_created")
    client = client_as("admin")
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("console:audit")).content.decode()
    assert "Alice Girard" in html  # who
    assert "directory.person_created" in html  # what
    assert "Jeanne Dupont" in html  # on whom
    local = entry.at.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    assert local.strftime("%d/%m/%Y %H:%M") in html  # when, the French way


def test_audit_filters_by_action_and_school(world, client_as, history):
    client = client_as("operator")
    url = reverse("console:audit")
    assert actions_seen(client.get(url, {"action": "directory."})) == [
        "directory.class_created",
        "directory.person_created",
    ]
    assert actions_seen(client.get(url, {"school": world.other_school.pk})) == [
        "directory.class_created"
    ]


def test_audit_school_filter_refuses_a_school_out_of_scope(world, client_as, history):
    response = client_as("admin").get(reverse("console:audit"), {"school": world.other_school.pk})
    assert response.context["form"].errors["school"]
    assert "directory.class_created" not in actions_seen(response)


def test_audit_is_keyset_paginated_newest_first(world, client_as, django_assert_num_queries):
    admin = build_actor(world.admin, tenant=world.tenant)
    for i in range(60):
        record_audit(actor=admin, action=f"test.step{i:02d}", school=world.school)
    client = client_as("admin")
    url = reverse("console:audit")
    client.get(url)
    # Session, person, memberships, authority rows, the schools of the filter, the page.
    with django_assert_num_queries(6):
        first = client.get(url)
    assert first.context["page"].items[0].action == "test.step59"
    second = client.get(url + first.context["page"].next_url)
    seen = actions_seen(first) + actions_seen(second)
    assert len(seen) == len(set(seen)) == 60
    assert client.get(url + "?" + urlencode({"after": "bad"})).status_code == 400
