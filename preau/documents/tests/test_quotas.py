"""Per-school quotas: the school's management sets a quota per profile for its members,
overriding the tenant's; someone in several schools gets the largest; `quota_of` costs one
query; the page (values in MiB/GiB, French, errors keep what was typed), rights, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from preau.core.models import AuditEntry
from preau.directory import models as m
from preau.documents import actions, queries
from preau.documents.models import Document, SchoolQuota
from preau.documents.tests.conftest import stored_files, upload
from preau.documents.tests.factories import actor

pytestmark = pytest.mark.django_db

MIB = 1024**2
GIB = 1024**3


def test_the_school_s_quota_overrides_the_tenant_s_for_its_members_only(world, settings):
    world.tenant.options = {"documents_quota_pupil": 2 * GIB}
    world.tenant.save()
    assert queries.quota_of(actor(world.pupil)) == 2 * GIB
    actions.set_school_quotas(
        actor=actor(world.director), school=world.school, quotas={"pupil": 300 * MIB}
    )
    assert queries.quota_of(actor(world.pupil)) == 300 * MIB  # lower than the tenant's: it wins
    assert queries.quota_of(actor(world.other_pupil)) == 2 * GIB  # another school's pupil
    assert queries.quota_of(actor(world.teacher)) == settings.PREAU_QUOTA_STAFF_BYTES
    actions.set_school_quotas(
        actor=actor(world.director), school=world.school, quotas={"pupil": None}
    )
    assert queries.quota_of(actor(world.pupil)) == 2 * GIB
    assert not SchoolQuota.objects.exists()


def test_someone_in_several_schools_gets_the_largest_in_one_query(world, django_assert_num_queries):
    m.Membership.objects.create(
        tenant=world.tenant,
        person=world.teacher,
        school=world.other_school,
        year=world.year,
        profile=m.Profile.TEACHER,
    )
    m.Membership.objects.create(
        tenant=world.tenant,
        person=world.teacher,
        school=world.other_school,
        year=world.year,
        profile=m.Profile.GUARDIAN,
    )
    actions.set_school_quotas(
        actor=actor(world.admin), school=world.school, quotas={"teacher": 2 * GIB}
    )
    actions.set_school_quotas(
        actor=actor(world.other_admin),
        school=world.other_school,
        quotas={"teacher": 5 * GIB, "guardian": 20 * GIB},
    )
    teacher = actor(world.teacher)
    with django_assert_num_queries(1):
        assert queries.quota_of(teacher) == 20 * GIB
    SchoolQuota.objects.filter(profile="guardian").delete()
    with django_assert_num_queries(1):
        assert queries.quota_of(teacher) == 5 * GIB
    SchoolQuota.objects.filter(school=world.other_school).delete()
    # other school: the tenant's 10 GiB for teachers beats this school's 2 GiB
    assert queries.quota_of(teacher) == 10 * GIB
    agent = actor(world.authority_admin)
    with django_assert_num_queries(0):  # nobody's member: the guest's, without a query
        assert queries.quota_of(agent) == 1 * GIB


def test_an_upload_beyond_the_school_s_quota_is_refused(world, media):
    actions.set_school_quotas(
        actor=actor(world.director), school=world.school, quotas={"teacher": 10}
    )
    teacher = actor(world.teacher)
    space = actions.open_space(actor=teacher, kind="personal")
    actions.upload_documents(
        actor=teacher, space=space, folder=None, uploads=[upload("a.txt", b"1234567890")]
    )
    with pytest.raises(ValidationError) as refused:
        actions.upload_documents(
            actor=teacher, space=space, folder=None, uploads=[upload("b.txt", b"1")]
        )
    assert refused.value.error_dict["files"][0].code == "quota"
    assert list(Document.objects.values_list("name", flat=True)) == ["a.txt"]
    assert len(stored_files(media)) == 1


@pytest.mark.parametrize(
    "who", ["director", "admin", "authority_admin", "operator"], ids=lambda w: w
)
def test_the_management_sets_the_quotas_and_it_is_audited(world, who):
    by = actor(getattr(world, who))
    actions.set_school_quotas(
        actor=by, school=world.school, quotas={"pupil": 500 * MIB, "guardian": None}
    )
    assert queries.school_quotas(world.school) == {"pupil": 500 * MIB}
    entry = AuditEntry.objects.get(action="documents.school_quotas_set")
    assert entry.actor == getattr(world, who)
    assert entry.data == {"pupil": {"from": None, "to": 500 * MIB}}
    # nothing changed: no new entry
    actions.set_school_quotas(actor=by, school=world.school, quotas={"pupil": 500 * MIB})
    assert AuditEntry.objects.filter(action="documents.school_quotas_set").count() == 1


@pytest.mark.parametrize("who", ["teacher", "staff", "pupil", "other_admin", "foreign_admin"])
def test_others_may_not_set_a_school_s_quotas(world, who):
    with pytest.raises(PermissionDenied):
        actions.set_school_quotas(
            actor=actor(getattr(world, who)), school=world.school, quotas={"pupil": 1}
        )
    assert not SchoolQuota.objects.exists()
    assert not AuditEntry.objects.filter(action="documents.school_quotas_set").exists()


def test_the_action_refuses_a_quota_out_of_range_or_an_unknown_profile(world):
    director = actor(world.director)
    with pytest.raises(ValidationError) as too_big:
        actions.set_school_quotas(
            actor=director, school=world.school, quotas={"pupil": 2 * actions.QUOTA_MAX_BYTES}
        )
    assert too_big.value.error_dict["quota_pupil"][0].code == "bad_quota"
    with pytest.raises(ValidationError):
        actions.set_school_quotas(actor=director, school=world.school, quotas={"pupil": -1})
    with pytest.raises(ValidationError):
        actions.set_school_quotas(actor=director, school=world.school, quotas={"wizard": 1})
    assert not SchoolQuota.objects.exists()


# --- the pages ------------------------------------------------------------------------------


def test_the_quota_page_in_french_with_values_in_mib_and_gib(world, client_for):
    c = client_for(world.director)
    index = c.get("/documents/")
    assert 'href="/documents/quotas/"' in index.content.decode()
    listing = c.get("/documents/quotas/")
    assert f'href="/documents/quotas/{world.school.pk}/"' in listing.content.decode()
    assert f'href="/documents/quotas/{world.other_school.pk}/"' not in listing.content.decode()
    page = c.get(f"/documents/quotas/{world.school.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Élève" in html  # the profiles' French labels
    assert "Gio" in html or "GiB" in html
    saved = c.post(
        f"/documents/quotas/{world.school.pk}/",
        {"quota_pupil": "1,5", "unit_pupil": "GiB", "quota_guest": "200", "unit_guest": "MiB"},
    )
    assert saved.status_code == 302
    assert queries.school_quotas(world.school) == {"pupil": 3 * GIB // 2, "guest": 200 * MIB}
    again = c.get(f"/documents/quotas/{world.school.pk}/").content.decode()
    assert 'value="1,5"' in again
    assert 'value="200"' in again


def test_a_wrong_value_is_shown_next_to_its_field_and_nothing_is_saved(world, client_for):
    c = client_for(world.director)
    for typed in ("-3", "beaucoup"):
        response = c.post(
            f"/documents/quotas/{world.school.pk}/",
            {"quota_pupil": typed, "unit_pupil": "GiB", "quota_teacher": "12"},
        )
        assert response.status_code == 400
        assert response.context["form"].errors["quota_pupil"]
        assert f'value="{typed}"' in response.content.decode()
        assert 'value="12"' in response.content.decode()
    huge = c.post(
        f"/documents/quotas/{world.school.pk}/", {"quota_pupil": "5000", "unit_pupil": "GiB"}
    )
    assert huge.status_code == 400
    assert huge.context["form"].errors["quota_pupil"]
    assert not SchoolQuota.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "pupil", "staff", "other_admin", "foreign_admin"])
def test_the_quota_pages_answer_404_to_others(world, client_for, who):
    c = client_for(getattr(world, who))
    assert c.get(f"/documents/quotas/{world.school.pk}/").status_code == 404
    assert c.post(f"/documents/quotas/{world.school.pk}/", {"quota_pupil": "1"}).status_code == 404
    if who in {"teacher", "pupil", "staff"}:
        assert c.get("/documents/quotas/").status_code == 404
    assert not SchoolQuota.objects.exists()


def test_an_operator_lists_every_school_of_the_tenant_by_pages(
    world, client_for, django_assert_num_queries
):
    c = client_for(world.operator)
    c.get("/documents/quotas/")
    with django_assert_num_queries(5):
        listing = c.get("/documents/quotas/")
    html = listing.content.decode()
    assert world.school.name in html
    assert world.other_school.name in html
    assert world.foreign_school.name not in html
    assert c.get("/documents/quotas/?after=garbage").status_code == 400
