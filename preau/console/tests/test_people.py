"""People pages: list (filters, pagination, query count), creation, detail, account operations."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from preau.accounts import codes
from preau.accounts.models import OneTimeCode
from preau.console.tests.helpers import snapshot
from preau.core.models import AuditEntry
from preau.directory.models import Membership, Person, Profile
from preau.directory.tests import factories as f


def people_url(world, **params):
    url = reverse("console:people", args=[world.school.pk])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def names(response):
    return [p.full_name for p in response.context["page"].items]


# --- list ------------------------------------------------------------------------------------


def test_people_lists_the_members_of_the_school_this_year_only(world, client_as):
    response = client_as("admin").get(people_url(world))
    assert response.status_code == 200
    listed = set(names(response))
    assert {"Léa Martin", "Sophie Martin", "Paul Durand", "Alice Girard"} <= listed
    assert "Louis Thomas" not in listed  # world.other_school
    assert "Emma Petit" not in listed  # other tenant
    assert "Olivier Mercier" not in listed  # the operator belongs to no school
    html = response.content.decode()
    assert 'class="table table--responsive"' in html
    assert 'data-label="' in html


def test_people_search_is_accent_and_case_insensitive(world, client_as):
    client = client_as("admin")
    assert names(client.get(people_url(world, q="LEA"))) == ["Léa Martin"]
    assert names(client.get(people_url(world, q="martin"))) == ["Léa Martin", "Sophie Martin"]
    assert names(client.get(people_url(world, q="chloe dub"))) == ["Chloé Dubois"]
    assert names(client.get(people_url(world, q="fèvre"))) == []  # Jean Lefèvre: other school


def test_people_filters_by_profile_and_class(world, client_as):
    client = client_as("admin")
    pupils = names(client.get(people_url(world, profile="pupil")))
    assert pupils == ["Hugo Bernard", "Chloé Dubois", "Léa Martin"]
    in_a = names(client.get(people_url(world, school_class=world.class_a.pk)))
    assert in_a == ["Hugo Bernard", "Léa Martin"]
    teachers = names(client.get(people_url(world, profile="teacher")))
    assert teachers == ["Paul Durand", "Claire Moreau"]


def test_a_class_of_another_school_in_the_filter_is_an_error_and_leaks_nothing(world, client_as):
    response = client_as("admin").get(people_url(world, school_class=world.other_class.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["school_class"]
    assert "Louis Thomas" not in names(response)


def test_people_empty_state_says_what_to_do(world, client_as):
    response = client_as("admin").get(people_url(world, q="zzzz"))
    assert names(response) == []
    assert b"empty-state" in response.content


def _add_pupils(world, n):
    for i in range(n):
        p = f.PersonFactory(tenant=world.tenant, first_name=f"Élève{i:03d}", last_name="Zeta")
        Membership.objects.create(
            tenant=world.tenant,
            person=p,
            school=world.school,
            year=world.year,
            profile=Profile.PUPIL,
            school_class=world.class_b,
        )


def test_people_are_paginated_by_keyset(world, client_as):
    _add_pupils(world, 60)
    client = client_as("admin")
    first = client.get(people_url(world))
    page = first.context["page"]
    assert len(page.items) == 50
    assert page.next_url
    second = client.get(reverse("console:people", args=[world.school.pk]) + page.next_url)
    seen = names(first) + names(second)
    total = Membership.objects.filter(school=world.school, year=world.year).values("person")
    assert len(seen) == len(set(seen)) == total.distinct().count()
    assert second.context["page"].next_url is None
    # Filters are kept in the pager's links.
    filtered = client.get(people_url(world, q="zeta", profile="pupil"))
    assert "q=zeta" in filtered.context["page"].next_url
    assert "profile=pupil" in filtered.context["page"].next_url


def test_a_forged_cursor_is_a_400(world, client_as):
    assert client_as("admin").get(people_url(world, after="!!!")).status_code == 400


# Session, person, the actor's memberships and authority rows, the school, the current year,
# the page of people, their memberships of the school, the classes of the filter. (The tenant
# of the host is cached: the first request warms the cache.)
PEOPLE_PAGE_QUERIES = 9


def test_people_page_runs_a_fixed_number_of_queries(world, client_as, django_assert_num_queries):
    client = client_as("admin")
    url = people_url(world, profile="pupil", q="a")
    client.get(url)
    with django_assert_num_queries(PEOPLE_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    _add_pupils(world, 40)
    with django_assert_num_queries(PEOPLE_PAGE_QUERIES):
        response = client.get(url)
    assert len(response.context["page"].items) == 42  # Chloé Dubois has no "a"


# --- create ----------------------------------------------------------------------------------


def new_url(world):
    return reverse("console:person_new", args=[world.school.pk])


def test_create_a_pupil_with_a_generated_login(world, client_as):
    response = client_as("admin").post(
        new_url(world),
        {
            "first_name": "Jeanne",
            "last_name": "Dupont",
            "profile": "pupil",
            "school_class": world.class_a.pk,
        },
    )
    person = Person.objects.get(login="jeanne.dupont")
    assert response.status_code == 302
    assert response["Location"] == reverse("console:person", args=[world.school.pk, person.pk])
    assert person.memberships.get().school_class == world.class_a
    assert AuditEntry.objects.filter(action="directory.person_created", subject=person).exists()


def test_a_homonym_gets_suffix_2(world, client_as):
    client = client_as("admin")
    data = {"first_name": "Jeanne", "last_name": "Dupont", "profile": "guardian"}
    client.post(new_url(world), data)
    client.post(new_url(world), data)
    assert set(Person.objects.filter(last_name="Dupont").values_list("login", flat=True)) == {
        "jeanne.dupont",
        "jeanne.dupont2",
    }


def test_a_duplicate_login_typed_by_hand_is_shown_next_to_the_field(world, client_as):
    before = snapshot()
    response = client_as("admin").post(
        new_url(world),
        {
            "first_name": "Louis",
            "last_name": "Thomas",
            "profile": "teacher",
            "login": world.other_pupil.login,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["login"]
    assert world.other_pupil.login in errors[0]
    html = response.content.decode()
    assert 'class="field__error" id="id_login_error"' in html
    assert snapshot() == before


def test_malformed_input_is_kept_in_the_form(world, client_as):
    before = snapshot()
    response = client_as("admin").post(
        new_url(world),
        {
            "first_name": "Jeanne",
            "last_name": "",
            "profile": "pupil",
            "email": "jeanne-at-example",
            "birth_date": "31/02/2014",
            "login": "Jeanne Dupont",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"last_name", "email", "birth_date"}
    html = response.content.decode()
    assert 'value="Jeanne"' in html
    assert 'value="jeanne-at-example"' in html
    assert 'value="31/02/2014"' in html
    assert 'value="Jeanne Dupont"' in html
    assert snapshot() == before


def test_errors_are_in_the_users_language(world, client_as):
    client = client_as("admin")
    client.cookies["django_language"] = "en"
    response = client.post(new_url(world), {"first_name": "", "last_name": "", "profile": "x"})
    assert "This field is required." in response.content.decode()
    client.cookies["django_language"] = "fr"
    response = client.post(new_url(world), {"first_name": "", "last_name": "", "profile": "x"})
    assert "Ce champ est obligatoire." in response.content.decode()


def test_a_class_of_another_school_is_a_form_error(world, client_as):
    before = snapshot()
    response = client_as("admin").post(
        new_url(world),
        {
            "first_name": "A",
            "last_name": "B",
            "profile": "pupil",
            "school_class": world.other_class.pk,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["school_class"]
    assert snapshot() == before


# --- detail, edit ----------------------------------------------------------------------------


def person_url(world, person, school=None):
    return reverse("console:person", args=[(school or world.school).pk, person.pk])


def test_detail_of_a_pupil_shows_class_status_and_guardians(world, client_as):
    response = client_as("admin").get(person_url(world, world.pupil))
    html = response.content.decode()
    assert "Léa Martin" in html
    assert "6e A" in html
    assert "Sophie Martin" in html
    assert reverse("console:person", args=[world.school.pk, world.guardian.pk]) in html


def test_detail_of_a_guardian_shows_children(world, client_as):
    html = client_as("admin").get(person_url(world, world.guardian)).content.decode()
    assert "Léa Martin" in html
    assert person_url(world, world.pupil) in html


@pytest.mark.parametrize(
    ("school", "person"),
    [
        ("school", "other_pupil"),  # a member of another school, under this school's id
        ("school", "foreign_pupil"),  # another tenant's person
        ("school", "operator"),  # a member of no school
        ("other_school", "pupil"),  # a school this admin does not administer
        ("foreign_school", "foreign_pupil"),
    ],
)
def test_forged_ids_answer_404_and_change_nothing(world, client_as, school, person):
    client = client_as("admin")
    s, p = getattr(world, school), getattr(world, person)
    before = snapshot()
    assert client.get(person_url(world, p, s)).status_code == 404
    assert client.get(reverse("console:person_edit", args=[s.pk, p.pk])).status_code == 404
    for name, data in [
        ("console:person_edit", {"first_name": "X", "last_name": "Y", "login": "x.y"}),
        ("console:person_block", {"reason": "x"}),
        ("console:person_unblock", {}),
        ("console:person_reset_password", {}),
        ("console:person_activation_code", {}),
    ]:
        assert client.post(reverse(name, args=[s.pk, p.pk]), data).status_code == 404
    assert snapshot() == before


def test_edit_a_pupil_moves_them_and_keeps_the_form_on_error(world, client_as):
    client = client_as("admin")
    url = reverse("console:person_edit", args=[world.school.pk, world.pupil.pk])
    form = client.get(url).context["form"]
    assert set(form.fields) == {
        "first_name",
        "last_name",
        "email",
        "birth_date",
        "login",
        "school_class",
    }
    response = client.post(
        url,
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "login": world.teacher.login,
            "school_class": world.class_b.pk,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["login"]
    response = client.post(
        url,
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "login": "lea.martin",
            "school_class": world.class_b.pk,
        },
    )
    assert response.status_code == 302
    world.pupil.refresh_from_db()
    assert world.pupil.login == "lea.martin"
    assert Membership.objects.get(person=world.pupil).school_class == world.class_b


# --- account operations ----------------------------------------------------------------------


def test_block_with_a_reason_then_unblock(world, client_as):
    client = client_as("admin")
    block = reverse("console:person_block", args=[world.school.pk, world.pupil.pk])
    response = client.post(block, {"reason": ""})
    assert response.status_code == 400
    assert response.context["block_form"].errors["reason"]
    assert client.post(block, {"reason": "Usurpation"}).status_code == 302
    world.pupil.refresh_from_db()
    assert (world.pupil.is_blocked, world.pupil.blocked_reason) == (True, "Usurpation")
    entry = AuditEntry.objects.get(action="accounts.person_blocked")
    assert (entry.subject, entry.school) == (world.pupil, world.school)
    html = client.get(person_url(world, world.pupil)).content.decode()
    assert "badge--danger" in html
    unblock = reverse("console:person_unblock", args=[world.school.pk, world.pupil.pk])
    assert client.post(unblock).status_code == 302
    world.pupil.refresh_from_db()
    assert not world.pupil.is_blocked


def test_an_administrator_cannot_block_themselves(world, client_as):
    response = client_as("admin").post(
        reverse("console:person_block", args=[world.school.pk, world.admin.pk]), {"reason": "x"}
    )
    assert response.status_code == 400
    world.admin.refresh_from_db()
    assert not world.admin.is_blocked


def _code_on_page(response):
    match = re.search(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4})</code>", response.content.decode())
    assert match, "the code is shown on the page"
    return match.group(1)


def _is_valid_code(person, code):
    return OneTimeCode.objects.filter(
        person=person,
        purpose=OneTimeCode.Purpose.ACTIVATION,
        used_at__isnull=True,
        code_hash=codes.hash_code(
            purpose="activation", person_id=person.pk, code=codes.normalize_code(code)
        ),
    ).exists()


def test_reset_password_shows_a_fresh_code_once_with_its_letter(world, client_as):
    client = client_as("admin")
    response = client.post(
        reverse("console:person_reset_password", args=[world.school.pk, world.pupil.pk])
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    code = _code_on_page(response)
    assert _is_valid_code(world.pupil, code)
    world.pupil.refresh_from_db()
    assert not world.pupil.has_usable_password()
    html = response.content.decode()
    assert "http://testserver/accounts/activate/" in html
    assert 'href="data:application/pdf;base64,' in html
    assert 'download="code-' in html
    entry = AuditEntry.objects.get(action="accounts.password_reset_by_admin")
    assert entry.school == world.school


def test_generate_an_activation_code(world, client_as):
    world.pupil.activated_at = None
    world.pupil.save()
    response = client_as("operator").post(
        reverse("console:person_activation_code", args=[world.school.pk, world.pupil.pk])
    )
    assert response.status_code == 200
    assert _is_valid_code(world.pupil, _code_on_page(response))
