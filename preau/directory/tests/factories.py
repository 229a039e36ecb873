"""Factories for the directory. Every object is built inside an explicit tenant."""

from __future__ import annotations

import datetime as dt

import factory

from preau.core.models import Tenant, TenantHost
from preau.directory import models as m

TEST_PASSWORD = "correct horse 42"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Territoire {n}")
    slug = factory.Sequence(lambda n: f"territoire-{n}")
    enabled_apps = factory.LazyFunction(
        lambda: ["Courrier_Electronique", "Actualites", "Stockage_Partage", "Cahier_Textes"]
    )


class TenantHostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TenantHost

    tenant = factory.SubFactory(TenantFactory)
    host = factory.Sequence(lambda n: f"ent{n}.test")


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SchoolYear

    tenant = factory.SubFactory(TenantFactory)
    start_year = 2026
    starts_on = dt.date(2026, 9, 1)
    ends_on = dt.date(2027, 7, 4)
    is_current = True


def _uai(n: int) -> str:
    digits = f"{750000 + n:07d}"
    return digits + m.uai_check_letter(digits)


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Authority

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Département {n}")
    kind = m.Authority.Kind.DEPARTEMENT


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.School

    tenant = factory.SubFactory(TenantFactory)
    uai = factory.Sequence(_uai)
    name = factory.Sequence(lambda n: f"Collège Jean Moulin {n}")
    kind = m.School.Kind.COLLEGE
    sector = m.School.Sector.PUBLIC
    city = "Lyon"


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Subject

    tenant = factory.SubFactory(TenantFactory)
    code = factory.Sequence(lambda n: f"{n:06d}")
    label = factory.Sequence(lambda n: f"Matière {n}")


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SchoolClass

    school = factory.SubFactory(SchoolFactory)
    tenant = factory.SelfAttribute("school.tenant")
    year = factory.SubFactory(SchoolYearFactory, tenant=factory.SelfAttribute("..tenant"))
    code = factory.Sequence(lambda n: f"6E{n}")
    name = factory.LazyAttribute(lambda o: o.code)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Group

    school = factory.SubFactory(SchoolFactory)
    tenant = factory.SelfAttribute("school.tenant")
    year = factory.SubFactory(SchoolYearFactory, tenant=factory.SelfAttribute("..tenant"))
    code = factory.Sequence(lambda n: f"GRP{n}")
    name = factory.LazyAttribute(lambda o: f"Groupe {o.code}")
    kind = m.Group.Kind.TEACHING


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Person
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    login = factory.LazyAttribute(lambda o: f"{o.first_name}.{o.last_name}".lower())
    email = factory.LazyAttribute(lambda o: f"{o.login}@example.org")
    activated_at = factory.LazyFunction(lambda: dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    password = factory.django.Password(TEST_PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Membership

    person = factory.SubFactory(PersonFactory)
    tenant = factory.SelfAttribute("person.tenant")
    school = factory.SubFactory(SchoolFactory, tenant=factory.SelfAttribute("..tenant"))
    year = factory.SubFactory(SchoolYearFactory, tenant=factory.SelfAttribute("..tenant"))
    profile = m.Profile.PUPIL
