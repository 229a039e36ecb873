"""CSV files of a school without AAF, imported into it: pupils, guardians, teachers, staff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from preau.directory import models as m
from preau.directory.tests.feeds_helpers import FIXTURES, directory_state, row_counts, run_import

CSV = FIXTURES / "csv"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_import(world: Any, name: str, profile: str, **kw: Any) -> m.ImportJob:
    return run_import(world.admin, "csv", [CSV / name], school=world.school, profile=profile, **kw)


@pytest.fixture
def school_files(world: Any) -> None:
    for name, profile in [
        ("pupils_utf8.csv", "pupil"),
        ("guardians.csv", "guardian"),
        ("teachers.csv", "teacher"),
        ("staff.csv", "staff"),
    ]:
        job = csv_import(world, name, profile, skip_invalid=True)
        assert job.status == m.ImportJob.Status.APPLIED, (name, job.errors)


def test_pupils_land_in_classes_and_groups_created_for_them(world: Any, school_files: Any):
    eloise = m.Person.objects.get(external_id="ELV-0001")
    assert (eloise.first_name, eloise.last_name, eloise.ine, eloise.source) == (
        "Éloïse",
        "Lefèvre",
        "0123456789A",
        "csv",
    )
    membership = eloise.memberships.get(school=world.school)
    assert (membership.profile, membership.school_class.code) == ("pupil", "CM2A")
    assert set(eloise.group_memberships.values_list("group__code", flat=True)) == {
        "CHORALE",
        "ANGLAIS",
    }
    assert m.Person.objects.get(external_id="ELV-0003").last_name == "Le Bihan"


def test_guardians_are_linked_with_their_levels(world: Any, school_files: Any) -> None:
    links = set(
        m.GuardianLink.objects.filter(guardian__external_id="RESP-0001").values_list(
            "pupil__external_id", "level", "kinship"
        )
    )
    # Level 2 is kept only when the tenant imports people in charge.
    assert links == {("ELV-0001", 1, "mère")}
    claire = m.Person.objects.get(external_id="RESP-0001")
    assert claire.memberships.get().profile == "guardian"
    assert claire.address == "12 rue des Écoles 69001 Lyon"


def test_teachers_get_their_services_and_main_class(world: Any, school_files: Any) -> None:
    services = set(
        m.TeachingAssignment.objects.filter(teacher__external_id="ENS-0001").values_list(
            "school_class__code", "subject__code", "is_main"
        )
    )
    assert services == {("CM2A", "FRANC", True), ("CM2A", "MATHS", True), ("CM1B", None, False)}


def test_staff_get_their_functions(world: Any, school_files: Any) -> None:
    functions = dict(
        m.Membership.objects.filter(person__external_id__startswith="PER-").values_list(
            "person__external_id", "functions"
        )
    )
    assert functions["PER-0001"] == ["DIR"]
    assert functions["PER-0002"] == ["EVS"]
    assert sorted(functions["PER-0003"]) == ["DOC", "RES"]


def test_importing_the_same_files_again_changes_nothing(world: Any, school_files: Any) -> None:
    before = directory_state()
    job = csv_import(world, "pupils_utf8.csv", "pupil")
    assert job.summary["total"] == 0
    assert directory_state() == before


def test_a_preview_writes_nothing(world: Any) -> None:
    before = row_counts()
    job = csv_import(world, "pupils_utf8.csv", "pupil", apply=False)
    assert job.status == m.ImportJob.Status.PREVIEWED
    assert job.summary["changes"]["person"] == {"created": 3}
    assert row_counts() == before


def test_bad_lines_block_unless_the_valid_ones_are_chosen(world: Any) -> None:
    before = row_counts()
    job = csv_import(world, "pupils_bad.csv", "pupil")
    assert job.status == m.ImportJob.Status.PREVIEWED
    assert row_counts() == before
    lines = {e["line"] for e in job.errors if not e.get("warning")}
    assert {3, 4} <= lines  # no last name; 31 February
    assert all(e["file"] == "pupils_bad.csv" for e in job.errors)
    job = csv_import(world, "pupils_bad.csv", "pupil", skip_invalid=True)
    assert job.status == m.ImportJob.Status.APPLIED
    assert m.Person.objects.filter(external_id="ELV-0101").exists()
    assert not m.Person.objects.filter(external_id="ELV-0102").exists()


def test_another_schools_administrator_may_not_import_here(world: Any) -> None:
    before = row_counts()
    with pytest.raises(PermissionDenied):
        run_import(
            world.other_admin,
            "csv",
            [CSV / "pupils_utf8.csv"],
            school=world.school,
            profile="pupil",
        )
    assert row_counts() == before
    assert not m.ImportJob.objects.exists()
