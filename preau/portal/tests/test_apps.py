"""The launcher: native apps by tenant and school, connected apps by school and profile."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from preau.directory.queries import build_actor
from preau.portal.catalogue import CATALOGUE, Service, native_url
from preau.portal.demo import seed_demo_connected_apps
from preau.portal.models import ConnectedApp
from preau.portal.queries import apps_for
from preau.portal.tests.factories import ConnectedAppFactory


def keys(person, tenant, school=None):
    actor = build_actor(person, tenant=tenant, school_id=school.pk if school else None)
    return [entry.key for entry in apps_for(actor)]


def names(person, tenant, school=None):
    """The connected apps' tiles (native apps are tested by `keys`)."""
    actor = build_actor(person, tenant=tenant, school_id=school.pk if school else None)
    return [str(entry.name) for entry in apps_for(actor) if entry.is_external]


def test_no_tile_for_an_app_not_built_yet(world):
    # Without stand-in pages, only the apps built so far resolve: nothing links to a missing page.
    world.tenant.enabled_apps = [*world.tenant.enabled_apps, "Notes"]
    world.tenant.save()
    assert native_url(CATALOGUE[Service.GRADES]) is None
    assert "native:Notes" not in keys(world.pupil, world.tenant)


def test_native_apps_enabled_for_the_tenant_are_shown(world, native_apps):
    assert keys(world.pupil, world.tenant) == [
        "native:Courrier_Electronique",
        "native:Actualites",
        "native:Stockage_Partage",
        "native:Cahier_Textes",
    ]


def test_tenant_disabled_app_is_hidden(world, native_apps):
    world.tenant.enabled_apps = ["Actualites"]
    world.tenant.save()
    assert keys(world.pupil, world.tenant) == ["native:Actualites"]


def test_school_disabled_app_is_hidden_in_that_school_only(world, native_apps):
    world.school.disabled_apps = ["Actualites"]
    world.school.save()
    assert "native:Actualites" not in keys(world.pupil, world.tenant)
    assert "native:Actualites" in keys(world.other_pupil, world.tenant)


def test_native_app_follows_profiles(world, native_apps):
    world.tenant.enabled_apps = ["Notes", "Actualites"]
    world.tenant.save()
    assert keys(world.pupil, world.tenant) == ["native:Actualites", "native:Notes"]
    # Someone without a school gets the apps meant for everyone only.
    assert keys(world.authority_admin, world.tenant) == ["native:Actualites"]


def test_connected_app_limited_to_a_school(world):
    ConnectedAppFactory(tenant=world.tenant, name="Pronote Hugo", schools=[world.school])
    assert names(world.pupil, world.tenant) == ["Pronote Hugo"]
    assert names(world.teacher, world.tenant) == ["Pronote Hugo"]
    assert names(world.other_pupil, world.tenant) == []
    assert names(world.other_teacher, world.tenant) == []


def test_connected_app_limited_to_a_profile(world):
    ConnectedAppFactory(tenant=world.tenant, name="Moodle", profiles=["teacher"])
    assert names(world.teacher, world.tenant) == ["Moodle"]
    assert names(world.other_teacher, world.tenant) == ["Moodle"]
    assert names(world.pupil, world.tenant) == []
    assert names(world.guardian, world.tenant) == []


def test_connected_app_for_a_school_and_profile(world):
    ConnectedAppFactory(tenant=world.tenant, name="CDI", schools=[world.school], profiles=["pupil"])
    assert names(world.pupil, world.tenant) == ["CDI"]
    assert names(world.teacher, world.tenant) == []
    assert names(world.other_pupil, world.tenant) == []


def test_connected_app_of_the_other_tenant_is_never_shown(world):
    ConnectedAppFactory(tenant=world.other_tenant, name="Étranger")
    ConnectedAppFactory(
        tenant=world.other_tenant, name="Étranger école", schools=[world.foreign_school]
    )
    for person in (world.pupil, world.teacher, world.admin, world.operator):
        assert names(person, world.tenant) == []
    assert names(world.foreign_pupil, world.other_tenant) == ["Étranger", "Étranger école"]


def test_disabled_connected_app_is_hidden(world):
    ConnectedAppFactory(tenant=world.tenant, name="Off", is_enabled=False)
    assert names(world.pupil, world.tenant) == []


def test_connected_apps_follow_the_active_school(world):
    ConnectedAppFactory(tenant=world.tenant, name="Hugo", schools=[world.school])
    ConnectedAppFactory(tenant=world.tenant, name="Sand", schools=[world.other_school])
    ConnectedAppFactory(
        tenant=world.tenant, name="Both", schools=[world.school, world.other_school]
    )
    from preau.directory.models import Membership, Profile

    Membership.objects.create(
        tenant=world.tenant,
        person=world.teacher,
        school=world.other_school,
        year=world.year,
        profile=Profile.TEACHER,
    )
    assert names(world.teacher, world.tenant, world.school) == ["Both", "Hugo"]
    assert names(world.teacher, world.tenant, world.other_school) == ["Both", "Sand"]


def test_connected_apps_order_by_position(world):
    ConnectedAppFactory(tenant=world.tenant, name="B", position=2)
    ConnectedAppFactory(tenant=world.tenant, name="A", position=3)
    ConnectedAppFactory(tenant=world.tenant, name="C", position=1)
    assert names(world.pupil, world.tenant) == ["C", "B", "A"]


def test_apps_for_runs_one_query_whatever_the_number_of_apps(
    world, native_apps, django_assert_num_queries
):
    actor = build_actor(world.pupil, tenant=world.tenant)
    for n in range(5):
        ConnectedAppFactory(tenant=world.tenant, schools=[world.school, world.other_school])
        ConnectedAppFactory(tenant=world.tenant, profiles=["pupil", "teacher"], position=n)
    with django_assert_num_queries(1):
        entries = apps_for(actor)
    assert len(entries) == 4 + 10


@pytest.mark.parametrize(
    "url", ["http://pronote.example.org/", "javascript:alert(1)", "ftp://x.example.org/", "x"]
)
def test_connected_app_url_must_be_https(world, url):
    app = ConnectedApp(tenant=world.tenant, name="X", service=Service.GRADES, url=url)
    with pytest.raises(ValidationError) as exc:
        app.full_clean()
    assert "url" in exc.value.message_dict


def test_connected_app_profiles_are_checked(world):
    app = ConnectedApp(
        tenant=world.tenant,
        name="X",
        service=Service.GRADES,
        url="https://x.example.org/",
        profiles=["pupil", "wizard"],
    )
    with pytest.raises(ValidationError) as exc:
        app.full_clean()
    assert "profiles" in exc.value.message_dict


def test_connected_app_letter_colour_is_readable(world):
    dark = ConnectedApp(name="pronote", icon_colour="#000091")
    light = ConnectedApp(name="x", icon_colour="#ffd700", icon_letter="é")
    assert (dark.letter, dark.letter_colour) == ("P", "#ffffff")
    assert (light.letter, light.letter_colour) == ("É", "#000000")


def test_demo_connected_apps_are_idempotent(world):
    world.other_school.kind = "lycee"
    world.other_school.save()
    schools = [world.school, world.other_school]
    first = seed_demo_connected_apps(world.tenant, schools)
    second = seed_demo_connected_apps(world.tenant, schools)
    assert [a.pk for a in first] == [a.pk for a in second]
    assert ConnectedApp.objects.filter(tenant=world.tenant).count() == len(first) == 6
    pronote = ConnectedApp.objects.get(
        url=f"https://{world.school.uai.lower()}.index-education.net/pronote/"
    )
    assert list(pronote.schools.all()) == [world.school]
    moodle = ConnectedApp.objects.get(name="Moodle")
    assert list(moodle.schools.all()) == [world.other_school]
    for app in first:
        app.full_clean()
    assert names(world.pupil, world.tenant) == ["Pronote", "e-sidoc", "Manuels numériques (GAR)"]
    assert names(world.other_pupil, world.tenant) == [
        "Pronote",
        "Moodle",
        "e-sidoc",
        "Manuels numériques (GAR)",
    ]
    assert names(world.guardian, world.tenant) == ["Pronote", "e-sidoc"]
