"""The console's import in Chromium: upload an AAF set, read the preview, apply it, watch a
running import's progress bar until its report appears; axe-core on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from preau.console.tests.test_browser import log_in
from preau.directory import models as m
from preau.directory.feeds.run import PROGRESS_KEY
from preau.directory.tests.feeds_helpers import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AAF = sorted((FIXTURES / "aaf" / "complet").iterdir())


def test_operator_imports_an_aaf_set(world: Any, browser_for: Any, settings: Any, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path / "media"
    s = browser_for("console-import")
    log_in(s, world.operator)
    s.goto("/console/imports/")
    s.snap("imports-empty")
    s.assert_accessible()

    s.page.click("text=Importer un lot AAF")
    s.page.wait_for_load_state("networkidle")
    s.snap("aaf-form")
    s.assert_accessible()
    s.page.set_input_files("input[type=file]", [str(p) for p in AAF])
    s.page.click("main form button[type=submit]")
    s.page.wait_for_load_state("networkidle")
    job = m.ImportJob.objects.get()
    assert s.page.url.endswith(f"/console/imports/{job.pk}/")
    assert m.Person.objects.filter(source="aaf").count() == 0  # a preview writes nothing
    assert s.page.locator("text=ROUSSEAU Inès").count() >= 1
    s.snap("preview")
    s.assert_accessible()

    s.page.click("text=Appliquer ces changements")
    s.page.wait_for_load_state("networkidle")
    assert m.Person.objects.filter(source="aaf").count() == 11
    assert s.page.locator(".alert--success").count() == 1
    s.snap("applied")
    s.assert_accessible()
    with s.page.expect_download() as download:
        s.page.click("text=Télécharger le rapport (CSV)")
    assert download.value.suggested_filename == f"import-{job.pk}.csv"

    # A running import: the bar moves with the job, then the page shows the report.
    m.ImportJob.objects.filter(pk=job.pk).update(
        status=m.ImportJob.Status.APPLYING, started_at=timezone.now()
    )
    cache.set(PROGRESS_KEY.format(job.pk), {"done": 40, "total": 100, "phase": "people"})
    s.goto(f"/console/imports/{job.pk}/")
    bar = s.page.locator("[role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "40"
    s.snap("progress")
    s.assert_accessible()
    cache.set(PROGRESS_KEY.format(job.pk), {"done": 80, "total": 100, "phase": "people"})
    s.page.wait_for_function(
        "document.querySelector('[role=progressbar]').getAttribute('aria-valuenow') === '80'"
    )
    m.ImportJob.objects.filter(pk=job.pk).update(status=m.ImportJob.Status.APPLIED)
    s.page.wait_for_selector(".alert--success")
    s.snap("done")

    # On a phone, the report still reads.
    phone = browser_for("console-import-phone", width=390, height=844)
    log_in(phone, world.operator)
    phone.goto(f"/console/imports/{job.pk}/")
    phone.snap("report-phone")
    phone.assert_accessible()
