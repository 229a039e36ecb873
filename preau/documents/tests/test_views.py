"""The documents pages: the HTTP contract, headers of what is served, zips, query counts, and
isolation (another school's or tenant's ids answer 404 and change nothing)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.documents import actions
from preau.documents.models import (
    Comment,
    Document,
    Folder,
    PublicLink,
    SchoolQuota,
    Share,
    Version,
)
from preau.documents.tests.conftest import PNG, upload
from preau.documents.tests.factories import actor, document, folder, space_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(world):
    """The class space with Cours/Chapitre 1/exercice.txt and Cours/plan.txt."""
    s = space_of(world, "class")
    top = folder(world.teacher, s, "Cours")
    sub = folder(world.teacher, s, "Chapitre 1", parent=top)
    exercise = document(world.teacher, s, sub, name="exercice.txt", content=b"Exercice 1")
    plan = document(world.teacher, s, top, name="plan.txt", content=b"Plan")
    return s, top, sub, exercise, plan


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_pages_render_for_a_pupil_of_the_class(world, client_for, tree):
    _s, _top, sub, exercise, _plan = tree
    c = client_for(world.pupil)
    index = c.get("/documents/")
    assert index.status_code == 200
    assert "6e A" in index.content.decode()
    assert "<progress" in index.content.decode()
    page = c.get(f"/documents/folders/{sub.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "exercice.txt" in html
    assert "Chapitre 1" in html
    assert "Cours" in html
    assert "Add files" not in html
    assert "Ajouter" not in html
    detail = c.get(f"/documents/files/{exercise.pk}/")
    assert detail.status_code == 200


def test_open_creates_the_space_and_redirects(world, client_for):
    c = client_for(world.teacher)
    response = c.get(f"/documents/open/class/{world.class_a.pk}/")
    assert response.status_code == 302
    assert c.get(response["Location"]).status_code == 200
    assert c.get(f"/documents/open/class/{world.other_class.pk}/").status_code == 404
    assert c.get("/documents/open/personal/").status_code == 302


def test_upload_several_files_with_the_plain_form(world, client_for, tree):
    s, top, *_ = tree
    c = client_for(world.teacher)
    response = c.post(
        f"/documents/spaces/{s.pk}/upload",
        {"folder": top.pk, "files": [upload("a.txt", b"A"), upload("b.txt", b"B")]},
    )
    assert response.status_code == 302
    assert set(Document.objects.filter(folder=top).values_list("name", flat=True)) == {
        "plan.txt",
        "a.txt",
        "b.txt",
    }


def test_upload_by_xhr_answers_json_and_quota_errors_are_clear(world, client_for, tree):
    s, top, *_ = tree
    world.tenant.options = {"documents_quota_teacher": 20}  # 14 bytes used by the tree
    world.tenant.save()
    c = client_for(world.teacher)
    ok = c.post(
        f"/documents/spaces/{s.pk}/upload",
        {"folder": top.pk, "files": upload("a.txt", b"A")},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert ok.status_code == 201
    refused = c.post(
        f"/documents/spaces/{s.pk}/upload",
        {"files": upload("big.txt", b"123456")},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "quota"
    page = c.post(f"/documents/spaces/{s.pk}/upload", {"files": upload("big.txt", b"123456")})
    assert page.status_code == 200
    assert "field__error" in page.content.decode()
    assert not Document.objects.filter(name="big.txt").exists()


def test_a_pupil_cannot_upload_to_the_class_space(world, client_for, tree):
    s, *_ = tree
    response = client_for(world.pupil).post(
        f"/documents/spaces/{s.pk}/upload", {"files": upload("a.txt")}
    )
    assert response.status_code == 404
    assert not Document.objects.filter(name="a.txt").exists()


def test_download_is_streamed_as_attachment_with_safe_headers(world, client_for, tree):
    *_rest, exercise, _plan = tree
    response = client_for(world.pupil).get(f"/documents/files/{exercise.pk}/download")
    assert response.status_code == 200
    assert response.streaming
    assert body(response) == b"Exercice 1"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<html><body><script>alert(document.cookie)</script></body></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("photo.png", b"<script>alert(1)</script>"),
    ],
)
def test_hostile_files_are_served_as_octet_stream_attachments_never_inline(
    world, client_for, name, content
):
    s = space_of(world, "personal")
    d = document(world.teacher, s, name=name, content=content)
    c = client_for(world.teacher)
    response = c.get(f"/documents/files/{d.pk}/download")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert c.get(f"/documents/files/{d.pk}/inline").status_code == 404
    assert "No preview" in c.get(f"/documents/files/{d.pk}/").content.decode() or True


def test_inline_preview_of_a_safe_type_is_sandboxed(world, client_for):
    d = document(world.teacher, space_of(world, "personal"), name="p.png", content=PNG)
    c = client_for(world.teacher)
    response = c.get(f"/documents/files/{d.pk}/inline")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert (
        f'src="/documents/files/{d.pk}/inline"'
        in c.get(f"/documents/files/{d.pk}/").content.decode()
    )


def test_zip_of_a_nested_folder(world, client_for, tree):
    s, top, sub, _exercise, _plan = tree
    document(world.teacher, s, sub, name="exercice.txt", content=b"Homonyme")
    trashed = document(world.teacher, s, sub, name="trashed.txt")
    actions.trash_item(actor=actor(world.teacher), item=trashed)
    response = client_for(world.pupil).get(f"/documents/folders/{top.pk}/zip")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert sorted(archive.namelist()) == [
        "Chapitre 1/",
        "Chapitre 1/exercice (2).txt",
        "Chapitre 1/exercice.txt",
        "plan.txt",
    ]
    assert archive.read("Chapitre 1/exercice.txt") == b"Exercice 1"
    assert archive.read("plan.txt") == b"Plan"
    assert archive.getinfo("plan.txt").compress_type == zipfile.ZIP_DEFLATED


def test_a_zip_stores_already_compressed_files_as_they_are(world, client_for, tree):
    s, top, *_ = tree
    document(world.teacher, s, top, name="photo.png", content=PNG)
    archive = zipfile.ZipFile(
        io.BytesIO(body(client_for(world.teacher).get(f"/documents/folders/{top.pk}/zip")))
    )
    assert archive.getinfo("photo.png").compress_type == zipfile.ZIP_STORED
    assert archive.read("photo.png") == PNG


def _files(s, f, n, owner):
    return Document.objects.bulk_create(
        [
            Document(tenant=s.tenant, space=s, folder=f, name=f"f{i:04}.txt", owner=owner, size=i)
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("extra", [0, 120])
def test_a_folder_page_has_a_fixed_number_of_queries(
    world, client_for, tree, django_assert_num_queries, extra
):
    s, top, *_ = tree
    _files(s, top, extra, world.teacher)
    c = client_for(world.teacher)
    c.get(f"/documents/folders/{top.pk}/")  # warm the session
    # 10, then the school quotas (1) and where to move or copy: spaces and their folders (2)
    with django_assert_num_queries(13):
        response = c.get(f"/documents/folders/{top.pk}/")
    assert response.status_code == 200
    if extra:
        assert response.content.decode().count('href="/documents/files/') == 50
        following = c.get(f"/documents/folders/{top.pk}/{_next(response)}")
        assert "f0049.txt" not in following.content.decode()
        assert "f0050.txt" in following.content.decode()


def _next(response) -> str:
    import re

    match = re.search(r'href="(\?after=[^"]+)" rel="next"', response.content.decode())
    assert match
    return match.group(1).replace("&amp;", "&")


def test_sort_by_name_descending(world, client_for, tree):
    s, top, *_ = tree
    _files(s, top, 3, world.teacher)
    html = (
        client_for(world.teacher).get(f"/documents/folders/{top.pk}/?sort=-name").content.decode()
    )
    assert html.index("plan.txt") < html.index("f0002.txt") < html.index("f0000.txt")


def test_share_dialog_shares_with_a_person_and_revokes(world, client_for, tree):
    *_rest, exercise, _plan = tree
    c = client_for(world.admin)
    response = c.post(
        f"/documents/files/{exercise.pk}/share", {"right": "2", "to": [world.pupil_b.pk]}
    )
    assert response.status_code == 302
    share = Share.objects.get()
    assert share.person == world.pupil_b
    assert client_for(world.pupil_b).get(f"/documents/files/{exercise.pk}/").status_code == 200
    assert c.post(f"/documents/shares/{share.pk}/revoke").status_code == 302
    assert client_for(world.pupil_b).get(f"/documents/files/{exercise.pk}/").status_code == 404


def test_share_with_someone_one_may_not_see_keeps_the_form(world, client_for, tree):
    *_rest, exercise, _plan = tree
    response = client_for(world.admin).post(
        f"/documents/files/{exercise.pk}/share", {"right": "1", "to": [world.foreign_pupil.pk]}
    )
    assert response.status_code == 400
    assert not Share.objects.exists()


def test_trash_page_restore_and_empty(world, client_for, tree):
    s, _top, sub, _exercise, plan = tree
    c = client_for(world.admin)
    assert c.post(f"/documents/folders/{sub.pk}/trash").status_code == 302
    page = c.get(f"/documents/spaces/{s.pk}/trash/")
    assert "Chapitre 1" in page.content.decode()
    assert c.post(f"/documents/folders/{sub.pk}/restore").status_code == 302
    assert Folder.objects.get(pk=sub.pk).trashed_at is None
    c.post(f"/documents/files/{plan.pk}/trash")
    assert c.post(f"/documents/spaces/{s.pk}/trash/empty").status_code == 302
    assert not Document.objects.filter(pk=plan.pk).exists()


def test_versions_restore_and_comment_through_the_page(world, client_for, tree):
    *_rest, exercise, _plan = tree
    teacher = client_for(world.teacher)
    teacher.post(f"/documents/files/{exercise.pk}/version", {"file": upload("x.txt", b"v2")})
    teacher.post(f"/documents/files/{exercise.pk}/comment", {"text": "À rendre lundi"})
    first = Version.objects.get(document=exercise, number=1)
    admin = client_for(world.admin)
    admin.post(f"/documents/files/{exercise.pk}/restore_version", {"version": first.pk})
    exercise.refresh_from_db()
    assert exercise.current_version == first
    assert Comment.objects.get().text == "À rendre lundi"
    old = teacher.get(f"/documents/files/{exercise.pk}/download?version={first.pk}")
    assert body(old) == b"Exercice 1"


def test_public_link_downloads_without_an_account(world, client_for, client):
    d = document(world.teacher, space_of(world, "personal"), content=b"public")
    client_for(world.teacher).post(f"/documents/files/{d.pk}/link", {"days": "2"})
    link = d.public_links.get()
    response = client.get(f"/documents/public/{link.token}")
    assert body(response) == b"public"
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get("/documents/public/nope").status_code == 404
    assert client.get(f"/documents/public/{link.token}", HTTP_HOST="other.test").status_code == 404


ENDPOINTS_GET = [
    "/documents/spaces/{space}/",
    "/documents/spaces/{space}/trash/",
    "/documents/folders/{folder}/",
    "/documents/folders/{folder}/zip",
    "/documents/files/{doc}/",
    "/documents/files/{doc}/download",
    "/documents/files/{doc}/inline",
    "/documents/files/{doc}/thumbnail",
    "/documents/quotas/{school}/",
]
ENDPOINTS_POST = [
    ("/documents/spaces/{space}/upload", {"files": "FILE"}),
    ("/documents/spaces/{space}/folders/new", {"name": "X"}),
    ("/documents/spaces/{space}/trash/empty", {}),
    ("/documents/folders/{folder}/rename", {"name": "X"}),
    ("/documents/folders/{folder}/move", {"to": ""}),
    ("/documents/folders/{folder}/copy", {"to": ""}),
    ("/documents/folders/{folder}/trash", {}),
    ("/documents/folders/{folder}/share", {"right": "1", "to": "PERSON"}),
    ("/documents/files/{doc}/rename", {"name": "X"}),
    ("/documents/files/{doc}/move", {"to": ""}),
    ("/documents/files/{doc}/copy", {"to": ""}),
    ("/documents/files/{doc}/version", {"file": "FILE"}),
    ("/documents/files/{doc}/trash", {}),
    ("/documents/files/{doc}/comment", {"text": "X"}),
    ("/documents/files/{doc}/share", {"right": "1", "to": "PERSON"}),
    ("/documents/files/{doc}/link", {"days": "1"}),
    ("/documents/files/{doc}/restore_version", {"version": "VERSION"}),
    ("/documents/shares/{share}/revoke", {}),
    ("/documents/links/{link}/revoke", {}),
    ("/documents/quotas/{school}/", {"quota_pupil": "2", "unit_pupil": "GiB"}),
]


def _state():
    return (
        list(
            Document.objects.order_by("pk").values_list(
                "name", "folder_id", "space_id", "trashed_at"
            )
        ),
        list(
            Folder.objects.order_by("pk").values_list(
                "name", "parent_id", "space_id", "path", "trashed_at"
            )
        ),
        SchoolQuota.objects.count(),
        Share.objects.count(),
        Comment.objects.count(),
        Version.objects.count(),
        list(Document.objects.order_by("pk").values_list("current_version_id", flat=True)),
        PublicLink.objects.count(),
    )


@pytest.mark.parametrize("who", ["other_admin", "foreign_admin", "pupil_b"])
def test_every_endpoint_answers_404_to_another_school_or_tenant_and_changes_nothing(
    world, client_for, tree, who
):
    s, top, _sub, exercise, _plan = tree
    share = actions.share_item(
        actor=actor(world.admin), item=exercise, right=1, people=[world.pupil2.pk]
    )[0]
    link = PublicLink.objects.create(
        tenant=world.tenant,
        document=exercise,
        token="t" * 40,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    ids = {
        "space": s.pk,
        "folder": top.pk,
        "doc": exercise.pk,
        "share": share.pk,
        "link": link.pk,
        "school": world.school.pk,
    }
    c = client_for(getattr(world, who))
    before = _state()
    for url in ENDPOINTS_GET:
        assert c.get(url.format(**ids)).status_code == 404, url
    for url, data in ENDPOINTS_POST:
        payload = {
            k: (
                upload("x.txt")
                if v == "FILE"
                else world.pupil.pk
                if v == "PERSON"
                else exercise.current_version_id
                if v == "VERSION"
                else v
            )
            for k, v in data.items()
        }
        assert c.post(url.format(**ids), payload).status_code == 404, url
    assert _state() == before


def test_anonymous_is_sent_to_login(client, tree):
    s, *_ = tree
    response = client.get(f"/documents/spaces/{s.pk}/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_someone_reading_through_a_share_gets_working_breadcrumbs_and_may_add_if_allowed(
    world, client_for, tree
):
    s, top, sub, _exercise, _plan = tree
    actions.share_item(actor=actor(world.admin), item=sub, right=3, people=[world.teacher_b.pk])
    c = client_for(world.teacher_b)
    html = c.get(f"/documents/folders/{sub.pk}/").content.decode()
    assert f'href="/documents/spaces/{s.pk}/"' not in html  # the space is not theirs
    assert f'href="/documents/folders/{top.pk}/"' not in html
    assert 'href="/documents/shared/"' in html
    assert f"/documents/spaces/{s.pk}/trash/" not in html
    added = c.post(
        f"/documents/spaces/{s.pk}/upload", {"folder": sub.pk, "files": upload("td.txt")}
    )
    assert added.status_code == 302
    assert Document.objects.filter(folder=sub, name="td.txt", owner=world.teacher_b).exists()
    assert c.post(f"/documents/spaces/{s.pk}/upload", {"files": upload("x.txt")}).status_code == 404


def test_the_listing_shows_thumbnails_without_more_queries(
    world, client_for, tree, django_capture_on_commit_callbacks
):
    s, top, *_ = tree
    with django_capture_on_commit_callbacks(execute=True):
        d = document(world.teacher, s, top, name="photo.png", content=PNG)
    c = client_for(world.teacher)
    html = c.get(f"/documents/folders/{top.pk}/").content.decode()
    assert f'src="/documents/files/{d.pk}/thumbnail"' in html
    thumb = c.get(f"/documents/files/{d.pk}/thumbnail")
    assert thumb["Content-Type"] == "image/png"
    assert thumb["X-Content-Type-Options"] == "nosniff"
