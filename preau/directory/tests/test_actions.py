"""The directory's write actions: rules, scoping, isolation and audit entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from preau.core.models import AuditEntry
from preau.directory import actions
from preau.directory.communication import RULES, effective_rules
from preau.directory.models import (
    CommunicationRule,
    Group,
    GroupMember,
    Membership,
    Person,
    Profile,
    SchoolClass,
)
from preau.directory.queries import build_actor
from preau.directory.tests import factories as f


def actor_of(world, person):
    return build_actor(person, tenant=person.tenant)


@pytest.fixture
def admin(world):
    return actor_of(world, world.admin)


def snapshot():
    """Everything the directory actions may write, to assert that nothing changed."""
    return (
        list(Person.objects.order_by("pk").values_list("pk", "login", "first_name", "last_name")),
        list(
            Membership.objects.order_by("pk").values_list(
                "pk", "person_id", "school_id", "profile", "school_class_id", "functions"
            )
        ),
        list(SchoolClass.objects.order_by("pk").values_list("pk", "code", "name", "level_id")),
        list(Group.objects.order_by("pk").values_list("pk", "code", "name", "kind")),
        list(GroupMember.objects.order_by("pk").values_list("group_id", "person_id")),
        list(
            Group.classes.through.objects.order_by("pk").values_list("group_id", "schoolclass_id")
        ),
        list(CommunicationRule.objects.order_by("pk").values_list("school_id", "rule", "allowed")),
        AuditEntry.objects.count(),
    )


# --- create_person ---------------------------------------------------------------------------


def test_create_person_generates_the_login_and_a_membership_this_year(world, admin):
    person = actions.create_person(
        actor=admin,
        school=world.school,
        first_name="  Éloïse ",
        last_name="Dupré-Lâm",
        profile=Profile.PUPIL,
        school_class=world.class_a,
        birth_date=dt.date(2014, 3, 2),
    )
    assert person.login == "eloise.dupre-lam"
    assert person.first_name == "Éloïse"
    assert person.tenant == world.tenant
    assert person.activated_at is None
    assert not person.has_usable_password()
    membership = Membership.objects.get(person=person)
    assert (membership.school, membership.year, membership.profile, membership.school_class) == (
        world.school,
        world.year,
        Profile.PUPIL,
        world.class_a,
    )
    entry = AuditEntry.objects.get(action="directory.person_created")
    assert (entry.actor, entry.subject, entry.school) == (world.admin, person, world.school)
    assert entry.data["login"] == "eloise.dupre-lam"


def test_a_homonym_gets_a_numeric_suffix(world, admin):
    first = actions.create_person(
        actor=admin, school=world.school, first_name="Jeanne", last_name="Dupont", profile="pupil"
    )
    second = actions.create_person(
        actor=admin, school=world.school, first_name="Jeanne", last_name="Dupont", profile="pupil"
    )
    assert (first.login, second.login) == ("jeanne.dupont", "jeanne.dupont2")


def test_a_login_typed_by_hand_must_be_free_in_the_tenant(world, admin):
    world.teacher.login = "paul.durand"
    world.teacher.save()
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.create_person(
            actor=admin,
            school=world.school,
            first_name="Paul",
            last_name="Durand",
            profile="teacher",
            login="Paul.Durand",
        )
    assert "login" in exc.value.error_dict
    assert "paul.durand" in exc.value.error_dict["login"][0].messages[0]
    assert snapshot() == before


def test_the_same_login_is_free_in_another_tenant(world, admin):
    f.PersonFactory(tenant=world.other_tenant, login="jeanne.dupont")
    person = actions.create_person(
        actor=admin,
        school=world.school,
        first_name="Jeanne",
        last_name="Dupont",
        profile="pupil",
        login="jeanne.dupont",
    )
    assert person.login == "jeanne.dupont"


@pytest.mark.parametrize("login", ["jeanne dupont", "jé.dupont", "-jeanne", "a" * 151])
def test_a_malformed_login_is_refused(world, admin, login):
    with pytest.raises(ValidationError) as exc:
        actions.create_person(
            actor=admin,
            school=world.school,
            first_name="Jeanne",
            last_name="Dupont",
            profile="pupil",
            login=login,
        )
    assert "login" in exc.value.error_dict


def test_create_person_reports_every_field_error_at_once(world, admin):
    with pytest.raises(ValidationError) as exc:
        actions.create_person(
            actor=admin,
            school=world.school,
            first_name=" ",
            last_name="",
            profile="wizard",
            email="not-an-email",
            functions=["XYZ"],
        )
    assert set(exc.value.error_dict) == {"first_name", "last_name", "profile", "email", "functions"}


def test_functions_are_for_staff_and_classes_for_pupils(world, admin):
    with pytest.raises(ValidationError) as exc:
        actions.create_person(
            actor=admin,
            school=world.school,
            first_name="A",
            last_name="B",
            profile="teacher",
            functions=["DIR"],
            school_class=world.class_a,
        )
    assert set(exc.value.error_dict) == {"functions", "school_class"}
    staff = actions.create_person(
        actor=admin,
        school=world.school,
        first_name="A",
        last_name="B",
        profile="staff",
        functions=["DIR", "EVS"],
    )
    assert Membership.objects.get(person=staff).functions == ["DIR", "EVS"]


def test_a_class_of_another_school_is_refused(world, admin):
    before = snapshot()
    for forged in (world.other_class, world.foreign_class):
        with pytest.raises(ValidationError) as exc:
            actions.create_person(
                actor=admin,
                school=world.school,
                first_name="A",
                last_name="B",
                profile="pupil",
                school_class=forged,
            )
        assert "school_class" in exc.value.error_dict
    assert snapshot() == before


@pytest.mark.parametrize("who", ["other_admin", "teacher", "pupil", "foreign_admin"])
def test_only_the_school_administrators_create_people(world, who):
    actor = actor_of(world, getattr(world, who))
    before = snapshot()
    with pytest.raises(PermissionDenied):
        actions.create_person(
            actor=actor, school=world.school, first_name="A", last_name="B", profile="pupil"
        )
    assert snapshot() == before


@pytest.mark.parametrize("who", ["authority_admin", "operator"])
def test_authority_administrators_and_operators_create_people(world, who):
    actor = actor_of(world, getattr(world, who))
    person = actions.create_person(
        actor=actor, school=world.other_school, first_name="A", last_name="B", profile="guest"
    )
    assert person.memberships.get().school == world.other_school


def test_an_administrator_of_another_tenant_cannot_write_in_this_one(world):
    foreign = actor_of(world, world.foreign_admin)
    with pytest.raises(PermissionDenied):
        actions.create_class(actor=foreign, school=world.school, code="X", name="X")
    admin = actor_of(world, world.admin)
    with pytest.raises(PermissionDenied):
        actions.create_class(actor=admin, school=world.foreign_school, code="X", name="X")


# --- update_person ---------------------------------------------------------------------------


def test_update_person_changes_identity_and_class_and_audits_old_and_new(world, admin):
    actions.update_person(
        actor=admin,
        school=world.school,
        person=world.pupil,
        first_name="Léa",
        last_name="Martin-Roy",
        email="lea@example.org",
        login="lea.martin-roy",
        school_class=world.class_b,
    )
    world.pupil.refresh_from_db()
    assert (world.pupil.last_name, world.pupil.login) == ("Martin-Roy", "lea.martin-roy")
    assert world.pupil.search_name == "martin-roy lea"
    assert Membership.objects.get(person=world.pupil).school_class == world.class_b
    entry = AuditEntry.objects.get(action="directory.person_updated")
    assert entry.subject == world.pupil
    assert entry.data["changes"]["last_name"] == ["Martin", "Martin-Roy"]
    assert entry.data["changes"]["class"] == ["6A", "6B"]


def test_update_person_without_change_writes_nothing(world, admin):
    before = snapshot()
    p = world.teacher
    actions.update_person(
        actor=admin,
        school=world.school,
        person=p,
        first_name=p.first_name,
        last_name=p.last_name,
        email=p.email,
    )
    assert snapshot() == before


def test_update_person_refuses_a_taken_login_and_another_schools_member(world, admin):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.update_person(
            actor=admin,
            school=world.school,
            person=world.pupil,
            first_name="Léa",
            last_name="Martin",
            login=world.other_pupil.login,
        )
    assert "login" in exc.value.error_dict
    with pytest.raises(ValidationError):
        actions.update_person(
            actor=admin,
            school=world.school,
            person=world.other_pupil,
            first_name="X",
            last_name="Y",
        )
    with pytest.raises(ValidationError):
        actions.update_person(
            actor=admin,
            school=world.school,
            person=world.pupil,
            first_name="Léa",
            last_name="Martin",
            school_class=world.other_class,
        )
    assert snapshot() == before


def test_an_imported_login_in_an_older_format_can_be_kept(world, admin):
    world.pupil.login = "Léa.MARTIN"
    world.pupil.save()
    actions.update_person(
        actor=admin,
        school=world.school,
        person=world.pupil,
        first_name="Léa",
        last_name="Martin",
        login="Léa.MARTIN",
        email="lea@example.org",
    )
    world.pupil.refresh_from_db()
    assert (world.pupil.login, world.pupil.email) == ("Léa.MARTIN", "lea@example.org")


def test_update_person_sets_the_functions_of_staff(world, admin):
    actions.update_person(
        actor=admin,
        school=world.school,
        person=world.staff,
        first_name=world.staff.first_name,
        last_name=world.staff.last_name,
        email=world.staff.email,
        functions=["EVS", "DOC"],
    )
    assert Membership.objects.get(person=world.staff).functions == ["EVS", "DOC"]


# --- classes ---------------------------------------------------------------------------------


def test_create_class_in_the_current_year_with_a_unique_code(world, admin):
    created = actions.create_class(actor=admin, school=world.school, code="5C", name="5e C")
    assert (created.school, created.year, created.tenant) == (
        world.school,
        world.year,
        world.tenant,
    )
    assert AuditEntry.objects.filter(action="directory.class_created", school=world.school).exists()
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.create_class(actor=admin, school=world.school, code="6a", name="Autre")
    assert "code" in exc.value.error_dict
    assert snapshot() == before
    # The same code is free in another school.
    other = actor_of(world, world.other_admin)
    actions.create_class(actor=other, school=world.other_school, code="5C", name="5e C")


def test_update_class_renames_and_refuses_a_duplicate_code(world, admin):
    actions.update_class(actor=admin, school_class=world.class_a, code="6A", name="Sixième A")
    world.class_a.refresh_from_db()
    assert world.class_a.name == "Sixième A"
    entry = AuditEntry.objects.get(action="directory.class_updated")
    assert entry.data["changes"]["name"] == ["6e A", "Sixième A"]
    with pytest.raises(ValidationError) as exc:
        actions.update_class(actor=admin, school_class=world.class_a, code="6B", name="X")
    assert "code" in exc.value.error_dict
    other = actor_of(world, world.other_admin)
    with pytest.raises(PermissionDenied):
        actions.update_class(actor=other, school_class=world.class_a, code="6A", name="Volé")


def test_set_class_pupils_moves_current_memberships(world, admin):
    joined, left = actions.set_class_pupils(
        actor=admin, school_class=world.class_a, pupils=[world.pupil, world.pupil_b]
    )
    assert (joined, left) == (1, 1)

    def class_of(p):
        return Membership.objects.get(person=p, profile="pupil").school_class

    assert class_of(world.pupil) == world.class_a
    assert class_of(world.pupil_b) == world.class_a
    assert class_of(world.pupil2) is None
    added = AuditEntry.objects.get(action="directory.class_pupil_added")
    assert (added.subject, added.data) == (world.pupil_b, {"from": "6B", "to": "6A"})
    removed = AuditEntry.objects.get(action="directory.class_pupil_removed")
    assert removed.subject == world.pupil2


@pytest.mark.parametrize("intruder", ["other_pupil", "foreign_pupil", "teacher"])
def test_set_class_pupils_refuses_anyone_but_the_schools_pupils(world, admin, intruder):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.set_class_pupils(
            actor=admin, school_class=world.class_a, pupils=[world.pupil, getattr(world, intruder)]
        )
    assert "pupils" in exc.value.error_dict
    assert snapshot() == before


# --- groups ----------------------------------------------------------------------------------


def test_create_and_update_a_group_with_classes(world, admin):
    g = actions.create_group(
        actor=admin,
        school=world.school,
        code="CHO",
        name="Chorale",
        kind=Group.Kind.MANUAL,
        classes=[world.class_a],
    )
    assert list(g.classes.all()) == [world.class_a]
    with pytest.raises(ValidationError) as exc:
        actions.create_group(
            actor=admin, school=world.school, code="lat", name="Latin bis", kind="manual"
        )
    assert "code" in exc.value.error_dict
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.update_group(
            actor=admin,
            group=g,
            code="CHO",
            name="Chorale",
            kind="manual",
            classes=[world.class_a, world.other_class],
        )
    assert "classes" in exc.value.error_dict
    assert snapshot() == before
    actions.update_group(
        actor=admin, group=g, code="CHO", name="Chœur", kind="manual", classes=[world.class_b]
    )
    entry = AuditEntry.objects.get(action="directory.group_updated")
    assert entry.data["changes"] == {"name": ["Chorale", "Chœur"], "classes": [["6A"], ["6B"]]}


def test_set_group_members_only_takes_people_of_the_school(world, admin):
    joined, left = actions.set_group_members(
        actor=admin, group=world.group, people=[world.pupil, world.teacher]
    )
    assert (joined, left) == (1, 1)
    assert set(world.group.members.all()) == {world.pupil, world.teacher}
    assert AuditEntry.objects.get(action="directory.group_member_added").subject == world.teacher
    assert AuditEntry.objects.get(action="directory.group_member_removed").subject == world.pupil_b
    before = snapshot()
    for intruder in (world.other_pupil, world.foreign_pupil, world.operator):
        with pytest.raises(ValidationError):
            actions.set_group_members(actor=admin, group=world.group, people=[intruder])
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        actions.set_group_members(
            actor=actor_of(world, world.other_admin), group=world.group, people=[]
        )
    assert snapshot() == before


# --- communication rules ---------------------------------------------------------------------


def test_communication_rules_store_only_differences_from_defaults(world, admin):
    rules = {key: rule.default for key, rule in RULES.items()}
    rules["pupil_to_staff"] = True
    rules["pupil_to_class"] = False
    result = actions.set_communication_rules(actor=admin, school=world.school, rules=rules)
    assert result == effective_rules(world.school) == rules
    stored = set(CommunicationRule.objects.values_list("school_id", "rule", "allowed"))
    assert stored == {
        (world.school.pk, "pupil_to_staff", True),
        (world.school.pk, "pupil_to_class", False),
    }
    entry = AuditEntry.objects.get(action="directory.communication_rules_changed")
    assert entry.data["changes"] == {
        "pupil_to_staff": [False, True],
        "pupil_to_class": [True, False],
    }
    # Back to the defaults: the overrides go away.
    actions.set_communication_rules(
        actor=admin, school=world.school, rules={k: r.default for k, r in RULES.items()}
    )
    assert not CommunicationRule.objects.exists()
    assert effective_rules(world.other_school) == {k: r.default for k, r in RULES.items()}


def test_communication_rules_refuse_unknown_keys_and_other_schools(world, admin):
    before = snapshot()
    with pytest.raises(ValidationError):
        actions.set_communication_rules(actor=admin, school=world.school, rules={"nope": True})
    with pytest.raises(PermissionDenied):
        actions.set_communication_rules(
            actor=admin, school=world.other_school, rules={"pupil_to_staff": True}
        )
    assert snapshot() == before


def test_saving_the_same_rules_writes_no_audit_entry(world, admin):
    actions.set_communication_rules(actor=admin, school=world.school, rules={})
    assert not AuditEntry.objects.exists()
