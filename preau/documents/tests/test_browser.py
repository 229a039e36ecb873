"""Documents in Chromium: a teacher uploads files to the class space (per-file progress bars,
the JavaScript path), a pupil of the class opens one and downloads it. axe-core on the spaces,
folder and file pages."""

from __future__ import annotations

import pytest

from preau.core.models import AuditEntry
from preau.directory.tests.factories import TEST_PASSWORD
from preau.documents.models import Document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_uploads_to_the_class_space_and_a_pupil_downloads(world, browser_for):
    teacher = browser_for("documents-teacher")
    teacher.login(world.teacher.login, TEST_PASSWORD)
    teacher.goto("/documents/")
    teacher.snap("spaces")
    teacher.assert_accessible()
    teacher.page.click(f"a[href='/documents/open/class/{world.class_a.pk}/']")
    teacher.page.wait_for_load_state("networkidle")
    assert teacher.page.locator(".empty-state").count() == 1
    teacher.snap("empty-class-space")
    teacher.assert_accessible()
    teacher.page.set_input_files(
        "#id_files",
        files=[
            {
                "name": "cours.txt",
                "mimeType": "text/plain",
                "buffer": b"Chapitre 1 : les fractions",
            },
            {"name": "exercices.csv", "mimeType": "text/csv", "buffer": b"n;question\n1;2/4 ?\n"},
        ],
    )
    with teacher.page.expect_navigation():
        teacher.page.click("form[data-upload] button[type=submit]")
    teacher.page.wait_for_load_state("networkidle")
    assert teacher.page.locator("table tbody tr").count() == 2
    assert Document.objects.filter(space__school_class=world.class_a).count() == 2
    # One request per file (the JavaScript path with its progress bars), not one form post.
    assert AuditEntry.objects.filter(action="documents.uploaded").count() == 2
    teacher.snap("uploaded")
    teacher.assert_accessible()

    pupil = browser_for("documents-pupil")
    pupil.login(world.pupil.login, TEST_PASSWORD)
    pupil.goto(f"/documents/open/class/{world.class_a.pk}/")
    assert pupil.page.locator("form[data-upload]").count() == 0
    pupil.page.click("text=cours.txt")
    pupil.page.wait_for_load_state("networkidle")
    pupil.snap("file")
    pupil.assert_accessible()
    with pupil.page.expect_download() as info:
        pupil.page.click("main .page-header a.button")
    download = info.value
    assert download.suggested_filename == "cours.txt"
    with open(download.path(), "rb") as f:
        assert f.read() == b"Chapitre 1 : les fractions"


def test_a_director_sets_the_school_s_quotas_and_moves_a_folder(world, browser_for):
    from preau.documents import actions
    from preau.documents.models import Folder, SchoolQuota
    from preau.documents.tests.factories import actor, document, folder

    school_space = actions.open_space(
        actor=actor(world.admin), kind="school", ref_id=world.school.pk
    )
    archives = folder(world.admin, school_space, "Archives")
    document(world.admin, school_space, archives, name="reglement.txt", content=b"Reglement")
    admin = browser_for("documents-quotas")
    admin.login(world.admin.login, TEST_PASSWORD)
    admin.goto(f"/documents/quotas/{world.school.pk}/")
    admin.snap("quotas")
    admin.assert_accessible()
    admin.page.fill("#id_quota_pupil", "1,5")
    admin.page.select_option("#id_unit_pupil", "GiB")
    admin.page.fill("#id_quota_teacher", "-2")
    with admin.page.expect_navigation():
        admin.page.click("main form button[type=submit]")
    assert admin.page.locator(".field__error").count() == 1
    assert admin.page.input_value("#id_quota_pupil") == "1,5"
    admin.snap("quotas-error")
    admin.assert_accessible()
    admin.page.fill("#id_quota_teacher", "")
    with admin.page.expect_navigation():
        admin.page.click("main form button[type=submit]")
    assert SchoolQuota.objects.get().bytes == 3 * 1024**3 // 2

    admin.goto(f"/documents/folders/{archives.pk}/")
    admin.snap("folder-actions")
    admin.assert_accessible()
    admin.page.select_option("#folder-move-to", "personal")
    with admin.page.expect_navigation():
        admin.page.click("form[action$='/move'] button[type=submit]")
    archives = Folder.objects.select_related("space").get(pk=archives.pk)
    assert archives.space.kind == "personal"
    assert archives.space.owner_id == world.admin.pk
