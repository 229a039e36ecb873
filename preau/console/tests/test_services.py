"""The registry of connected apps: who sees and changes which app, and the form's checks."""

from __future__ import annotations

from typing import Any

import pytest

from preau.core.models import AuditEntry
from preau.portal.models import ConnectedApp
from preau.portal.tests.factories import ConnectedAppFactory


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Pronote",
        "service": "Services_Vie_Scolaire",
        "url": "https://0690001a.index-education.net/pronote/",
        "description": "",
        "icon_letter": "",
        "icon_colour": "#1d4e89",
        "position": "10",
        "is_enabled": "on",
        "cas_enabled": "on",
        "service_patterns": "https://0690001a.index-education.net/pronote/*",
        "attribute_profile": "pronote",
        "logout_url": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def apps(world: Any) -> dict[str, ConnectedApp]:
    return {
        "everyone": ConnectedAppFactory(tenant=world.tenant, name="Moodle"),
        "school": ConnectedAppFactory(tenant=world.tenant, name="CDI", schools=[world.school]),
        "other_school": ConnectedAppFactory(
            tenant=world.tenant, name="ENT autre", schools=[world.other_school]
        ),
        "foreign": ConnectedAppFactory(tenant=world.other_tenant, name="Étranger"),
    }


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("operator", {"Moodle", "CDI", "ENT autre"}),
        ("authority_admin", {"CDI", "ENT autre"}),
        ("admin", {"CDI"}),
        ("other_admin", {"ENT autre"}),
    ],
)
def test_each_administrator_lists_the_apps_of_their_scope(
    client_as: Any, apps: Any, role: str, visible: set[str]
) -> None:
    response = client_as(role).get("/console/apps/")
    assert response.status_code == 200
    names = {app.name for app in response.context["page"].items}
    assert names == visible


@pytest.mark.parametrize("role", ["pupil", "guardian", "teacher", "staff", "director"])
def test_people_who_administer_nothing_get_404(client_as: Any, apps: Any, role: str) -> None:
    assert client_as(role).get("/console/apps/").status_code == 404
    assert client_as(role).get(f"/console/apps/{apps['school'].pk}/").status_code == 404


def test_anonymous_is_sent_to_log_in(client_as: Any) -> None:
    assert client_as("anonymous").get("/console/apps/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "key"),
    [
        ("admin", "everyone"),
        ("admin", "other_school"),
        ("authority_admin", "everyone"),
        ("operator", "foreign"),
        ("foreign_admin", "school"),
    ],
)
def test_an_app_out_of_scope_answers_404_and_is_unchanged(
    client_as: Any, apps: Any, role: str, key: str
) -> None:
    app = apps[key]
    client = client_as(role)
    assert client.get(f"/console/apps/{app.pk}/").status_code == 404
    assert client.post(f"/console/apps/{app.pk}/", form_data(name="Pirate")).status_code == 404
    app.refresh_from_db()
    assert app.name != "Pirate"


def test_the_list_costs_a_fixed_number_of_queries(
    client_as: Any, world: Any, django_assert_num_queries: Any
) -> None:
    for i in range(8):
        ConnectedAppFactory(tenant=world.tenant, name=f"Appli {i}", schools=[world.school])
    client = client_as("operator")
    # session, person, actor (memberships, authorities), apps, their schools, tenant, messages.
    with django_assert_num_queries(7):
        client.get("/console/apps/")


def test_empty_state(client_as: Any) -> None:
    response = client_as("admin").get("/console/apps/")
    assert b"empty-state" in response.content


def test_a_school_administrator_registers_pronote_for_their_school(
    client_as: Any, world: Any
) -> None:
    response = client_as("admin").post(
        "/console/apps/new", form_data(schools=[str(world.school.pk)])
    )
    assert response.status_code == 302
    app = ConnectedApp.objects.get(name="Pronote")
    assert (app.tenant, list(app.schools.all()), app.cas_enabled) == (
        world.tenant,
        [world.school],
        True,
    )
    entry = AuditEntry.objects.get(action="cas.service_created")
    assert entry.actor == world.admin
    assert entry.data["schools"] == [world.school.uai]


def test_a_school_administrator_must_choose_their_school(client_as: Any, world: Any) -> None:
    client = client_as("admin")
    response = client.post("/console/apps/new", form_data())
    assert response.status_code == 200
    assert "schools" in response.context["form"].errors
    response = client.post("/console/apps/new", form_data(schools=[str(world.other_school.pk)]))
    assert "schools" in response.context["form"].errors
    assert not ConnectedApp.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service_patterns": "pronote.example.fr"}, "service_patterns"),
        ({"service_patterns": "http://pronote.example.fr/"}, "service_patterns"),
        ({"service_patterns": "https://*.example.fr/"}, "service_patterns"),
        ({"service_patterns": ""}, "service_patterns"),
        ({"url": "https://elsewhere.example.fr/"}, "url"),
        ({"logout_url": "http://pronote.example.fr/logout"}, "logout_url"),
    ],
)
def test_bad_cas_settings_are_shown_on_their_field_and_kept(
    client_as: Any, overrides: dict[str, str], field: str
) -> None:
    response = client_as("operator").post("/console/apps/new", form_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert form["name"].value() == "Pronote"
    assert not ConnectedApp.objects.exists()


def test_the_operator_edits_an_app(client_as: Any, apps: Any) -> None:
    app = apps["everyone"]
    response = client_as("operator").post(
        f"/console/apps/{app.pk}/",
        form_data(
            name="Moodle", url=app.url, service_patterns=app.url, attribute_profile="generic"
        ),
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.cas_enabled
    assert AuditEntry.objects.filter(action="cas.service_changed", target_id=str(app.pk)).exists()


def test_the_console_index_links_the_registry(client_as: Any) -> None:
    assert b"/console/apps/" in client_as("admin").get("/console/").content
