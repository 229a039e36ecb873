"""The console's possible-duplicates page and the school years page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from preau.console.tests.helpers import snapshot
from preau.directory import models as m
from preau.directory.tests import factories as f


@pytest.fixture
def candidate(world: Any) -> m.DuplicateCandidate:
    incoming = f.PersonFactory(
        tenant=world.tenant,
        first_name="Léa",
        last_name="Martin",
        external_id="2000777",
        login="lea.martin.aaf",
        source="aaf",
    )
    m.Membership.objects.create(
        tenant=world.tenant,
        person=incoming,
        school=world.school,
        year=world.year,
        profile="pupil",
        school_class=world.class_b,
    )
    return m.DuplicateCandidate.objects.create(
        tenant=world.tenant,
        school=world.school,
        existing=world.pupil,
        incoming=incoming,
        reason="name_birth",
    )


def test_administrator_sees_and_merges_a_duplicate(
    world: Any, client_for: Any, candidate: m.DuplicateCandidate
) -> None:
    client = client_for(world.admin)
    url = reverse("console:duplicates", args=[world.school.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["candidates"] == [candidate]
    response = client.post(
        reverse("console:duplicate_resolve", args=[world.school.pk, candidate.pk]), {"merge": "1"}
    )
    assert response["Location"] == url
    kept = m.Person.objects.get(pk=world.pupil.pk)
    assert kept.external_id == "2000777"
    assert not m.Person.objects.filter(pk=candidate.incoming_id).exists()
    assert client.get(url).context["candidates"] == []


def test_dismissing_keeps_both(world: Any, client_for: Any, candidate: m.DuplicateCandidate):
    client_for(world.admin).post(
        reverse("console:duplicate_resolve", args=[world.school.pk, candidate.pk]),
        {"dismiss": "1"},
    )
    candidate.refresh_from_db()
    assert candidate.status == m.DuplicateCandidate.Status.DISMISSED
    assert m.Person.objects.filter(pk=candidate.incoming_id).exists()


@pytest.mark.parametrize("role", ["other_admin", "foreign_admin", "teacher", "pupil"])
def test_other_administrators_get_404_and_change_nothing(
    world: Any, client_for: Any, candidate: m.DuplicateCandidate, role: str
) -> None:
    client = client_for(getattr(world, role))
    before = snapshot()
    assert client.get(reverse("console:duplicates", args=[world.school.pk])).status_code == 404
    url = reverse("console:duplicate_resolve", args=[world.school.pk, candidate.pk])
    assert client.post(url, {"merge": "1"}).status_code == 404
    assert snapshot() == before
    candidate.refresh_from_db()
    assert candidate.status == m.DuplicateCandidate.Status.OPEN


def test_a_candidate_of_another_school_answers_404_from_this_school(
    world: Any, client_for: Any, candidate: m.DuplicateCandidate
) -> None:
    client = client_for(world.authority_admin)  # administers both schools
    url = reverse("console:duplicate_resolve", args=[world.other_school.pk, candidate.pk])
    assert client.post(url, {"merge": "1"}).status_code == 404


def test_duplicates_empty_state(world: Any, client_for: Any) -> None:
    page = client_for(world.admin).get(reverse("console:duplicates", args=[world.school.pk]))
    assert page.context["candidates"] == []


def test_operator_opens_the_next_school_year(world: Any, client_for: Any) -> None:
    client = client_for(world.operator)
    url = reverse("console:school_years")
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["start_year"] == world.year.start_year + 1
    response = client.post(url, {"start_year": world.year.start_year + 1})
    assert response["Location"] == url
    current = m.SchoolYear.objects.get(tenant=world.tenant, is_current=True)
    assert current.start_year == world.year.start_year + 1


def test_a_past_year_is_refused_next_to_the_field(world: Any, client_for: Any) -> None:
    response = client_for(world.operator).post(
        reverse("console:school_years"), {"start_year": world.year.start_year}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert m.SchoolYear.objects.get(tenant=world.tenant, is_current=True) == world.year


@pytest.mark.parametrize("role", ["admin", "authority_admin", "foreign_admin", "teacher"])
def test_only_the_operator_opens_a_school_year(world: Any, client_for: Any, role: str) -> None:
    client = client_for(getattr(world, role))
    url = reverse("console:school_years")
    assert client.get(url).status_code == 404
    assert client.post(url, {"start_year": 2027}).status_code == 404
    assert m.SchoolYear.objects.filter(start_year=2027).count() == 0
