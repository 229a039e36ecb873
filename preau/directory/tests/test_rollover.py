"""The yearly rollover: `open_school_year`, its rules, what it carries over and what it keeps."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from preau.core.models import AuditEntry
from preau.directory import actions
from preau.directory.models import (
    Group,
    GroupMember,
    GuardianLink,
    Membership,
    Person,
    Profile,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
)
from preau.directory.queries import build_actor, current_year
from preau.directory.tests import factories as f


def actor_of(person):
    return build_actor(person, tenant=person.tenant)


def snapshot():
    """Every row the rollover must leave alone (accounts and last year's archive)."""
    return (
        list(Person.objects.order_by("pk").values_list("pk", "login", "is_blocked")),
        list(
            Membership.objects.order_by("pk").values_list(
                "pk",
                "person_id",
                "school_id",
                "year_id",
                "profile",
                "school_class_id",
                "functions",
                "is_school_admin",
            )
        ),
        list(SchoolClass.objects.order_by("pk").values_list("pk", "year_id", "code", "name")),
        list(Group.objects.order_by("pk").values_list("pk", "year_id", "code", "name")),
        list(GroupMember.objects.order_by("pk").values_list("pk", "group_id", "person_id")),
        list(
            TeachingAssignment.objects.order_by("pk").values_list(
                "pk", "teacher_id", "year_id", "school_class_id", "group_id", "subject_id"
            )
        ),
        list(GuardianLink.objects.order_by("pk").values_list("pk", "pupil_id", "guardian_id")),
    )


def years():
    return list(
        SchoolYear.objects.order_by("tenant_id", "start_year").values_list(
            "tenant_id", "start_year", "is_current", "starts_on", "ends_on"
        )
    )


@pytest.mark.parametrize(
    ("start_year", "ends_on"),
    [
        (2026, dt.date(2027, 7, 4)),  # 1 July 2027 is a Thursday
        (2027, dt.date(2028, 7, 2)),  # a Saturday
        (2028, dt.date(2029, 7, 1)),  # a Sunday: that very day
        (2029, dt.date(2030, 7, 7)),  # a Monday
    ],
)
def test_a_school_year_runs_from_1_september_to_the_first_sunday_of_july(start_year, ends_on):
    starts_on, end = actions.school_year_dates(start_year)
    assert starts_on == dt.date(start_year, 9, 1)
    assert end == ends_on
    assert end.weekday() == 6
    assert end.month == 7
    assert end.day <= 7


def test_the_operator_opens_the_next_year_and_it_becomes_the_current_one(world):
    before = snapshot()
    year = actions.open_school_year(actor=actor_of(world.operator), start_year=2027)

    assert (year.tenant, year.start_year, year.is_current) == (world.tenant, 2027, True)
    assert (year.starts_on, year.ends_on) == (dt.date(2027, 9, 1), dt.date(2028, 7, 2))
    world.year.refresh_from_db()
    assert world.year.is_current is False
    assert current_year(world.tenant) == year
    # The other tenant's current year is not touched.
    world.foreign_year.refresh_from_db()
    assert world.foreign_year.is_current is True

    # Accounts and last year's rows are all still there, unchanged.
    persons, memberships, *archive = snapshot()
    assert persons == before[0]
    assert archive == list(before[2:])
    old = [m for m in memberships if m[3] != year.pk]
    assert old == before[1]


def test_only_the_school_administrators_memberships_are_carried_over_without_class(world):
    world.admin.memberships.update(school_class=None)
    # An administrator who is also a pupil's guardian: only the admin membership goes along.
    Membership.objects.create(
        tenant=world.tenant,
        person=world.admin,
        school=world.other_school,
        year=world.year,
        profile=Profile.GUARDIAN,
    )
    year = actions.open_school_year(actor=actor_of(world.operator), start_year=2027)

    carried = list(
        Membership.objects.filter(year=year)
        .order_by("person_id")
        .values_list(
            "person_id", "school_id", "profile", "functions", "school_class_id", "is_school_admin"
        )
    )
    assert carried == [
        (world.admin.pk, world.school.pk, Profile.STAFF, ["ETA"], None, True),
        (world.other_admin.pk, world.other_school.pk, Profile.STAFF, ["DIR"], None, True),
    ]
    # Nothing else belongs to the new year: no class, group or assignment.
    assert not SchoolClass.objects.filter(year=year).exists()
    assert not Group.objects.filter(year=year).exists()
    assert not TeachingAssignment.objects.filter(year=year).exists()
    # The foreign tenant's administrator is not carried into this tenant's year.
    assert not Membership.objects.filter(year=year, person=world.foreign_admin).exists()


def test_after_the_rollover_admins_still_administer_and_others_have_no_current_place(world):
    actions.open_school_year(actor=actor_of(world.operator), start_year=2027)

    admin = actor_of(world.admin)
    assert world.school.pk in admin.admin_school_ids
    assert actor_of(world.other_admin).admin_school_ids == {world.other_school.pk}
    # The authority administrator administers through the authority, not a membership.
    assert actor_of(world.authority_admin).admin_school_ids == {
        world.school.pk,
        world.other_school.pk,
    }
    pupil = actor_of(world.pupil)
    assert pupil.memberships == ()
    # The admin can create this year's classes: the school can be run before the feeds.
    created = actions.create_class(actor=admin, school=world.school, code="6A", name="6e A")
    assert created.year.start_year == 2027


def test_the_opening_is_audited(world):
    actions.open_school_year(actor=actor_of(world.operator), start_year=2027)

    entry = AuditEntry.objects.get(action="directory.school_year_opened")
    assert (entry.tenant, entry.actor, entry.target_type, entry.target_repr) == (
        world.tenant,
        world.operator,
        "directory.schoolyear",
        "2027-2028",
    )
    assert entry.data == {
        "start_year": 2027,
        "starts_on": "2027-09-01",
        "ends_on": "2028-07-02",
        "created": True,
        "previous": "2026-2027",
        "admin_memberships_carried_over": 2,
    }
    carried = AuditEntry.objects.filter(action="directory.membership_carried_over")
    assert sorted(carried.values_list("subject_id", "school_id")) == sorted(
        [(world.admin.pk, world.school.pk), (world.other_admin.pk, world.other_school.pk)]
    )
    new_rows = Membership.objects.filter(year__start_year=2027).values_list("pk", flat=True)
    assert sorted(carried.values_list("target_id", flat=True)) == sorted(map(str, new_rows))
    assert set(carried.values_list("target_type", flat=True)) == {"directory.membership"}


def test_an_existing_row_for_that_year_is_reused_with_its_dates(world):
    prepared = SchoolYear.objects.create(
        tenant=world.tenant,
        start_year=2027,
        starts_on=dt.date(2027, 9, 2),
        ends_on=dt.date(2028, 7, 5),
        is_current=False,
    )
    year = actions.open_school_year(actor=actor_of(world.operator), start_year=2027)

    assert year.pk == prepared.pk
    assert (year.starts_on, year.ends_on, year.is_current) == (
        dt.date(2027, 9, 2),
        dt.date(2028, 7, 5),
        True,
    )
    assert SchoolYear.objects.filter(tenant=world.tenant).count() == 2
    assert AuditEntry.objects.get(action="directory.school_year_opened").data["created"] is False


def test_an_admin_already_in_the_reused_year_is_not_duplicated(world):
    prepared = f.SchoolYearFactory(tenant=world.tenant, start_year=2027, is_current=False)
    Membership.objects.create(
        tenant=world.tenant,
        person=world.admin,
        school=world.school,
        year=prepared,
        profile=Profile.STAFF,
        functions=["DIR"],
    )
    actions.open_school_year(actor=actor_of(world.operator), start_year=2027)

    rows = list(
        Membership.objects.filter(year=prepared, person=world.admin).values_list(
            "functions", "is_school_admin"
        )
    )
    assert rows == [(["DIR"], True)]


def test_a_tenant_without_a_current_year_opens_its_first_one(world):
    SchoolYear.objects.filter(tenant=world.tenant).update(is_current=False)
    year = actions.open_school_year(actor=actor_of(world.operator), start_year=2020)

    assert year.is_current
    assert not Membership.objects.filter(year=year).exists()


@pytest.mark.parametrize("start_year", [2026, 2025, 1999])
def test_the_start_year_must_come_after_the_current_one(world, start_year):
    before, before_years, audit = snapshot(), years(), AuditEntry.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        actions.open_school_year(actor=actor_of(world.operator), start_year=start_year)

    assert "start_year" in exc.value.message_dict
    if start_year >= 2000:
        assert exc.value.error_dict["start_year"][0].code == "year_not_after"
        assert exc.value.message_dict["start_year"] == [
            "The new school year must start after the current one (2026-2027): enter 2027 or later."
        ]
    else:
        assert exc.value.error_dict["start_year"][0].code == "bad_year"
    assert (snapshot(), years(), AuditEntry.objects.count()) == (before, before_years, audit)


@pytest.mark.parametrize("role", ["admin", "authority_admin", "director", "teacher", "pupil"])
def test_only_the_operator_opens_a_school_year(world, role):
    before, before_years = snapshot(), years()
    with pytest.raises(PermissionDenied):
        actions.open_school_year(actor=actor_of(getattr(world, role)), start_year=2027)
    assert (snapshot(), years()) == (before, before_years)
    assert not AuditEntry.objects.exists()


def test_another_tenants_operator_only_rolls_their_own_tenant_over(world):
    foreign_operator = f.PersonFactory(
        tenant=world.other_tenant, first_name="Omar", last_name="Leroy", is_operator=True
    )
    before = snapshot()
    year = actions.open_school_year(actor=actor_of(foreign_operator), start_year=2027)

    assert year.tenant == world.other_tenant
    assert current_year(world.tenant) == world.year
    carried = list(Membership.objects.filter(year=year).values_list("person_id", flat=True))
    assert carried == [world.foreign_admin.pk]
    assert [m for m in snapshot()[1] if m[3] != year.pk] == before[1]


# --- last year's archive and the write actions ------------------------------------------------


@pytest.fixture
def rolled_over(world):
    return actions.open_school_year(actor=actor_of(world.operator), start_year=2027)


def test_people_of_last_year_only_are_not_members_any_more(world, rolled_over):
    """`update_person` works in the current year: last year's pupil is refused."""
    with pytest.raises(ValidationError):
        actions.update_person(
            actor=actor_of(world.admin),
            school=world.school,
            person=world.pupil,
            first_name="Léa",
            last_name="Changé",
        )
    world.pupil.refresh_from_db()
    assert world.pupil.last_name == "Martin"


def test_last_years_classes_cannot_take_new_pupils_through_create_person(world, rolled_over):
    with pytest.raises(ValidationError):
        actions.create_person(
            actor=actor_of(world.admin),
            school=world.school,
            first_name="Nina",
            last_name="Colin",
            profile=Profile.PUPIL,
            school_class=world.class_a,
        )


def test_last_years_classes_and_groups_are_read_only_archives(world, rolled_over):
    """The update actions refuse a class or group of a past year, and change nothing."""
    admin = actor_of(world.admin)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.update_class(actor=admin, school_class=world.class_a, code="6A", name="Renamed")
    assert exc.value.code == "archive"
    with pytest.raises(ValidationError):
        actions.set_class_pupils(actor=admin, school_class=world.class_a, pupils=[world.pupil])
    with pytest.raises(ValidationError):
        actions.update_group(
            actor=admin, group=world.group, code="LAT", name="Latin (old)", kind=Group.Kind.MANUAL
        )
    with pytest.raises(ValidationError):
        actions.set_group_members(actor=admin, group=world.group, people=[world.pupil])
    assert snapshot() == before


def test_the_command_opens_the_year_as_the_first_operator_and_says_what_it_did(world):
    out = StringIO()
    call_command("open_school_year", "2027", "--tenant", "region-test", stdout=out)

    year = current_year(world.tenant)
    assert year is not None
    assert year.start_year == 2027
    text = out.getvalue()
    assert "Opened the school year 2027-2028 in Région Test" in text
    assert "from 01/09/2027 to 02/07/2028" in text
    assert world.operator.login in text
    assert "2026-2027 is now an archive" in text
    assert "School-administrator memberships in 2027-2028: 2." in text
    entry = AuditEntry.objects.get(action="directory.school_year_opened")
    assert entry.actor == world.operator


def test_the_command_refuses_an_earlier_year_and_an_unnamed_tenant(world):
    with pytest.raises(CommandError, match="Name the tenant"):
        call_command("open_school_year", "2027", stdout=StringIO())
    with translation.override("en"), pytest.raises(CommandError, match="must start after"):
        call_command("open_school_year", "2026", "--tenant", "region-test", stdout=StringIO())
    assert current_year(world.tenant) == world.year


def test_the_command_needs_an_operator(world):
    with pytest.raises(CommandError, match="no operator"):
        call_command("open_school_year", "2027", "--tenant", "autre", stdout=StringIO())
    assert current_year(world.other_tenant) == world.foreign_year
