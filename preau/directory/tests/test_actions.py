"""The directory's write actions: rules, scoping, isolation and audit entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from preau.core.models import AuditEntry
from preau.directory import actions
from preau.directory.communication import RULES, effective_rules
from preau.directory.models import (
    AuthorityAdmin,
    CommunicationRule,
    Group,
    GroupMember,
    Membership,
    Person,
    Profile,
    School,
    SchoolClass,
    uai_check_letter,
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


# --- create_school, update_school --------------------------------------------------------------


def _uai(digits="0691234"):
    # Below 0750000, where the factories' UAI codes start: never taken by a factory school.
    return digits + uai_check_letter(digits)


def school_snapshot():
    return (
        list(
            School.objects.order_by("pk").values_list(
                "pk", "tenant_id", "uai", "name", "kind", "sector", "city"
            )
        ),
        list(
            School.authorities.through.objects.order_by("pk").values_list(
                "school_id", "authority_id"
            )
        ),
        AuditEntry.objects.count(),
    )


def _new_school(actor, **kw):
    args = {
        "uai": _uai(),
        "name": "Lycée Ampère",
        "kind": "lycee",
        "sector": "public",
        "city": "Lyon",
        "authorities": (),
    }
    args.update(kw)
    return actions.create_school(actor=actor, **args)


def test_create_school_normalises_the_uai_and_writes_an_audit_entry(world):
    operator = actor_of(world, world.operator)
    school = _new_school(
        operator,
        uai=f"  {_uai().lower()} ",
        name="  Lycée   Ampère ",
        authorities=[world.authority],
    )
    assert (school.tenant, school.uai, school.name) == (world.tenant, _uai(), "Lycée Ampère")
    assert list(school.authorities.all()) == [world.authority]
    entry = AuditEntry.objects.get(action="directory.school_created")
    assert entry.actor == world.operator
    assert entry.school == school
    assert entry.target_id == str(school.pk)
    assert entry.data == {
        "uai": _uai(),
        "name": "Lycée Ampère",
        "kind": "lycee",
        "sector": "public",
        "city": "Lyon",
        "authorities": [world.authority.name],
    }


@pytest.mark.parametrize(
    "uai",
    ["", "075099", "ABCDEFGH", "06912341", "0691234ZZ", "069123²Z", "0691234" + "I"],
)
def test_create_school_refuses_a_malformed_uai_on_the_uai_field(world, uai):
    operator = actor_of(world, world.operator)
    before = school_snapshot()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        _new_school(operator, uai=uai)
    assert set(exc.value.message_dict) == {"uai"}
    message = exc.value.message_dict["uai"][0]
    assert message.startswith(("A UAI code is 7 digits", "The check letter", "This field"))
    assert school_snapshot() == before


def test_create_school_names_the_wrong_check_letter(world):
    good = uai_check_letter("0691234")
    bad = "0691234" + ("A" if good != "A" else "B")
    operator = actor_of(world, world.operator)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        _new_school(operator, uai=bad.lower())
    assert exc.value.message_dict["uai"] == [f"The check letter of {bad} should be {good}."]


def test_create_school_refuses_a_uai_used_in_the_tenant_but_not_in_another(world):
    operator = actor_of(world, world.operator)
    before = school_snapshot()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        _new_school(operator, uai=world.school.uai.lower())
    assert exc.value.message_dict["uai"] == [
        "This UAI code is already used by Collège Victor Hugo."
    ]
    assert school_snapshot() == before
    assert _new_school(operator, uai=world.foreign_school.uai).tenant == world.tenant


def test_create_school_checks_the_other_fields(world):
    operator = actor_of(world, world.operator)
    before = school_snapshot()
    with pytest.raises(ValidationError) as exc:
        _new_school(operator, name=" ", kind="usine", sector="?", city="x" * 121)
    assert set(exc.value.message_dict) == {"name", "kind", "sector", "city"}
    assert school_snapshot() == before


def test_an_authority_admin_creates_schools_under_their_authorities_only(world):
    authority_admin = actor_of(world, world.authority_admin)
    region = f.AuthorityFactory(tenant=world.tenant, name="Région")
    foreign = f.AuthorityFactory(tenant=world.other_tenant)
    before = school_snapshot()
    for authorities in ([], [region], [world.authority, region], [world.authority, foreign]):
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            _new_school(authority_admin, authorities=authorities)
        assert set(exc.value.message_dict) == {"authorities"}
    assert school_snapshot() == before
    school = _new_school(authority_admin, authorities=[world.authority])
    assert list(school.authorities.all()) == [world.authority]


def test_the_operator_attaches_any_authority_of_the_tenant_only(world):
    operator = actor_of(world, world.operator)
    region = f.AuthorityFactory(tenant=world.tenant, name="Région")
    foreign = f.AuthorityFactory(tenant=world.other_tenant)
    before = school_snapshot()
    with pytest.raises(ValidationError) as exc:
        _new_school(operator, authorities=[foreign])
    assert set(exc.value.message_dict) == {"authorities"}
    assert school_snapshot() == before
    school = _new_school(operator, authorities=[region, world.authority])
    assert set(school.authorities.all()) == {region, world.authority}


@pytest.mark.parametrize("role", ["admin", "teacher", "pupil", "foreign_admin"])
def test_only_the_operator_and_authority_admins_create_schools(world, role):
    actor = actor_of(world, getattr(world, role))
    before = school_snapshot()
    with pytest.raises(PermissionDenied):
        _new_school(actor, authorities=[world.authority])
    assert school_snapshot() == before


def _update(actor, school, **kw):
    args = {
        "uai": school.uai,
        "name": school.name,
        "kind": school.kind,
        "sector": school.sector,
        "city": school.city,
        "authorities": list(school.authorities.all()),
    }
    args.update(kw)
    return actions.update_school(actor=actor, school=school, **args)


def test_update_school_audits_old_and_new_values(world):
    authority_admin = actor_of(world, world.authority_admin)
    old_uai = world.school.uai
    school = _update(
        authority_admin, world.school, uai=_uai().lower(), sector="private", city=" Bron "
    )
    assert (school.uai, school.sector, school.city) == (_uai(), "private", "Bron")
    entry = AuditEntry.objects.get(action="directory.school_updated")
    assert entry.school == world.school
    assert entry.data["changes"] == {
        "uai": [old_uai, _uai()],
        "sector": ["public", "private"],
        "city": ["Lyon", "Bron"],
    }


def test_update_school_without_change_writes_nothing(world):
    before = school_snapshot()
    _update(actor_of(world, world.operator), world.school)
    assert school_snapshot() == before


def test_update_school_refuses_a_malformed_or_taken_uai(world):
    operator = actor_of(world, world.operator)
    before = school_snapshot()
    for uai in ("075099", "ABCDEFGH", world.other_school.uai):
        with pytest.raises(ValidationError) as exc:
            _update(operator, world.school, uai=uai, name="Renamed")
        assert set(exc.value.message_dict) == {"uai"}
    assert school_snapshot() == before


def test_a_school_admin_changes_the_name_and_city_only(world):
    admin = actor_of(world, world.admin)
    before = school_snapshot()
    for change in (
        {"uai": _uai()},
        {"kind": "lycee"},
        {"sector": "private"},
        {"authorities": []},
    ):
        with pytest.raises(PermissionDenied):
            _update(admin, world.school, name="Renamed", **change)
    assert school_snapshot() == before
    school = _update(admin, world.school, name="Collège Victor-Hugo", city="Villeurbanne")
    assert (school.name, school.city) == ("Collège Victor-Hugo", "Villeurbanne")
    entry = AuditEntry.objects.get(action="directory.school_updated")
    assert entry.data["changes"] == {
        "name": ["Collège Victor Hugo", "Collège Victor-Hugo"],
        "city": ["Lyon", "Villeurbanne"],
    }


@pytest.mark.parametrize(
    ("role", "school"),
    [("admin", "other_school"), ("teacher", "school"), ("foreign_admin", "school")],
)
def test_update_school_refuses_who_does_not_administer_it(world, role, school):
    actor = actor_of(world, getattr(world, role))
    before = school_snapshot()
    with pytest.raises(PermissionDenied):
        _update(actor, getattr(world, school), name="Pris")
    assert school_snapshot() == before


def test_an_authority_admin_changes_only_their_own_authorities(world):
    authority_admin = actor_of(world, world.authority_admin)
    region = f.AuthorityFactory(tenant=world.tenant, name="Région")
    world.other_school.authorities.add(region)
    before = school_snapshot()
    for school, authorities in (
        (world.school, [world.authority, region]),  # attach one they do not administer
        (world.other_school, [world.authority]),  # detach one they do not administer
        (world.other_school, [region]),  # leave all of theirs
    ):
        with pytest.raises(ValidationError) as exc:
            _update(authority_admin, school, authorities=authorities)
        assert set(exc.value.message_dict) == {"authorities"}
    assert school_snapshot() == before

    metropole = f.AuthorityFactory(tenant=world.tenant, name="Métropole")
    AuthorityAdmin.objects.create(
        tenant=world.tenant, person=world.authority_admin, authority=metropole
    )
    authority_admin = actor_of(world, world.authority_admin)
    school = _update(
        authority_admin, world.other_school, authorities=[world.authority, region, metropole]
    )
    assert set(school.authorities.all()) == {world.authority, region, metropole}
    entry = AuditEntry.objects.get(action="directory.school_updated")
    assert entry.data["changes"] == {
        "authorities": [
            sorted([world.authority.name, "Région"]),
            sorted([world.authority.name, "Région", "Métropole"]),
        ]
    }


def test_create_person_stores_the_email_lower_case(world, admin):
    person = actions.create_person(
        actor=admin,
        school=world.school,
        first_name="Jeanne",
        last_name="Dupont",
        profile=Profile.GUARDIAN,
        email="  Jeanne.Dupont@Example.ORG ",
    )
    assert person.email == "jeanne.dupont@example.org"
