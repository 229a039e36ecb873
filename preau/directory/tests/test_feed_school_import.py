"""SIECLE and STS-Web exports of one school (the Collège 0693331W of the fixtures), imported by
its administrator: STS-Web first (teachers, divisions, groups, services), then SIECLE (pupils,
guardians, nomenclature)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from preau.directory import models as m
from preau.directory.tests import factories as f
from preau.directory.tests.feeds_helpers import FIXTURES, directory_state, row_counts, run_import

UAI = "0693331W"
STS = sorted((FIXTURES / "sts").iterdir())
SIECLE = sorted((FIXTURES / "siecle").iterdir())


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def college(world: Any) -> m.School:
    school = f.SchoolFactory(tenant=world.tenant, uai=UAI, name="Collège Jules Ferry")
    m.Membership.objects.create(
        tenant=world.tenant,
        person=world.admin,
        school=school,
        year=world.year,
        profile="staff",
        functions=["ETA"],
        is_school_admin=True,
    )
    return school


def school_import(world: Any, school: m.School, fmt: str, paths: list[Path], **kw: Any):
    return run_import(world.admin, fmt, paths, school=school, **kw)


@pytest.fixture
def imported(world: Any, college: m.School) -> m.School:
    for fmt, paths in (("sts", STS), ("siecle", SIECLE)):
        job = school_import(world, college, fmt, paths)
        assert job.status == m.ImportJob.Status.APPLIED, (fmt, job.errors)
    return college


def assignments(key: str) -> set[tuple[str | None, str | None, str | None, bool]]:
    return set(
        m.TeachingAssignment.objects.filter(teacher__external_id=key).values_list(
            "school_class__code", "group__code", "subject__code", "is_main"
        )
    )


def test_sts_fills_classes_groups_and_services(imported: m.School) -> None:
    assert set(imported.classes.values_list("code", "name")) == {
        ("6A", "6ème A"),  # SIECLE, which has no labels, keeps STS-Web's
        ("6B", "6ème B"),
        ("5A", "5A"),
    }
    assert imported.classes.get(code="6A").level.code == "10010012110"
    latin = imported.groups.get(code="6LAT")
    assert set(latin.classes.values_list("code", flat=True)) == {"6A", "6B"}
    assert assignments("STS-0693331W-501") == {
        ("6A", None, "020700", True),
        ("6B", None, "020700", False),
        (None, "6LAT", "021800", False),
    }
    director = m.Membership.objects.get(person__external_id="STS-0693331W-504")
    assert (director.profile, director.functions) == ("staff", ["DIR"])


def test_siecle_fills_pupils_and_guardians(imported: m.School) -> None:
    lea = m.Person.objects.get(external_id="SIECLE-0693331W-E4001")
    membership = lea.memberships.get()
    assert (membership.school_id, membership.school_class.code) == (imported.pk, "6A")
    assert set(lea.group_memberships.values_list("group__code", flat=True)) == {"6LAT"}
    assert set(
        m.GuardianLink.objects.filter(pupil=lea).values_list("guardian__external_id", "level")
    ) == {("SIECLE-0693331W-R7001", 1), ("SIECLE-0693331W-R7002", 1)}
    # A guardian of two pupils; the person in charge (level 2) is not imported by default.
    sophie = m.Person.objects.get(external_id="SIECLE-0693331W-R7001")
    assert sophie.child_links.count() == 2
    assert sophie.memberships.get().profile == "guardian"
    assert not m.GuardianLink.objects.filter(guardian__external_id="SIECLE-0693331W-R7007").exists()
    assert m.Person.objects.get(external_id="SIECLE-0693331W-E4003").last_name == "DUCŒUR"


def test_reimporting_changes_nothing(world: Any, imported: m.School) -> None:
    before = directory_state()
    for fmt, paths in (("sts", STS), ("siecle", SIECLE)):
        job = school_import(world, imported, fmt, paths)
        assert job.summary["total"] == 0, (fmt, list(job.changes.values("kind", "action", "key")))
    assert directory_state() == before


def test_previews_write_nothing(world: Any, college: m.School) -> None:
    before = row_counts()
    for fmt, paths in (("sts", STS), ("siecle", SIECLE)):
        job = school_import(world, college, fmt, paths, apply=False)
        assert job.status == m.ImportJob.Status.PREVIEWED
        assert job.summary["total"] > 0
    assert row_counts() == before


def test_a_pupil_absent_from_the_next_export_leaves(
    world: Any, imported: m.School, tmp_path: Path
) -> None:
    folder = tmp_path / "siecle"
    folder.mkdir()
    for path in SIECLE:
        (folder / path.name).write_bytes(path.read_bytes())
    pupils = folder / "ElevesSansAdresses.xml"
    raw = pupils.read_bytes()
    start = raw.index(b'<ELEVE ELEVE_ID="4004"')
    at = raw.index(b"<ELENOET>", start)
    # SIECLE keeps a pupil who left, with the day they left.
    pupils.write_bytes(raw[:at] + b"<DATE_SORTIE>02/11/2026</DATE_SORTIE>\n        " + raw[at:])
    job = school_import(world, imported, "siecle", sorted(folder.iterdir()))
    assert job.status == m.ImportJob.Status.APPLIED, job.errors
    leaver = m.Person.objects.get(external_id="SIECLE-0693331W-E4004")
    assert not leaver.memberships.exists()
    assert leaver.is_blocked
    assert leaver.deletion_due_on is not None
    # Teachers are STS-Web's: a SIECLE import leaves them alone.
    assert m.Membership.objects.filter(person__external_id="STS-0693331W-501").exists()


def test_another_school_is_refused(world: Any, college: m.School) -> None:
    before = row_counts()
    job = school_import(world, world.school, "sts", STS)
    assert not job.summary.get("applied")
    assert job.status == m.ImportJob.Status.FAILED
    assert UAI in job.errors[0]["message"] or world.school.uai in job.errors[0]["message"]
    assert row_counts() == before


def test_another_schools_administrator_may_not_import(world: Any, college: m.School) -> None:
    with pytest.raises(PermissionDenied):
        run_import(world.other_admin, "sts", STS, school=college)
    assert not m.ImportJob.objects.exists()
