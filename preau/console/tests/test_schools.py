"""School pages: create and edit a school, the UAI's clear errors, scopes and the matrix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from preau.console.tests.helpers import ROLES, is_login_redirect, snapshot
from preau.core.models import AuditEntry
from preau.directory.models import School, uai_check_letter
from preau.directory.tests import factories as f


def valid_uai(digits: str = "0691234") -> str:
    # Below 0750000, where the factories' UAI codes start: never taken by a factory school.
    return digits + uai_check_letter(digits)


def wrong_letter(digits: str = "0691234") -> str:
    good = uai_check_letter(digits)
    return digits + ("A" if good != "A" else "B")


NEW_URL = reverse("console:school_new")


def edit_url(school: Any) -> str:
    return reverse("console:school_edit", args=[school.pk])


def english(client: Any) -> Any:
    client.cookies["django_language"] = "en"
    return client


def new_school_data(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "uai": valid_uai(),
        "name": "Lycée Ampère",
        "kind": "lycee",
        "sector": "public",
        "city": "Lyon",
        "authorities": [world.authority.pk],
    }
    data.update(overrides)
    return data


def edit_data(school: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "uai": school.uai,
        "name": school.name,
        "kind": school.kind,
        "sector": school.sector,
        "city": school.city,
        "authorities": [a.pk for a in school.authorities.all()],
    }
    data.update(overrides)
    return data


# --- links -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown"), [("operator", True), ("authority_admin", True), ("admin", False)]
)
def test_the_new_school_button_shows_only_to_who_may_create(world, client_as, role, shown):
    html = client_as(role).get(reverse("console:index")).content.decode()
    assert (f'href="{NEW_URL}"' in html) is shown


def test_the_school_page_links_to_its_edit_page(world, client_as):
    html = client_as("admin").get(reverse("console:school", args=[world.school.pk])).content
    assert f'href="{edit_url(world.school)}"'.encode() in html


# --- create: clear errors, values kept -------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("075099", "A UAI code is 7 digits followed by a letter, for example 0750001"),
        ("ABCDEFGH", "A UAI code is 7 digits followed by a letter, for example 0750001"),
        ("06912341", "A UAI code is 7 digits followed by a letter, for example 0750001"),
        ("069123²Z", "A UAI code is 7 digits followed by a letter, for example 0750001"),
        (
            wrong_letter(),
            f"The check letter of {wrong_letter()} should be {uai_check_letter('0691234')}.",
        ),
    ],
)
def test_a_malformed_uai_is_a_clear_error_and_keeps_what_was_typed(
    world, client_as, typed, message
):
    before = snapshot()
    response = english(client_as("operator")).post(
        NEW_URL, new_school_data(world, uai=typed, name="Lycée Ampère", city="Villeurbanne")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["uai"]
    assert any(message in e for e in errors), errors
    html = response.content.decode()
    assert 'class="field__error" id="id_uai_error"' in html
    assert f'value="{typed}"' in html
    assert 'value="Lycée Ampère"' in html
    assert 'value="Villeurbanne"' in html
    assert 'value="lycee" selected' in html
    assert snapshot() == before
    assert not School.objects.filter(name="Lycée Ampère").exists()


def test_a_uai_already_used_in_the_tenant_names_its_school(world, client_as):
    before = snapshot()
    response = english(client_as("operator")).post(
        NEW_URL, new_school_data(world, uai=f" {world.school.uai.lower()} ")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["uai"] == [
        "This UAI code is already used by Collège Victor Hugo."
    ]
    assert snapshot() == before


def test_the_same_uai_in_another_tenant_is_free(world, client_as):
    response = client_as("operator").post(
        NEW_URL, new_school_data(world, uai=world.foreign_school.uai)
    )
    assert response.status_code == 302
    assert School.objects.filter(tenant=world.tenant, uai=world.foreign_school.uai).exists()


def test_required_fields_are_errors_next_to_them(world, client_as):
    before = snapshot()
    response = client_as("operator").post(NEW_URL, {"uai": "", "name": "", "kind": "x"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"uai", "name", "kind", "sector"}
    assert snapshot() == before


# --- create: success -------------------------------------------------------------------------


def test_the_operator_creates_a_school_with_a_normalised_uai_and_an_audit_entry(world, client_as):
    response = client_as("operator").post(
        NEW_URL, new_school_data(world, uai=f"  {valid_uai().lower()} ")
    )
    assert response.status_code == 302
    school = School.objects.get(tenant=world.tenant, uai=valid_uai())
    assert response["Location"] == reverse("console:school", args=[school.pk])
    assert (school.name, school.kind, school.sector, school.city) == (
        "Lycée Ampère",
        "lycee",
        "public",
        "Lyon",
    )
    assert list(school.authorities.all()) == [world.authority]
    entry = AuditEntry.objects.get(action="directory.school_created")
    assert entry.actor == world.operator
    assert entry.school == school
    assert entry.data["uai"] == valid_uai()
    assert entry.data["authorities"] == [world.authority.name]
    # The authority's administrator now administers it.
    assert client_as("authority_admin").get(response["Location"]).status_code == 200


def test_an_authority_admin_creates_a_school_under_their_authority(world, client_as):
    client = client_as("authority_admin")
    page = client.get(NEW_URL)
    assert page.status_code == 200
    # Their only authority is ticked already.
    assert page.context["form"]["authorities"].value() == [world.authority.pk]
    response = client.post(NEW_URL, new_school_data(world))
    assert response.status_code == 302
    school = School.objects.get(tenant=world.tenant, uai=valid_uai())
    assert list(school.authorities.all()) == [world.authority]
    assert client.get(response["Location"]).status_code == 200


# --- create: authorities ---------------------------------------------------------------------


def test_an_authority_admin_cannot_attach_a_school_to_an_authority_they_do_not_administer(
    world, client_as
):
    region = f.AuthorityFactory(tenant=world.tenant, name="Région")
    before = snapshot()
    client = client_as("authority_admin")
    # Not offered, and a forged id is a form error.
    assert f'value="{region.pk}"' not in client.get(NEW_URL).content.decode()
    for authorities in ([region.pk], [world.authority.pk, region.pk]):
        response = client.post(NEW_URL, new_school_data(world, authorities=authorities))
        assert response.status_code == 400
        assert response.context["form"].errors["authorities"]
    assert snapshot() == before


def test_an_authority_admin_must_choose_one_of_their_authorities(world, client_as):
    before = snapshot()
    response = english(client_as("authority_admin")).post(
        NEW_URL, new_school_data(world, authorities=[])
    )
    assert response.status_code == 400
    assert response.context["form"].errors["authorities"] == [
        "Choose at least one authority you administer."
    ]
    assert snapshot() == before


def test_an_authority_of_another_tenant_is_a_form_error(world, client_as):
    foreign_authority = f.AuthorityFactory(tenant=world.other_tenant)
    before = snapshot()
    response = client_as("operator").post(
        NEW_URL, new_school_data(world, authorities=[foreign_authority.pk])
    )
    assert response.status_code == 400
    assert response.context["form"].errors["authorities"]
    assert snapshot() == before


def test_the_operator_may_create_a_school_under_no_authority(world, client_as):
    response = client_as("operator").post(NEW_URL, new_school_data(world, authorities=[]))
    assert response.status_code == 302
    assert not School.objects.get(uai=valid_uai()).authorities.exists()


# --- edit --------------------------------------------------------------------------------------


def test_an_authority_admin_changes_the_uai_and_the_audit_has_old_and_new(world, client_as):
    old = world.school.uai
    response = client_as("authority_admin").post(
        edit_url(world.school),
        edit_data(world.school, uai=valid_uai().lower(), kind="lycee", city="Bron"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:school", args=[world.school.pk])
    world.school.refresh_from_db()
    assert (world.school.uai, world.school.kind, world.school.city) == (
        valid_uai(),
        "lycee",
        "Bron",
    )
    entry = AuditEntry.objects.get(action="directory.school_updated")
    assert entry.data["changes"] == {
        "uai": [old, valid_uai()],
        "kind": ["college", "lycee"],
        "city": ["Lyon", "Bron"],
    }


@pytest.mark.parametrize("typed", ["075099", "ABCDEFGH", wrong_letter()])
def test_a_malformed_uai_on_edit_changes_nothing_and_keeps_what_was_typed(world, client_as, typed):
    before = snapshot()
    response = english(client_as("operator")).post(
        edit_url(world.school), edit_data(world.school, uai=typed, name="Collège V. Hugo")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["uai"]
    html = response.content.decode()
    assert f'value="{typed}"' in html
    assert 'value="Collège V. Hugo"' in html
    assert snapshot() == before


def test_a_uai_of_another_school_on_edit_is_an_error(world, client_as):
    before = snapshot()
    response = english(client_as("operator")).post(
        edit_url(world.school), edit_data(world.school, uai=world.other_school.uai)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["uai"] == [
        "This UAI code is already used by Collège George Sand."
    ]
    assert snapshot() == before


def test_saving_an_unchanged_school_writes_no_audit_entry(world, client_as):
    response = client_as("operator").post(edit_url(world.school), edit_data(world.school))
    assert response.status_code == 302
    assert not AuditEntry.objects.exists()


def test_a_school_admin_edits_the_name_and_city_only(world, client_as):
    client = english(client_as("admin"))
    page = client.get(edit_url(world.school))
    assert page.status_code == 200
    assert set(page.context["form"].fields) == {"name", "city"}
    response = client.post(
        edit_url(world.school),
        edit_data(
            world.school,
            uai=valid_uai(),
            kind="lycee",
            authorities=[],
            name="Collège Victor-Hugo",
            city="Villeurbanne",
        ),
    )
    assert response.status_code == 302
    world.school.refresh_from_db()
    assert (world.school.name, world.school.city) == ("Collège Victor-Hugo", "Villeurbanne")
    assert world.school.uai != valid_uai()
    assert world.school.kind == "college"
    assert list(world.school.authorities.all()) == [world.authority]


def test_an_authority_admin_keeps_the_authorities_they_do_not_administer(world, client_as):
    region = f.AuthorityFactory(tenant=world.tenant, name="Région")
    world.school.authorities.add(region)
    client = client_as("authority_admin")
    page = client.get(edit_url(world.school))
    assert page.status_code == 200
    assert "Région" in page.content.decode()  # named as kept
    assert f'value="{region.pk}"' not in page.content.decode()
    response = client.post(
        edit_url(world.school), edit_data(world.school, authorities=[world.authority.pk])
    )
    assert response.status_code == 302
    assert set(world.school.authorities.all()) == {world.authority, region}
    assert not AuditEntry.objects.exists()  # nothing changed


def test_an_authority_admin_cannot_attach_an_authority_they_do_not_administer_on_edit(
    world, client_as
):
    region = f.AuthorityFactory(tenant=world.tenant, name="Région")
    before = snapshot()
    response = client_as("authority_admin").post(
        edit_url(world.school),
        edit_data(world.school, authorities=[world.authority.pk, region.pk]),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["authorities"]
    assert snapshot() == before


def test_an_authority_admin_cannot_detach_the_school_from_all_their_authorities(world, client_as):
    before = snapshot()
    response = english(client_as("authority_admin")).post(
        edit_url(world.school), edit_data(world.school, authorities=[])
    )
    assert response.status_code == 400
    assert response.context["form"].errors["authorities"] == [
        "Choose at least one authority you administer."
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "school"),
    [
        ("other_admin", "school"),
        ("admin", "other_school"),
        ("operator", "foreign_school"),
        ("authority_admin", "foreign_school"),
    ],
)
def test_a_school_out_of_scope_answers_404_on_edit(world, client_as, role, school):
    before = snapshot()
    client = client_as(role)
    url = edit_url(getattr(world, school))
    assert client.get(url).status_code == 404
    obj = getattr(world, school)
    assert client.post(url, edit_data(obj, name="Pris")).status_code == 404
    assert client.get(reverse("console:school_edit", args=[999999])).status_code == 404
    assert snapshot() == before


# --- the authorization matrix ------------------------------------------------------------------

# Who opens each page (every other role but anonymous gets a 404).
PAGES: dict[str, tuple[Callable[[Any], str], set[str]]] = {
    "school_new": (lambda w: NEW_URL, {"authority_admin", "operator"}),
    "school_edit": (lambda w: edit_url(w.school), {"authority_admin", "operator", "admin"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_school_form_pages_matrix(world, client_as, page, role):
    url, allowed = PAGES[page]
    response = client_as(role).get(url(world))
    if role == "anonymous":
        assert is_login_redirect(response)
    elif role in allowed:
        assert response.status_code == 200
        assert b"<h1>" in response.content
        assert b'class="breadcrumbs"' in response.content
    else:
        assert response.status_code == 404


POSTS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "school_new": new_school_data,
    "school_edit": lambda w: edit_data(w.school, name="Collège Victor-Hugo", uai=valid_uai()),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(POSTS))
def test_school_form_writes_matrix(world, client_as, page, role):
    url, allowed = PAGES[page]
    before = snapshot()
    response = client_as(role).post(url(world), POSTS[page](world))
    if role in allowed:
        assert response.status_code == 302, response.content[:2000]
        assert not is_login_redirect(response)
        assert snapshot() != before
    else:
        if role == "anonymous":
            assert is_login_redirect(response)
        else:
            assert response.status_code == 404
        assert snapshot() == before
