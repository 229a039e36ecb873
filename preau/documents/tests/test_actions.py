"""Uploads, quotas, versions, moves and copies, the trash, comments, thumbnails and public
links: the rules and what is (or is not) left in the storage."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from preau.core.models import AuditEntry, Notification
from preau.documents import actions, queries
from preau.documents.models import Document, Folder, Version
from preau.documents.tests.conftest import PNG, stored_files, upload
from preau.documents.tests.factories import actor, document, folder, space_of

pytestmark = pytest.mark.django_db


def test_upload_several_files_keeps_names_sizes_hashes_and_audits(world, media):
    s = space_of(world, "class")
    docs = actions.upload_documents(
        actor=actor(world.teacher),
        space=s,
        folder=None,
        uploads=[upload("a.txt", b"un"), upload("b.csv", b"x;y\n1;2\n"), upload("c.png", PNG)],
    )
    assert [(d.name, d.size, d.content_type) for d in docs] == [
        ("a.txt", 2, "text/plain"),
        ("b.csv", 8, "text/csv"),
        ("c.png", len(PNG), "image/png"),
    ]
    v = docs[0].current_version
    import hashlib

    assert v.sha256 == hashlib.sha256(b"un").hexdigest()
    assert "a.txt" not in v.file.name  # stored under a random name
    assert len(stored_files(media)) >= 3
    assert AuditEntry.objects.filter(action="documents.uploaded").count() == 1


def _quota(world, total):
    world.tenant.options = {"documents_quota_teacher": total}
    world.tenant.save()


def test_an_upload_exactly_at_the_quota_is_accepted(world, media):
    s = space_of(world, "personal")
    _quota(world, 10)
    document(world.teacher, s, content=b"1234")
    actions.upload_documents(
        actor=actor(world.teacher), space=s, folder=None, uploads=[upload("b.txt", b"123456")]
    )
    assert queries.storage_used_by(actor(world.teacher)) == 10


def test_one_byte_over_the_quota_is_refused_and_nothing_is_stored(world, media):
    s = space_of(world, "personal")
    _quota(world, 10)
    document(world.teacher, s, content=b"1234")
    before = stored_files(media)
    with pytest.raises(ValidationError) as exc:
        actions.upload_documents(
            actor=actor(world.teacher),
            space=s,
            folder=None,
            uploads=[upload("b.txt", b"12345"), upload("c.txt", b"67")],
        )
    assert exc.value.error_dict["files"][0].code == "quota"
    assert "Espace insuffisant" in exc.value.messages[0]  # the tests speak French
    assert Document.objects.count() == 1
    assert stored_files(media) == before


def test_quota_defaults_follow_the_profiles(world, settings):
    assert (
        queries.quota_of(actor(world.teacher)) == settings.PREAU_QUOTA_STAFF_BYTES == 10 * 1024**3
    )
    assert queries.quota_of(actor(world.pupil)) == settings.PREAU_QUOTA_FAMILY_BYTES == 1024**3
    assert queries.quota_of(actor(world.guardian)) == 1024**3


def test_a_file_over_the_size_limit_is_refused(world, settings, media):
    settings.PREAU_DOCUMENT_MAX_BYTES = 3
    with pytest.raises(ValidationError) as exc:
        document(world.teacher, space_of(world, "personal"), content=b"1234")
    assert exc.value.error_dict["files"][0].code == "too_large"
    assert stored_files(media) == []


def test_a_failed_transaction_deletes_what_it_stored(world, media, monkeypatch):
    s = space_of(world, "personal")

    def boom(**kw):
        raise RuntimeError("audit down")

    monkeypatch.setattr(actions, "record_audit", boom)
    with pytest.raises(RuntimeError):
        actions.upload_documents(
            actor=actor(world.teacher), space=s, folder=None, uploads=[upload("a.txt")]
        )
    assert Document.objects.count() == 0
    assert stored_files(media) == []


def test_the_scan_hook_refuses_an_infected_file(world, settings, media):
    settings.PREAU_ATTACHMENT_SCAN = "preau.documents.tests.test_actions.refuse_eicar"
    with pytest.raises(ValidationError):
        document(world.teacher, space_of(world, "personal"), content=b"X5O!P%@AP EICAR")
    assert stored_files(media) == []


def refuse_eicar(file):
    if b"EICAR" in file.read():
        raise ValidationError("infected", code="infected")
    file.seek(0)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        (
            "dessin.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x</script></svg>',
        ),
        ("photo.jpg", b"<!doctype html><script>alert(1)</script>"),
        ("faux.pdf", PNG),
    ],
)
def test_hostile_content_is_stored_as_octet_stream(world, media, name, content):
    d = document(world.teacher, space_of(world, "personal"), name=name, content=content)
    assert d.content_type == "application/octet-stream"
    assert d.current_version.file.read() == content


def test_a_path_traversal_name_is_made_safe(world, media):
    d = document(world.teacher, space_of(world, "personal"), name="../../etc/passwd")
    assert d.name == "passwd"
    assert d.current_version.file.name.startswith(f"documents/{world.tenant.pk}/")
    assert all(str(p).startswith(str(media)) for p in stored_files(media))


def test_new_version_then_restore_an_older_one(world, media):
    s = space_of(world, "class")
    d = document(world.teacher, s, content=b"v1")
    first = d.current_version
    actions.add_version(actor=actor(world.teacher), document=d, upload=upload("x", b"version 2"))
    d.refresh_from_db()
    assert d.current_version.number == 2
    assert d.size == 9
    with pytest.raises(PermissionDenied):
        actions.restore_version(actor=actor(world.teacher), document=d, version=first)
    actions.restore_version(actor=actor(world.admin), document=d, version=first)
    d.refresh_from_db()
    assert d.current_version == first
    assert d.size == 2
    assert queries.open_current_version(d).read() == b"v1"
    assert list(queries.versions_of(d).values_list("number", flat=True)) == [2, 1]


def test_trash_a_folder_and_restore_it_with_what_it_held(world, media):
    s = space_of(world, "class")
    top = folder(world.teacher, s, "Cours")
    sub = folder(world.teacher, s, "Sub", parent=top)
    inner = document(world.teacher, s, sub)
    trashed_before = document(world.teacher, s, sub, name="old.txt")
    actions.trash_item(actor=actor(world.teacher), item=trashed_before)
    actions.trash_item(actor=actor(world.teacher), item=top)
    assert set(Folder.objects.filter(trashed_at__isnull=False)) == {top, sub}
    folders, docs = queries.trash_of(s)
    assert folders == [top]
    assert docs == [trashed_before]
    actions.restore_item(actor=actor(world.teacher), item=Folder.objects.get(pk=top.pk))
    assert not Folder.objects.filter(trashed_at__isnull=False).exists()
    inner.refresh_from_db()
    assert inner.trashed_at is None
    trashed_before.refresh_from_db()
    assert trashed_before.trashed_at is not None  # it went in on its own, it stays


def test_empty_trash_and_purge_delete_rows_and_files(
    world, media, django_capture_on_commit_callbacks
):
    s = space_of(world, "class")
    d = document(world.admin, s)
    keep = document(world.admin, s, name="keep.txt")
    with django_capture_on_commit_callbacks(execute=True):
        actions.trash_item(actor=actor(world.admin), item=d)
    with pytest.raises(PermissionDenied):
        actions.empty_trash(actor=actor(world.teacher), space=s)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.empty_trash(actor=actor(world.admin), space=s) == 1
    assert list(Document.objects.all()) == [keep]
    assert len(stored_files(media)) == 1
    old = document(world.admin, s, name="old.txt")
    Document.objects.filter(pk=old.pk).update(trashed_at=timezone.now() - dt.timedelta(days=31))
    recent = document(world.admin, s, name="recent.txt")
    Document.objects.filter(pk=recent.pk).update(trashed_at=timezone.now() - dt.timedelta(days=29))
    with django_capture_on_commit_callbacks(execute=True):
        from preau.documents.tasks import purge_trash_task

        assert purge_trash_task() == 1
    assert set(Document.objects.all()) == {keep, recent}


def test_move_a_folder_rewrites_the_paths_below_and_refuses_a_cycle(world, media):
    s = space_of(world, "class")
    a = folder(world.teacher, s, "A")
    b = folder(world.teacher, s, "B", parent=a)
    c = folder(world.teacher, s, "C", parent=b)
    target = folder(world.teacher, s, "T")
    with pytest.raises(ValidationError):
        actions.move_item(actor=actor(world.teacher), item=a, to=c)
    actions.move_item(actor=actor(world.teacher), item=b, to=target)
    c.refresh_from_db()
    assert c.ancestor_ids == [target.pk, b.pk, c.pk]


def test_copy_is_a_new_stored_file_counted_for_the_copier(world, media):
    s = space_of(world, "class")
    d = document(world.teacher, s, content=b"contenu")
    mine = actions.open_space(actor=actor(world.pupil), kind="personal")
    copy = actions.copy_document(actor=actor(world.pupil), document=d, space=mine, folder=None)
    assert copy.owner == world.pupil
    assert copy.current_version.file.name != d.current_version.file.name
    assert queries.open_current_version(copy).read() == b"contenu"
    assert queries.storage_used_by(actor(world.pupil)) == 7
    with pytest.raises(PermissionDenied):  # a pupil reads the class space, cannot add to it
        actions.copy_document(actor=actor(world.pupil), document=d, space=s, folder=None)


def test_comments_need_the_comment_right(world):
    s = space_of(world, "class")
    d = document(world.teacher, s)
    with pytest.raises(PermissionDenied):
        actions.add_comment(actor=actor(world.pupil), document=d, text="Merci")
    actions.add_comment(actor=actor(world.teacher), document=d, text="Lire pour lundi")
    assert [c.text for c in queries.comments_of(d)] == ["Lire pour lundi"]


def test_sharing_notifies_people_and_audiences(world):
    from preau.messaging.actions import target_for_key

    mine = space_of(world, "personal")
    d = document(world.teacher, mine)
    target = target_for_key(actor=actor(world.teacher), key=f"class_pupils:{world.class_a.pk}")
    actions.share_item(
        actor=actor(world.teacher),
        item=d,
        right=1,
        people=[world.teacher_b.pk],
        targets=[(target, "6e A")],
    )
    kinds = Notification.objects.filter(kind="documents.shared")
    assert kinds.filter(recipient=world.teacher_b).count() == 1
    assert kinds.filter(audience__isnull=False).count() == 1
    assert kinds.first().url == f"/documents/files/{d.pk}/"


def test_thumbnails_of_images_and_pdfs(world, media, django_capture_on_commit_callbacks):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 400), "red").save(buffer, format="PNG")
    s = space_of(world, "personal")
    with django_capture_on_commit_callbacks(execute=True):
        img = document(world.teacher, s, name="photo.png", content=buffer.getvalue())
        pdf = document(world.teacher, s, name="cours.pdf", content=_pdf())
        txt = document(world.teacher, s)
    for d, expected in ((img, True), (pdf, True), (txt, False)):
        v = Version.objects.get(pk=d.current_version_id)
        assert bool(v.thumbnail) is expected, d.name
    thumb = Image.open(Version.objects.get(pk=img.current_version_id).thumbnail.open("rb"))
    assert max(thumb.size) <= 320


def _pdf() -> bytes:
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(200, 100)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_public_links(world, settings):
    d = document(world.teacher, space_of(world, "personal"))
    with pytest.raises(ValidationError):
        actions.create_public_link(actor=actor(world.teacher), document=d, days=99)
    link = actions.create_public_link(actor=actor(world.teacher), document=d, days=3)
    assert actions.public_document(tenant_id=world.tenant.pk, token=link.token) == d
    assert actions.public_document(tenant_id=world.other_tenant.pk, token=link.token) is None
    link.expires_at = timezone.now() - dt.timedelta(seconds=1)
    link.save()
    assert actions.public_document(tenant_id=world.tenant.pk, token=link.token) is None


def test_spaces_are_created_when_first_opened_and_only_by_who_may_read(world):
    from preau.documents.models import Space

    with pytest.raises(PermissionDenied):
        actions.open_space(actor=actor(world.pupil_b), kind="class", ref_id=world.class_a.pk)
    with pytest.raises(PermissionDenied):
        actions.open_space(actor=actor(world.foreign_admin), kind="class", ref_id=world.class_a.pk)
    assert not Space.objects.exists()
    s = actions.open_space(actor=actor(world.pupil), kind="class", ref_id=world.class_a.pk)
    again = actions.open_space(actor=actor(world.teacher), kind="class", ref_id=world.class_a.pk)
    assert s == again
    assert s.school == world.school
