"""Classes, groups and communication rules in the console, with forged ids in every field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from preau.console.tests.helpers import snapshot
from preau.core.models import AuditEntry
from preau.directory.communication import RULES, effective_rules
from preau.directory.models import CommunicationRule, Group, Membership, SchoolClass


def pupil_class(person):
    return Membership.objects.get(person=person, profile="pupil").school_class


# --- classes ---------------------------------------------------------------------------------


def test_classes_list_with_pupil_counts(world, client_as):
    response = client_as("admin").get(reverse("console:classes", args=[world.school.pk]))
    classes = {c.code: c.pupil_count for c in response.context["classes"]}
    assert classes == {"6A": 2, "6B": 1}
    assert reverse("console:letters", args=[world.school.pk, world.class_a.pk]) in (
        response.content.decode()
    )


def test_create_a_class_and_refuse_a_duplicate_code(world, client_as):
    client = client_as("admin")
    url = reverse("console:classes", args=[world.school.pk])
    response = client.post(url, {"code": "5C", "name": "5e C"})
    created = SchoolClass.objects.get(school=world.school, code="5C")
    assert response["Location"] == reverse("console:class", args=[world.school.pk, created.pk])
    before = snapshot()
    response = client.post(url, {"code": "6a", "name": "Doublon"})
    assert response.status_code == 400
    assert "6a" in response.context["form"].errors["code"][0]
    assert 'value="Doublon"' in response.content.decode()
    assert snapshot() == before


def test_class_pupils_are_ticked_and_moved(world, client_as):
    client = client_as("admin")
    url = reverse("console:class", args=[world.school.pk, world.class_a.pk])
    response = client.get(url)
    assert response.context["selected"] == {str(world.pupil.pk), str(world.pupil2.pk)}
    html = response.content.decode()
    assert f'value="{world.pupil_b.pk}"' in html  # pupils of other classes can be moved here
    assert f'value="{world.other_pupil.pk}"' not in html
    assert f'value="{world.teacher.pk}"' not in html
    response = client.post(url, {"save_pupils": "1", "pupils": [world.pupil.pk, world.pupil_b.pk]})
    assert response.status_code == 302
    assert pupil_class(world.pupil_b) == world.class_a
    assert pupil_class(world.pupil2) is None
    assert AuditEntry.objects.filter(action="directory.class_pupil_added").count() == 1
    assert AuditEntry.objects.filter(action="directory.class_pupil_removed").count() == 1


@pytest.mark.parametrize("intruder", ["other_pupil", "foreign_pupil", "teacher"])
def test_a_forged_pupil_id_is_a_form_error_and_changes_nothing(world, client_as, intruder):
    before = snapshot()
    response = client_as("admin").post(
        reverse("console:class", args=[world.school.pk, world.class_a.pk]),
        {"save_pupils": "1", "pupils": [world.pupil.pk, getattr(world, intruder).pk]},
    )
    assert response.status_code == 400
    assert response.context["pupils_form"].errors["pupils"]
    assert snapshot() == before


def test_edit_class_details(world, client_as):
    client = client_as("authority_admin")
    url = reverse("console:class", args=[world.school.pk, world.class_a.pk])
    assert client.post(url, {"code": "6A", "name": "Sixième A"}).status_code == 302
    world.class_a.refresh_from_db()
    assert world.class_a.name == "Sixième A"
    response = client.post(url, {"code": "6B", "name": "Sixième A"})
    assert response.status_code == 400
    assert response.context["form"].errors["code"]


@pytest.mark.parametrize(
    ("school", "school_class"),
    [("school", "other_class"), ("school", "foreign_class"), ("other_school", "other_class")],
)
def test_classes_of_other_schools_answer_404(world, client_as, school, school_class):
    client = client_as("admin")
    args = [getattr(world, school).pk, getattr(world, school_class).pk]
    before = snapshot()
    for name in ("console:class", "console:letters"):
        assert client.get(reverse(name, args=args)).status_code == 404
    assert (
        client.post(reverse("console:class", args=args), {"code": "X", "name": "X"}).status_code
        == 404
    )
    assert client.post(reverse("console:letters_pdf", args=args)).status_code == 404
    assert snapshot() == before


# --- groups ----------------------------------------------------------------------------------


def test_create_a_group_with_classes(world, client_as):
    client = client_as("admin")
    url = reverse("console:groups", args=[world.school.pk])
    response = client.post(
        url, {"code": "CHO", "name": "Chorale", "kind": "manual", "classes": [world.class_b.pk]}
    )
    created = Group.objects.get(code="CHO")
    assert response["Location"] == reverse("console:group", args=[world.school.pk, created.pk])
    assert list(created.classes.all()) == [world.class_b]
    listing = client.get(url)
    assert {g.code: g.member_count for g in listing.context["groups"]} == {"CHO": 0, "LAT": 2}


def test_a_class_of_another_school_in_a_group_is_a_form_error(world, client_as):
    before = snapshot()
    response = client_as("admin").post(
        reverse("console:groups", args=[world.school.pk]),
        {"code": "CHO", "name": "Chorale", "kind": "manual", "classes": [world.other_class.pk]},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["classes"]
    assert 'value="Chorale"' in response.content.decode()
    assert snapshot() == before


def test_group_members_are_chosen_among_the_schools_people(world, client_as):
    client = client_as("admin")
    url = reverse("console:group", args=[world.school.pk, world.group.pk])
    response = client.get(url)
    assert response.context["selected"] == {str(world.pupil.pk), str(world.pupil_b.pk)}
    html = response.content.decode()
    assert f'value="{world.teacher_b.pk}"' in html
    assert f'value="{world.other_teacher.pk}"' not in html
    response = client.post(url, {"save_members": "1", "members": [world.teacher_b.pk]})
    assert response.status_code == 302
    assert list(world.group.members.all()) == [world.teacher_b]
    before = snapshot()
    response = client.post(url, {"save_members": "1", "members": [world.other_teacher.pk]})
    assert response.status_code == 400
    assert snapshot() == before


def test_edit_group_details(world, client_as):
    client = client_as("operator")
    url = reverse("console:group", args=[world.school.pk, world.group.pk])
    response = client.post(url, {"code": "LAT", "name": "Latin", "kind": "teaching"})
    assert response.status_code == 302
    world.group.refresh_from_db()
    assert world.group.name == "Latin"
    assert list(world.group.classes.all()) == []


def test_groups_of_other_schools_answer_404(world, client_as):
    other = Group.objects.create(
        tenant=world.tenant, school=world.other_school, year=world.year, code="X", name="X"
    )
    client = client_as("admin")
    before = snapshot()
    for school in (world.school, world.other_school):
        url = reverse("console:group", args=[school.pk, other.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"save_members": "1", "members": []}).status_code == 404
    assert snapshot() == before


# --- communication rules ---------------------------------------------------------------------


def test_communication_rules_page_shows_every_rule_and_its_default(world, client_as):
    response = client_as("admin").get(reverse("console:communication", args=[world.school.pk]))
    form = response.context["form"]
    assert set(form.fields) == set(RULES)
    assert form["pupil_to_class"].value() is True
    assert form["pupil_to_staff"].value() is False
    html = response.content.decode()
    for key in RULES:
        assert f'name="{key}"' in html


def test_saving_the_rules_stores_the_differences(world, client_as):
    data = {key: "on" for key, rule in RULES.items() if rule.default}
    del data["pupil_to_class"]
    data["pupil_to_staff"] = "on"
    client = client_as("admin")
    response = client.post(reverse("console:communication", args=[world.school.pk]), data)
    assert response.status_code == 302
    assert set(CommunicationRule.objects.values_list("rule", "allowed")) == {
        ("pupil_to_class", False),
        ("pupil_to_staff", True),
    }
    assert effective_rules(world.school)["pupil_to_staff"] is True
    entry = AuditEntry.objects.get(action="directory.communication_rules_changed")
    assert entry.school == world.school
    follow = client.get(reverse("console:communication", args=[world.school.pk]))
    assert follow.context["form"]["pupil_to_staff"].value() is True
