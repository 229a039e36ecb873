"""Files attached to lessons and homework: uploaded or taken from the teacher's documents,
checked (count, size, scan) before anything is stored, removed, copied with the lesson, shown
on every page that shows the notebook (with a fixed number of queries), served only to the
notebook's readers, listed by the API, audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from preau.core.models import AuditEntry
from preau.homework import actions
from preau.homework.models import Attachment, Homework, LessonLog
from preau.timetable.models import Course
from preau.timetable.tests.factories import actor, course

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
PDF = b"%PDF-1.4 fiche d'exercices"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def maths(world: Any) -> Course:
    return course(world)  # 6e A, mathematics, Paul Durand


def stored(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(name: str = "fiche.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def due(days: int = 2) -> str:
    return (TODAY() + dt.timedelta(days=days)).isoformat()


def lesson_with_files(world: Any, maths: Course, **kw: Any) -> LessonLog:
    """A lesson with one file and published homework with one file."""
    return actions.record_lesson(
        actor=actor(world.teacher),
        course=maths,
        date=kw.get("date", TODAY()),
        title="Fractions",
        content="<p>Cours</p>",
        files=[upload("cours.pdf")],
        homework=actions.HomeworkDraft(
            due_on=TODAY() + dt.timedelta(days=kw.get("due_in", 2)),
            instructions="<p>Exercice 4</p>",
            publish_at=kw.get("publish_at"),
        ),
        homework_files=[upload("exercices.txt", b"Exercice 4\n")],
    )


def test_the_teacher_attaches_files_and_documents_to_a_lesson_and_its_homework(
    world, client_for, maths, media
):
    from preau.documents.tests.factories import document, space_of

    mine = document(
        world.teacher, space_of(world, "personal"), name="sujet.pdf", content=b"%PDF-1.4 sujet"
    )
    client = client_for(world.teacher)
    url = f"/homework/courses/{maths.pk}/"
    page = client.get(url)
    assert [v for v, _label in page.context["form"].fields["lesson_documents"].choices] == [mine.pk]
    assert 'enctype="multipart/form-data"' in page.content.decode()
    response = client.post(
        url,
        {
            "date": TODAY().isoformat(),
            "title": "Fractions",
            "content_html": "<p>Cours</p>",
            "lesson_files": [upload("cours.pdf"), upload("../../<i>piège.html", b"<script>")],
            "homework_html": "<p>Exercice 4</p>",
            "due_on": due(),
            "homework_files": [upload("exercices.txt", b"Exercice 4\n")],
            "homework_documents": [mine.pk],
        },
    )
    assert response.status_code == 302
    lesson = LessonLog.objects.get()
    homework = lesson.homework.get()
    on_lesson = list(Attachment.objects.filter(lesson=lesson))
    assert [(a.name, a.size, a.content_type) for a in on_lesson] == [
        ("cours.pdf", len(PDF), "application/pdf"),
        ("ipiège.html", 8, "application/octet-stream"),  # safe name, never served as HTML
    ]
    assert all(".." not in a.file.name and "piège" not in a.file.name for a in on_lesson)
    assert [(a.name, a.content_type) for a in Attachment.objects.filter(homework=homework)] == [
        ("exercices.txt", "text/plain"),
        ("sujet.pdf", "application/pdf"),
    ]
    # The document's copy is the homework's own: a stored file of its own.
    copy = Attachment.objects.get(name="sujet.pdf")
    assert copy.file.read() == b"%PDF-1.4 sujet"
    added = AuditEntry.objects.filter(action="homework.attachment_added")
    assert added.count() == 4
    assert added.filter(target_id=str(copy.pk), data__homework=homework.pk).exists()
    # Shown on the notebook with the size in French.
    notebook = client.get(url).content.decode()
    assert f'href="/homework/files/{copy.pk}"' in notebook
    assert "sujet.pdf" in notebook
    assert "(14\xa0octets)" in notebook


def test_a_refused_form_stores_nothing_and_keeps_what_was_typed(world, client_for, maths, media):
    client = client_for(world.teacher)
    url = f"/homework/courses/{maths.pk}/"
    refused = client.post(
        url,
        {
            "date": TODAY().isoformat(),
            "title": "Fractions",
            "lesson_files": [upload("cours.pdf")],
            "homework": "Exercice 4",
            "due_on": (TODAY() - dt.timedelta(days=1)).isoformat(),  # already passed
            "homework_files": [upload("exercices.pdf")],
        },
    )
    assert refused.status_code == 200
    form = refused.context["form"]
    assert form.errors["due_on"]
    assert form["title"].value() == "Fractions"
    assert form["homework"].value() == "Exercice 4"
    assert form.non_field_errors()  # the files are to be chosen again
    assert not LessonLog.objects.exists()
    assert not Homework.objects.exists()
    assert not Attachment.objects.exists()
    assert stored(media) == []


def test_files_are_checked_count_size_and_scan(world, maths, media, settings):
    teacher = actor(world.teacher)

    def record(**kw: Any) -> LessonLog:
        return actions.record_lesson(
            actor=teacher, course=maths, date=TODAY(), title="x", content="<p>y</p>", **kw
        )

    settings.PREAU_ATTACHMENTS_MAX = 2
    with pytest.raises(ValidationError) as too_many:
        record(files=[upload("a.pdf"), upload("b.pdf"), upload("c.pdf")])
    assert "2" in too_many.value.message_dict["lesson_files"][0]
    settings.PREAU_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as too_large:
        record(files=[upload("gros.pdf")])
    assert "gros.pdf" in too_large.value.message_dict["lesson_files"][0]
    settings.PREAU_ATTACHMENT_MAX_BYTES = 10 * 1024**2
    settings.PREAU_ATTACHMENT_SCAN = "preau.homework.tests.test_attachments.infected"
    with pytest.raises(ValidationError) as scanned:
        record(files=[upload("virus.pdf", b"%PDF EICAR")])
    assert scanned.value.message_dict["lesson_files"] == ["Fichier infecté."]
    with pytest.raises(ValidationError) as homeless:
        record(homework_files=[upload("seul.pdf")])  # no homework to go with
    assert homeless.value.message_dict["homework_files"]
    assert not LessonLog.objects.exists()
    assert stored(media) == []
    settings.PREAU_ATTACHMENT_SCAN = ""
    with pytest.raises(PermissionDenied):
        actions.record_lesson(
            actor=actor(world.teacher_b),
            course=maths,
            date=TODAY(),
            title="x",
            content="y",
            files=[upload()],
        )
    assert stored(media) == []


def infected(upload: Any) -> None:
    """A scan hook for the tests: a file whose content says EICAR is infected."""
    upload.seek(0)
    if b"EICAR" in upload.read():
        raise ValidationError("Fichier infecté.")
    upload.seek(0)


def test_a_failure_while_storing_leaves_no_file_behind(world, maths, media, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the announcement failed")

    monkeypatch.setattr(actions, "_announce", broken)
    with pytest.raises(RuntimeError):
        lesson_with_files(world, maths)
    assert not Attachment.objects.exists()
    assert stored(media) == []


def test_the_edit_page_removes_files_and_adds_some_to_homework_already_set(
    world, client_for, maths, media, django_capture_on_commit_callbacks
):
    lesson = lesson_with_files(world, maths)
    homework = lesson.homework.get()
    lesson_file = Attachment.objects.get(lesson=lesson)
    homework_file = Attachment.objects.get(homework=homework)
    other = lesson_with_files(world, maths, date=TODAY() - dt.timedelta(days=1))
    foreign_file = Attachment.objects.get(lesson=other)
    client = client_for(world.teacher)
    url = f"/homework/lessons/{lesson.pk}/edit"
    page = client.get(url)
    form = page.context["form"]
    assert [v for v, _label in form.fields["remove"].choices] == [lesson_file.pk, homework_file.pk]
    assert [v for v, _label in form.fields["files_for"].choices] == ["", homework.pk]
    base = {"date": TODAY().isoformat(), "title": "Fractions", "content_html": "<p>Cours</p>"}
    # Someone else's file is not a choice: refused, nothing removed.
    refused = client.post(url, {**base, "remove": [foreign_file.pk]})
    assert refused.context["form"].errors["remove"]
    assert Attachment.objects.count() == 4
    # Files for the homework with no homework written nor chosen: refused.
    homeless = client.post(
        url, {**base, "remove": [lesson_file.pk], "homework_files": [upload("corrigé.pdf")]}
    )
    assert homeless.context["form"].errors["homework_files"]
    assert Attachment.objects.count() == 4  # nor is anything removed
    assert lesson_file.file.storage.exists(lesson_file.file.name)
    path = Path(lesson_file.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            url,
            {
                **base,
                "remove": [lesson_file.pk],
                "files_for": homework.pk,
                "homework_files": [upload("corrigé.pdf")],
            },
        )
    assert saved.status_code == 302
    assert not Attachment.objects.filter(pk=lesson_file.pk).exists()
    assert not path.exists()  # the stored copy went with it
    assert [a.name for a in Attachment.objects.filter(homework=homework)] == [
        "exercices.txt",
        "corrigé.pdf",
    ]
    removed = AuditEntry.objects.get(action="homework.attachment_removed")
    assert (removed.target_id, removed.data) == (
        str(lesson_file.pk),
        {"lesson": lesson.pk, "name": "cours.pdf"},
    )
    # Nobody else edits: 404, nothing changes.
    for who in (world.teacher_b, world.other_teacher, world.foreign_admin, world.pupil):
        answer = client_for(who).post(url, {**base, "remove": [homework_file.pk]})
        assert answer.status_code == 404, who
    assert Attachment.objects.filter(pk=homework_file.pk).exists()


def test_files_go_with_the_homework_chosen_even_when_new_homework_is_written(world, maths, media):
    lesson = lesson_with_files(world, maths)
    set_before = lesson.homework.get()
    actions.record_lesson(
        actor=actor(world.teacher),
        course=maths,
        lesson=lesson,
        date=lesson.date,
        title=lesson.title,
        content=lesson.content_html,
        homework=actions.HomeworkDraft(due_on=TODAY() + dt.timedelta(days=5), instructions="x"),
        homework_files=[upload("corrigé.pdf")],
        files_for=set_before,
    )
    new = lesson.homework.exclude(pk=set_before.pk).get()
    assert [a.name for a in set_before.attachments.all()] == ["exercices.txt", "corrigé.pdf"]
    assert not new.attachments.exists()
    other = lesson_with_files(world, maths, date=TODAY() - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):  # homework of another lesson
        actions.record_lesson(
            actor=actor(world.teacher),
            course=maths,
            lesson=other,
            date=other.date,
            title="",
            content="",
            homework_files=[upload()],
            files_for=set_before,
        )


def test_remove_attachment_is_the_teacher_s_only(world, maths, media):
    lesson = lesson_with_files(world, maths)
    row = Attachment.objects.get(lesson=lesson)
    for who in (world.teacher_b, world.director, world.pupil, world.foreign_admin):
        with pytest.raises(PermissionDenied):
            actions.remove_attachment(actor=actor(who), attachment=row)
    assert Attachment.objects.filter(pk=row.pk).exists()
    actions.remove_attachment(actor=actor(world.teacher), attachment=row)
    assert not Attachment.objects.filter(pk=row.pk).exists()


def test_copying_a_lesson_copies_its_files(
    world, client_for, maths, media, django_capture_on_commit_callbacks
):
    other = course(world, school_class=world.class_b)
    lesson = lesson_with_files(world, maths)
    original = Attachment.objects.get(lesson=lesson)
    client = client_for(world.teacher)
    response = client.post(
        f"/homework/lessons/{lesson.pk}/copy", {"course": other.pk, "date": TODAY().isoformat()}
    )
    assert response.status_code == 302
    copied = LessonLog.objects.get(course=other)
    copy = Attachment.objects.get(lesson=copied)
    assert (copy.name, copy.size, copy.content_type) == ("cours.pdf", len(PDF), "application/pdf")
    assert copy.file.name != original.file.name  # a stored copy of its own
    assert not Homework.objects.filter(course=other).exists()  # homework stays behind
    assert AuditEntry.objects.filter(
        action="homework.attachment_added", data__copied_from=original.pk
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_attachment(actor=actor(world.teacher), attachment=original)
    assert copy.file.storage.exists(copy.file.name)
    assert copy.file.open("rb").read() == PDF


def test_deleting_homework_deletes_its_files(
    world, maths, media, django_capture_on_commit_callbacks
):
    lesson = lesson_with_files(world, maths)
    homework = lesson.homework.get()
    path = Path(Attachment.objects.get(homework=homework).file.path)
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_homework(actor=actor(world.teacher), homework=homework)
    assert not Attachment.objects.filter(homework__isnull=False).exists()
    assert not path.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("pupil", 200),
        ("pupil2", 200),
        ("guardian", 200),
        ("teacher", 200),
        ("teacher_b", 200),  # the school's teachers read its notebooks
        ("staff", 200),
        ("director", 200),
        ("admin", 200),
        ("pupil_b", 404),  # another class
        ("guardian_b", 404),
        ("other_teacher", 404),  # another school
        ("other_admin", 404),
        ("foreign_admin", 404),  # another tenant
    ],
)
def test_only_the_notebook_s_readers_download(world, client_for, maths, media, who, status):
    lesson = lesson_with_files(world, maths)
    for row in Attachment.objects.filter(lesson=lesson) | Attachment.objects.filter(
        homework__lesson=lesson
    ):
        answer = client_for(getattr(world, who)).get(f"/homework/files/{row.pk}")
        assert answer.status_code == status, (who, row.name)
        if status == 200:
            assert answer["Content-Disposition"].startswith("attachment")
            assert answer["X-Content-Type-Options"] == "nosniff"
            assert "sandbox" in answer["Content-Security-Policy"]
            assert b"".join(answer.streaming_content) == row.file.open("rb").read()
    assert client_for(world.pupil).get("/homework/files/999999").status_code == 404


def test_files_of_homework_not_yet_shown_wait_for_it(world, client_for, maths, media):
    later = timezone.now() + dt.timedelta(days=1)
    lesson = lesson_with_files(world, maths, publish_at=later)
    row = Attachment.objects.get(homework__lesson=lesson)
    for who, status in (
        (world.pupil, 404),
        (world.guardian, 404),
        (world.teacher, 200),
        (world.director, 200),
    ):
        assert client_for(who).get(f"/homework/files/{row.pk}").status_code == status, who
    assert (
        "exercices.txt"
        not in client_for(world.pupil).get(f"/homework/courses/{maths.pk}/").content.decode()
    )
    lesson_file = Attachment.objects.get(lesson=lesson)
    assert client_for(world.pupil).get(f"/homework/files/{lesson_file.pk}").status_code == 200
    Homework.objects.filter(lesson=lesson).update(publish_at=timezone.now())
    assert client_for(world.pupil).get(f"/homework/files/{row.pk}").status_code == 200


def _lessons(world: Any, maths: Course, count: int) -> None:
    for i in range(count):
        lesson_with_files(world, maths, date=TODAY() - dt.timedelta(days=i), due_in=1 + i % 5)


@pytest.mark.parametrize(
    ("who", "url", "queries"),
    [
        # The pupil's to-do (and a guardian's): 6, and two prefetches (the homework's files,
        # the pupil's hand-ins).
        ("pupil", "/homework/", 8),
        ("guardian", "/homework/", 8),
        # A notebook: the reader (4), the course, the lessons, their homework, the homework
        # without a lesson, the visas; and now the lessons' and the homework's files (two
        # prefetches). Its teacher also gets their recent documents, to attach from.
        ("teacher", "/homework/courses/{course}/", 12),
        ("pupil", "/homework/courses/{course}/", 13),  # no documents; whether they attend it: 2
        ("director", "/homework/courses/{course}/", 11),  # the inspection
        ("teacher", "/homework/courses/{course}/print", 12),  # and the school's name
    ],
)
def test_pages_showing_files_keep_a_fixed_number_of_queries(
    world, client_for, maths, media, django_assert_num_queries, who, url, queries
):
    _lessons(world, maths, 2)
    client = client_for(getattr(world, who))
    address = url.format(course=maths.pk)
    client.get(address)
    with django_assert_num_queries(queries):
        page = client.get(address)
    assert page.content.decode().count("exercices.txt") == 2
    _lessons(world, maths, 10)
    with django_assert_num_queries(queries):
        page = client.get(address)
    assert page.content.decode().count("exercices.txt") == 12


def test_the_printout_names_the_files_without_links(world, client_for, maths, media):
    lesson_with_files(world, maths)
    printed = client_for(world.pupil).get(f"/homework/courses/{maths.pk}/print").content.decode()
    assert "cours.pdf" in printed
    assert "exercices.txt" in printed
    assert "/homework/files/" not in printed


def test_the_archive_shows_its_files(world, client_for, media):
    from preau.directory.tests import factories as f

    past = f.SchoolYearFactory(
        tenant=world.tenant,
        start_year=2025,
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2026, 7, 4),
        is_current=False,
    )
    old = Course.objects.create(
        tenant=world.tenant,
        school=world.school,
        year=past,
        school_class=world.class_a,
        subject=world.maths,
        teacher=world.teacher,
    )
    lesson = LessonLog.objects.create(
        tenant=world.tenant, course=old, date=dt.date(2026, 3, 2), content_html="<p>Archive</p>"
    )
    row = Attachment(tenant=world.tenant, lesson=lesson, name="ancien.pdf", size=len(PDF))
    row.content_type = "application/pdf"
    row.file.save("ancien.pdf", upload("ancien.pdf"))
    client = client_for(world.teacher)
    page = client.get(f"/homework/courses/{old.pk}/").content.decode()
    assert f'href="/homework/files/{row.pk}"' in page
    assert client.get(f"/homework/files/{row.pk}").status_code == 200
    with pytest.raises(PermissionDenied):  # an archive: nothing removed
        actions.remove_attachment(actor=actor(world.teacher), attachment=row)


def test_an_attachment_belongs_to_a_lesson_or_to_homework(world, maths):
    from django.db import IntegrityError, transaction

    lesson = LessonLog.objects.create(tenant=world.tenant, course=maths, date=TODAY())
    homework = Homework.objects.create(
        tenant=world.tenant,
        course=maths,
        due_on=TODAY(),
        instructions_html="x",
        publish_at=timezone.now(),
    )
    for owners in ({}, {"lesson": lesson, "homework": homework}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Attachment.objects.create(
                tenant=world.tenant, name="x", size=1, content_type="text/plain", **owners
            )


def test_the_api_lists_each_item_s_files(world, client_for, maths, media):
    lesson = lesson_with_files(world, maths)
    row = Attachment.objects.get(homework__lesson=lesson)
    items = client_for(world.pupil).get("/api/v1/homework/todo").json()["items"]
    assert items[0]["attachments"] == [
        {
            "id": row.pk,
            "name": "exercices.txt",
            "size": 11,
            "content_type": "text/plain",
            "url": f"/api/v1/homework/files/{row.pk}",
        }
    ]
    served = client_for(world.pupil).get(items[0]["attachments"][0]["url"])
    assert (served.status_code, served["Content-Disposition"]) == (
        200,
        'attachment; filename="exercices.txt"',
    )
    assert b"".join(served.streaming_content) == b"Exercice 4\n"
    for who in (world.pupil_b, world.guardian_b, world.other_teacher, world.foreign_admin):
        refused = client_for(who).get(f"/api/v1/homework/files/{row.pk}")
        assert (refused.status_code, refused.json()["code"]) == (404, "not_found"), who
    child = client_for(world.guardian).get(f"/api/v1/homework/todo?child={world.pupil.pk}")
    assert child.json()["items"][0]["attachments"][0]["id"] == row.pk
    done = client_for(world.pupil).post(
        f"/api/v1/homework/{row.homework_id}/done", {"done": True}, content_type="application/json"
    )
    assert done.json()["attachments"][0]["name"] == "exercices.txt"


def test_the_mobile_app_downloads_with_its_token(world, maths, media):
    from django.test import Client

    from preau.accounts.actions import create_api_token

    lesson = lesson_with_files(world, maths)
    _row, token = create_api_token(actor=actor(world.guardian), label="Application")
    app = Client(HTTP_HOST="testserver", HTTP_AUTHORIZATION=f"Bearer {token}")
    items = app.get(f"/api/v1/homework/todo?child={world.pupil.pk}").json()["items"]
    url = items[0]["attachments"][0]["url"]
    assert b"".join(app.get(url).streaming_content) == b"Exercice 4\n"
    lesson_file = Attachment.objects.get(lesson=lesson)
    assert app.get(f"/api/v1/homework/files/{lesson_file.pk}").status_code == 200
    foreign = Client(HTTP_HOST="other.test", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert foreign.get(url).status_code == 401
