"""`preau demo`: the demo territory's contents, its idempotence and its demo-only password."""

from __future__ import annotations

import io
import sys
import types

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import RequestFactory
from django.utils import translation

from preau.core.models import Tenant, TenantHost
from preau.core.sanitize import fold
from preau.directory import models as m
from preau.directory.demo import (
    DEMO_EMAIL_DOMAIN,
    DEMO_HOSTS,
    DEMO_PASSWORD,
    LEVELS,
    ROLES,
    SERVICE_LABELS,
    DemoError,
    seed_demo,
)
from preau.portal.catalogue import Service
from preau.portal.models import ConnectedApp

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, int]:
    """Row counts of every table the demo writes, across all tenants."""
    return {
        model.__name__: model.objects.count()
        for model in (
            Tenant,
            TenantHost,
            m.Authority,
            m.School,
            m.SchoolYear,
            m.Subject,
            m.Level,
            m.Person,
            m.SchoolClass,
            m.Group,
            m.Group.classes.through,
            m.GroupMember,
            m.Membership,
            m.AuthorityAdmin,
            m.TeachingAssignment,
            m.GuardianLink,
            ConnectedApp,
        )
    }


def test_demo_territory_is_realistic_and_its_printed_logins_work(monkeypatch):
    calls = []
    portal = types.ModuleType("preau.portal.demo")
    portal.seed_demo_connected_apps = lambda tenant, schools: calls.append((tenant, schools))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "preau.portal.demo", portal)
    out = io.StringIO()

    with translation.override("fr"):
        summary = seed_demo(stdout=out)

    tenant = summary.tenant
    assert summary.created
    assert (tenant.slug, tenant.is_demo) == ("demo", True)
    assert tenant.enabled_apps == list(SERVICE_LABELS)
    assert set(SERVICE_LABELS) == set(Service.values)  # the whole catalogue is on
    hosts = TenantHost.objects.filter(tenant=tenant).values_list("host", flat=True)
    assert set(hosts) == set(DEMO_HOSTS)
    year = m.SchoolYear.objects.get(tenant=tenant, is_current=True)
    assert (year.start_year, str(year.starts_on), str(year.ends_on)) == (
        2026,
        "2026-09-01",
        "2027-07-03",
    )

    # Structures: a region with two départements, an académie, a DRAAF, four schools.
    authorities = {a.kind: a for a in m.Authority.objects.filter(tenant=tenant)}
    departements = m.Authority.objects.filter(tenant=tenant, kind="departement")
    assert departements.count() == 2
    assert {d.parent for d in departements} == {authorities["region"]}
    assert {"region", "academie", "draaf"} <= set(authorities)
    schools = list(m.School.objects.filter(tenant=tenant).prefetch_related("authorities"))
    assert len(schools) == 4
    for school in schools:
        m.validate_uai(school.uai)
        assert school.uai[:3] in {"069", "001"}
    assert sorted(s.kind for s in schools) == ["college", "college", "lycee", "lycee_agricole"]
    agricultural = next(s for s in schools if s.kind == "lycee_agricole")
    assert agricultural.sector == "agricultural"
    assert authorities["draaf"] in agricultural.authorities.all()
    colleges = [s for s in schools if s.kind == "college"]
    assert {s.uai[:3] for s in colleges} == {"069", "001"}
    # The portal's demo apps are seeded with the tenant and its schools, when the portal has them.
    assert len(calls) == 1
    assert calls[0][0] == tenant
    assert {s.pk for s in calls[0][1]} == {s.pk for s in schools}

    # Counts.
    counts = summary.counts
    assert counts["schools"] == 4
    assert 38 <= counts["classes"] <= 45
    assert 950 <= counts["pupils"] <= 1100
    assert 70 <= counts["teachers"] <= 90
    assert counts["guardians"] > counts["pupils"]
    assert counts["people"] == m.Person.objects.filter(tenant=tenant).count()

    # One school administrator per school; every staff function everywhere.
    staff = m.Membership.objects.filter(tenant=tenant, profile="staff")
    admins = staff.filter(is_school_admin=True).values_list("school").annotate(n=Count("id"))
    assert sorted(n for _school, n in admins) == [1, 1, 1, 1]
    for school in schools:
        functions = {
            f for fs in staff.filter(school=school).values_list("functions", flat=True) for f in fs
        }
        assert functions == {"DIR", "EVS", "DOC", "ETA", "RES"}
    assert m.AuthorityAdmin.objects.filter(
        tenant=tenant, authority__name__contains="Rhône"
    ).exists()
    assert m.Person.objects.filter(tenant=tenant, is_operator=True).count() == 1

    # Classes: pupils, teachers, exactly one main teacher each.
    classes = m.SchoolClass.objects.filter(tenant=tenant).annotate(
        pupils=Count("memberships", distinct=True),
        mains=Count("assignments", filter=Q(assignments__is_main=True), distinct=True),
        teachers=Count("assignments__teacher", distinct=True),
    )
    for cls in classes:
        assert cls.mains == 1, cls
        assert cls.pupils >= 10, cls
        assert cls.teachers >= 5, cls
    assert not m.TeachingAssignment.objects.filter(tenant=tenant, subject__isnull=True).exists()

    # Teaching groups with members, a teacher and their classes.
    groups = m.Group.objects.filter(tenant=tenant).annotate(
        n=Count("memberships", distinct=True), t=Count("assignments", distinct=True)
    )
    assert groups.count() >= 3
    assert {g.name.split()[0] for g in groups} >= {"Latin", "Espagnol", "Allemand"}
    for group in groups:
        assert group.n > 0, group
        assert group.t == 1, group
        assert group.classes.exists()

    # Pupils: a class, an INE, a birth date matching their level, a level-1 guardian.
    pupils = m.Membership.objects.filter(tenant=tenant, profile="pupil").select_related(
        "person", "school_class__level"
    )
    birth_years = {spec.mef: spec.birth_year for spec in LEVELS.values()}
    for membership in pupils:
        person = membership.person
        assert membership.school_class is not None
        expected = birth_years[membership.school_class.level.code]
        assert person.birth_date.year in {expected, expected - 1}, person
        assert len(person.ine) == 11
    orphans = (
        m.Person.objects.filter(tenant=tenant, memberships__profile="pupil")
        .exclude(guardian_links__level=1)
        .count()
    )
    assert orphans == 0
    assert m.GuardianLink.objects.filter(tenant=tenant, level=2).exists()
    # Siblings share guardians, and some guardians have children in two schools.
    assert (
        m.GuardianLink.objects.filter(tenant=tenant)
        .values("guardian")
        .annotate(n=Count("pupil"))
        .filter(n__gte=2)
        .count()
        > 50
    )
    two_schools = (
        m.Membership.objects.filter(tenant=tenant, profile="guardian")
        .values("person")
        .annotate(n=Count("school", distinct=True))
        .filter(n__gte=2)
    )
    assert two_schools.count() >= 10
    # A guardian is a member of each of their children's schools.
    needed = set(
        m.GuardianLink.objects.filter(tenant=tenant).values_list(
            "guardian_id", "pupil__memberships__school_id"
        )
    )
    present = set(
        m.Membership.objects.filter(tenant=tenant, profile="guardian").values_list(
            "person_id", "school_id"
        )
    )
    assert needed == present

    # Accounts: unique logins (case-insensitively), reserved e-mails, activated.
    people = list(m.Person.objects.filter(tenant=tenant))
    logins = [p.login.lower() for p in people]
    assert len(logins) == len(set(logins))
    assert len({p.email for p in people}) == len(people)
    for person in people:
        assert person.email.endswith("@" + DEMO_EMAIL_DOMAIN)
        assert person.activated_at is not None
        assert person.terms_accepted_at is not None
        assert person.search_name == fold(f"{person.last_name} {person.first_name}")
    assert len({p.password for p in people}) == 1  # hashed once

    # The printed table: one account per profile, each logs in with the demo password.
    printed = out.getvalue()
    assert "données créées en" in printed  # French by default
    assert DEMO_PASSWORD in printed
    assert "http://127.0.0.1:8000/" in printed
    assert [a.role for a in summary.accounts] == [role for role, _label in ROLES]
    by_login = {p.login: p for p in people}
    for account in summary.accounts:
        assert account.login in printed
        assert check_password(DEMO_PASSWORD, by_login[account.login].password)
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1")
    request.tenant = tenant
    pupil_login = summary.accounts[0].login
    assert authenticate(request, login=pupil_login, password=DEMO_PASSWORD) == by_login[pupil_login]
    assert authenticate(request, login=pupil_login, password="wrong") is None

    # The featured accounts fit together: the guardian's children are in two schools, one of
    # them is the pupil, whose class the teachers teach.
    who = {a.role: by_login[a.login] for a in summary.accounts}
    guardian_schools = m.Membership.objects.filter(person=who["guardian"], profile="guardian")
    assert guardian_schools.values("school").distinct().count() == 2
    assert m.GuardianLink.objects.filter(guardian=who["guardian"], pupil=who["pupil"]).exists()
    pupil_class = who["pupil"].memberships.get().school_class
    assert m.TeachingAssignment.objects.filter(
        teacher=who["main_teacher"], school_class=pupil_class, is_main=True
    ).exists()
    assert m.TeachingAssignment.objects.filter(
        teacher=who["teacher"], school_class=pupil_class, is_main=False
    ).exists()
    assert who["school_admin"].memberships.get().is_school_admin
    assert who["cpe"].memberships.get().functions == ["EVS"]
    assert who["principal"].memberships.get().functions == ["DIR"]
    assert who["authority_admin"].authority_admin_of.exists()
    assert who["operator"].is_operator


def test_seeding_twice_changes_nothing_and_leaves_other_tenants_alone(world):
    others_before = {p.pk: p.password for p in m.Person.objects.filter(tenant=world.tenant)}
    first = seed_demo()
    before = snapshot()

    out = io.StringIO()
    with translation.override("fr"):
        call_command("demo", stdout=out)

    assert snapshot() == before
    assert before["ConnectedApp"] > 0  # the portal's demo apps, seeded through its hook
    printed = out.getvalue()
    assert "données déjà présentes" in printed
    for account in first.accounts:
        assert account.login in printed
    again = seed_demo()
    assert not again.created
    assert again.counts == first.counts
    assert again.accounts == first.accounts
    # Demo passwords exist only in demo data; the other tenants are untouched.
    others_after = {p.pk: p.password for p in m.Person.objects.filter(tenant=world.tenant)}
    assert others_after == others_before
    assert not any(check_password(DEMO_PASSWORD, h) for h in others_after.values())
    assert Tenant.objects.filter(is_demo=True).count() == 1


def test_a_real_tenant_named_demo_is_never_given_demo_accounts():
    Tenant.objects.create(name="Territoire réel", slug="demo")
    with pytest.raises(DemoError):
        seed_demo()
    with pytest.raises(CommandError):
        call_command("demo", stdout=io.StringIO())
    assert not m.Person.objects.exists()
    assert not m.School.objects.exists()
