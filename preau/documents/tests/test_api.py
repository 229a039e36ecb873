"""The documents API (/api/v1/documents/): list a folder, upload, download, share, trash and
restore; machine-readable refusals; isolation."""

from __future__ import annotations

import pytest

from preau.documents.models import Document, Share
from preau.documents.tests.conftest import upload
from preau.documents.tests.factories import document, folder, space_of

pytestmark = pytest.mark.django_db

BASE = "/api/v1/documents"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def tree(world):
    s = space_of(world, "class")
    top = folder(world.teacher, s, "Cours")
    d = document(world.teacher, s, top, name="plan.txt", content=b"Plan")
    return s, top, d


def test_open_a_space_and_list_a_folder_by_pages(world, client_for, tree):
    s, top, _d = tree
    c = client_for(world.pupil)
    opened = c.post(
        f"{BASE}/spaces",
        {"kind": "class", "ref_id": world.class_a.pk},
        content_type="application/json",
    )
    assert opened.json() == {"id": s.pk, "kind": "class", "name": "6e A"}
    root = c.get(f"{BASE}/spaces/{s.pk}/files").json()
    assert [f["name"] for f in root["folders"]] == ["Cours"]
    inside = c.get(f"{BASE}/spaces/{s.pk}/files", {"folder": top.pk}).json()
    assert [f["name"] for f in inside["files"]] == ["plan.txt"]
    assert inside["next_cursor"] is None
    bad = c.get(f"{BASE}/spaces/{s.pk}/files", {"after": "!!"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "bad_cursor"


def test_upload_download_trash_restore(world, client_for, tree):
    s, top, _d = tree
    c = client_for(world.teacher)
    created = c.post(
        f"{BASE}/spaces/{s.pk}/files?folder={top.pk}",
        {"files": [upload("a.txt", b"AAA"), upload("b.txt", b"B")]},
    )
    assert created.status_code == 201, created.content
    ids = [row["id"] for row in created.json()]
    assert [row["size"] for row in created.json()] == [3, 1]
    downloaded = c.get(f"{BASE}/files/{ids[0]}/download")
    assert body(downloaded) == b"AAA"
    assert downloaded["X-Content-Type-Options"] == "nosniff"
    assert c.post(f"{BASE}/files/{ids[0]}/trash").json()["in_trash"] is True
    assert c.get(f"{BASE}/files/{ids[0]}").status_code == 404
    assert c.post(f"{BASE}/files/{ids[0]}/restore").json()["in_trash"] is False


def test_quota_refusal_is_413_with_a_code_and_stores_nothing(world, client_for, tree):
    s, _top, _d = tree
    world.tenant.options = {"documents_quota_teacher": 5}
    world.tenant.save()
    response = client_for(world.teacher).post(
        f"{BASE}/spaces/{s.pk}/files", {"files": [upload("a.txt", b"123")]}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "quota"
    assert "quota" in response.json()["detail"]
    assert not Document.objects.filter(name="a.txt").exists()


def test_share_through_the_api(world, client_for, tree):
    _s, _top, d = tree
    c = client_for(world.admin)
    response = c.post(
        f"{BASE}/files/{d.pk}/shares",
        {"right": "comment", "people": [world.pupil_b.pk], "audiences": []},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()[0]["right"] == "comment"
    refused = c.post(
        f"{BASE}/files/{d.pk}/shares",
        {"right": "read", "people": [world.foreign_pupil.pk]},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "recipient_refused"
    assert Share.objects.count() == 1


@pytest.mark.parametrize("who", ["other_admin", "foreign_admin", "pupil_b"])
def test_isolation(world, client_for, tree, who):
    s, _top, d = tree
    c = client_for(getattr(world, who))
    assert c.get(f"{BASE}/spaces/{s.pk}/files").status_code == 404
    assert c.get(f"{BASE}/files/{d.pk}").status_code == 404
    assert c.get(f"{BASE}/files/{d.pk}/download").status_code == 404
    assert c.post(f"{BASE}/spaces/{s.pk}/files", {"files": [upload("x.txt")]}).status_code == 404
    shared = c.post(
        f"{BASE}/files/{d.pk}/shares",
        {"right": "read", "people": [world.pupil.pk]},
        content_type="application/json",
    )
    assert shared.status_code == 404
    assert shared.json()["code"] == "not_found"
    assert c.post(f"{BASE}/files/{d.pk}/trash").status_code == 404
    assert c.post(f"{BASE}/files/{d.pk}/restore").status_code == 404
    opened = c.post(
        f"{BASE}/spaces",
        {"kind": "class", "ref_id": world.class_a.pk},
        content_type="application/json",
    )
    assert opened.status_code == 404
    d.refresh_from_db()
    assert d.trashed_at is None
    assert Document.objects.count() == 1
    assert not Share.objects.exists()
