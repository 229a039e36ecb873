"""The console's import pages: upload, preview, apply, progress, report — and who may do what."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from preau.console.tests.helpers import is_login_redirect
from preau.directory import models as m
from preau.directory.feeds.run import PROGRESS_KEY
from preau.directory.tests.feeds_helpers import FIXTURES, row_counts, run_import

AAF = sorted((FIXTURES / "aaf" / "complet").iterdir())
CSV = FIXTURES / "csv"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client_as(client_as: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Clients whose requests run the jobs they queue (eager Celery, as in the demo): the test's
    transaction never commits, so the on-commit callbacks are run by hand."""

    class Running:
        def __init__(self, client: Any) -> None:
            self.client = client

        def get(self, *args: Any, **kw: Any) -> Any:
            return self.client.get(*args, **kw)

        def post(self, *args: Any, **kw: Any) -> Any:
            with django_capture_on_commit_callbacks(execute=True):
                return self.client.post(*args, **kw)

    return lambda role: Running(client_as(role))


def uploads(paths: list[Path]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(p.name, p.read_bytes()) for p in paths]


def test_operator_uploads_previews_and_applies_an_aaf_set(world: Any, client_as: Any) -> None:
    client = client_as("operator")
    assert client.get(reverse("console:import_aaf")).status_code == 200
    before = row_counts()
    response = client.post(
        reverse("console:import_aaf"), {"complete": "1", "uploads": uploads(AAF)}
    )
    job = m.ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:import", args=[job.pk])
    assert row_counts() == before  # previewed, not applied
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Appliquer ces changements" in text
    assert "ROUSSEAU Inès" in text
    assert job.summary["changes"]["person"] == {"created": 11}

    response = client.post(reverse("console:import_run", args=[job.pk]), {"apply": "1"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == m.ImportJob.Status.APPLIED
    assert m.Person.objects.filter(source="aaf").count() == 11
    page = client.get(reverse("console:import", args=[job.pk])).content.decode()
    assert f"Appliqué : {job.summary['total']} changements." in page


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("pupil", 404),
        ("teacher", 404),
        ("admin", 404),
        ("foreign_admin", 404),
        ("authority_admin", 200),
        ("operator", 200),
    ],
)
def test_who_may_upload_an_aaf_set(world: Any, client_as: Any, role: str, status: int) -> None:
    client = client_as(role)
    assert client.get(reverse("console:import_aaf")).status_code == status
    response = client.post(
        reverse("console:import_aaf"), {"complete": "1", "uploads": uploads(AAF)}
    )
    assert response.status_code == (302 if status == 200 else status)
    assert m.ImportJob.objects.exists() == (status == 200)


def test_anonymous_is_sent_to_login(world: Any, client_as: Any) -> None:
    assert is_login_redirect(client_as("anonymous").get(reverse("console:import_aaf")))


@pytest.mark.parametrize(
    ("role", "status"),
    [("pupil", 404), ("other_admin", 404), ("foreign_admin", 404), ("admin", 200)],
)
def test_school_import_page_is_the_schools_administrators(
    world: Any, client_as: Any, role: str, status: int
) -> None:
    url = reverse("console:school_import", args=[world.school.pk])
    assert client_as(role).get(url).status_code == status


def test_csv_with_bad_lines_blocks_until_the_valid_lines_are_chosen(
    world: Any, client_as: Any
) -> None:
    client = client_as("admin")
    url = reverse("console:school_import", args=[world.school.pk])
    before = row_counts()
    response = client.post(
        url, {"format": "csv", "profile": "pupil", "uploads": uploads([CSV / "pupils_bad.csv"])}
    )
    assert response.status_code == 302
    job = m.ImportJob.objects.get()
    assert job.status == m.ImportJob.Status.PREVIEWED
    assert job.summary["error_count"] > 0
    page = client.get(response["Location"]).content.decode()
    assert "pupils_bad.csv" in page
    assert "Appliquer les lignes valides" in page
    run = reverse("console:import_run", args=[job.pk])
    client.post(run, {"apply": "1"})
    job.refresh_from_db()
    assert job.status == m.ImportJob.Status.PREVIEWED
    assert row_counts() == before
    client.post(run, {"apply": "1", "skip_invalid": "1"})
    job.refresh_from_db()
    assert job.status == m.ImportJob.Status.APPLIED
    lea = m.Person.objects.get(external_id="ELV-0101")
    assert lea.memberships.get().school_class.code == "CM2A"
    assert not m.Person.objects.filter(external_id="ELV-0102").exists()


def test_the_form_keeps_the_choice_and_names_the_missing_profile(
    world: Any, client_as: Any
) -> None:
    url = reverse("console:school_import", args=[world.school.pk])
    response = client_as("admin").post(
        url, {"format": "csv", "uploads": uploads([CSV / "pupils_bad.csv"])}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["profile"]
    assert response.context["form"]["format"].value() == "csv"
    assert not m.ImportJob.objects.exists()


def test_other_schools_and_tenants_jobs_answer_404_and_change_nothing(
    world: Any, client_as: Any
) -> None:
    job = run_import(
        world.admin,
        "csv",
        [CSV / "pupils_utf8.csv"],
        school=world.school,
        profile="pupil",
        apply=False,
    )
    before = row_counts()
    for role in ("other_admin", "foreign_admin", "teacher"):
        client = client_as(role)
        for name in ("console:import", "console:import_progress", "console:import_report"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, (role, name)
        response = client.post(reverse("console:import_run", args=[job.pk]), {"apply": "1"})
        assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == m.ImportJob.Status.PREVIEWED
    assert row_counts() == before
    assert client_as("admin").get(reverse("console:import", args=[job.pk])).status_code == 200


def test_progress_bar_while_running_then_reload(world: Any, client_as: Any) -> None:
    job = run_import(world.operator, "aaf", AAF, apply=False)
    m.ImportJob.objects.filter(pk=job.pk).update(
        status=m.ImportJob.Status.APPLYING, started_at=timezone.now()
    )
    cache.set(PROGRESS_KEY.format(job.pk), {"done": 250, "total": 1000, "phase": "people"})
    client = client_as("operator")
    page = client.get(reverse("console:import", args=[job.pk])).content.decode()
    assert 'aria-valuenow="25"' in page
    assert "hx-trigger" in page
    partial = client.get(reverse("console:import_progress", args=[job.pk]))
    assert 'aria-valuenow="25"' in partial.content.decode()
    assert "HX-Refresh" not in partial
    m.ImportJob.objects.filter(pk=job.pk).update(status=m.ImportJob.Status.APPLIED)
    assert client.get(reverse("console:import_progress", args=[job.pk]))["HX-Refresh"] == "true"


def test_report_downloads_as_csv(world: Any, client_as: Any) -> None:
    job = run_import(world.operator, "aaf", AAF, apply=False)
    response = client_as("operator").get(reverse("console:import_report", args=[job.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="import-{job.pk}.csv"'
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0] == ["Action", "Changement", "Clé de jointure", "Nom", "Détails"]
    assert len(rows) == 1 + job.summary["total"]
    assert ["Personnes", "Créé", "2000001", "ROUSSEAU Inès", "profil: Élève"] in rows


def test_csv_templates_download(world: Any, client_as: Any) -> None:
    response = client_as("admin").get(reverse("console:csv_template", args=["guardian"]))
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    assert "id enfant 1" in response.content.decode("utf-8-sig").lower()
    assert (
        client_as("admin").get(reverse("console:csv_template", args=["nobody"])).status_code == 404
    )


def test_list_and_detail_keep_a_fixed_number_of_queries(
    world: Any, client_as: Any, django_assert_num_queries: Any
) -> None:
    client = client_as("operator")
    job = run_import(world.operator, "aaf", AAF, apply=False)
    client.get(reverse("console:imports"))  # the tenant's host is cached from now on
    with django_assert_num_queries(6):
        client.get(reverse("console:imports"))
    with django_assert_num_queries(6):
        client.get(reverse("console:import", args=[job.pk]))
    for _ in range(3):
        run_import(world.operator, "aaf", AAF, apply=False)
    with django_assert_num_queries(6):
        client.get(reverse("console:imports"))


def test_choosing_a_school_leads_to_its_import_page(world: Any, client_as: Any) -> None:
    response = client_as("admin").get(reverse("console:imports"), {"school": world.school.pk})
    assert response["Location"] == reverse("console:school_import", args=[world.school.pk])
    response = client_as("admin").get(reverse("console:imports"), {"school": world.other_school.pk})
    assert response.status_code == 200


def test_empty_state(world: Any, client_as: Any) -> None:
    page = client_as("admin").get(reverse("console:imports")).content.decode()
    assert "Aucun import" in page
