"""The documents API for folders and organising: create, rename, move, copy, trash and
restore folders and files, what is shared with me; the same refusals as the rest of the API;
isolation (another school's or tenant's ids answer 404 and change nothing)."""

from __future__ import annotations

import pytest

from preau.documents import actions
from preau.documents.models import Document, Folder, Share, Space
from preau.documents.tests.factories import actor, document, folder, space_of

pytestmark = pytest.mark.django_db

BASE = "/api/v1/documents"
JSON = "application/json"


@pytest.fixture
def tree(world):
    s = space_of(world, "class")
    top = folder(world.teacher, s, "Cours")
    sub = folder(world.teacher, s, "Chapitre 1", parent=top)
    d = document(world.teacher, s, sub, name="plan.txt", content=b"Plan")
    return s, top, sub, d


def test_create_rename_trash_and_restore_a_folder(world, client_for, tree):
    s, top, _sub, _d = tree
    c = client_for(world.teacher)
    created = c.post(
        f"{BASE}/spaces/{s.pk}/folders", {"name": "Devoirs", "parent": top.pk}, content_type=JSON
    )
    assert created.status_code == 201, created.content
    made = created.json()
    assert (made["name"], made["parent_id"], made["space_id"]) == ("Devoirs", top.pk, s.pk)
    renamed = c.post(
        f"{BASE}/folders/{made['id']}/rename", {"name": "Devoirs maison"}, content_type=JSON
    )
    assert renamed.json()["name"] == "Devoirs maison"
    empty = c.post(f"{BASE}/folders/{made['id']}/rename", {"name": "  "}, content_type=JSON)
    assert empty.status_code == 422
    assert empty.json()["code"] == "name"
    assert c.post(f"{BASE}/folders/{top.pk}/trash").json()["in_trash"] is True
    assert c.get(f"{BASE}/folders/{top.pk}").status_code == 404
    assert Document.objects.get().trashed_at is not None  # went in with its folder
    assert c.post(f"{BASE}/folders/{top.pk}/restore").json()["in_trash"] is False
    assert Document.objects.get().trashed_at is None
    refused = client_for(world.pupil).post(
        f"{BASE}/spaces/{s.pk}/folders", {"name": "Moi"}, content_type=JSON
    )
    assert refused.status_code == 404  # reads, adds nothing
    assert not Folder.objects.filter(name="Moi").exists()


def test_rename_move_and_copy_a_file_across_spaces(world, client_for, tree):
    s, top, _sub, d = tree
    c = client_for(world.admin)
    assert (
        c.post(f"{BASE}/files/{d.pk}/rename", {"name": "plan-v2.txt"}, content_type=JSON).json()[
            "name"
        ]
        == "plan-v2.txt"
    )
    school = space_of(world, "school")
    moved = c.post(f"{BASE}/files/{d.pk}/move", {"space": school.pk}, content_type=JSON)
    assert moved.status_code == 200, moved.content
    assert (moved.json()["space_id"], moved.json()["folder_id"]) == (school.pk, None)
    back = c.post(f"{BASE}/files/{d.pk}/move", {"folder": top.pk}, content_type=JSON)
    assert (back.json()["space_id"], back.json()["folder_id"]) == (s.pk, top.pk)
    mine = actions.open_space(actor=actor(world.admin), kind="personal")
    copied = c.post(f"{BASE}/files/{d.pk}/copy", {"space": mine.pk}, content_type=JSON)
    assert copied.status_code == 201
    assert copied.json()["space_id"] == mine.pk
    assert copied.json()["id"] != d.pk
    mismatch = c.post(
        f"{BASE}/files/{d.pk}/move", {"space": mine.pk, "folder": top.pk}, content_type=JSON
    )
    assert mismatch.status_code == 404


def test_move_and_copy_a_folder_with_its_subtree(world, client_for, tree):
    _s, top, sub, _d = tree
    c = client_for(world.admin)
    school = space_of(world, "school")
    moved = c.post(f"{BASE}/folders/{top.pk}/move", {"space": school.pk}, content_type=JSON)
    assert moved.status_code == 200
    sub.refresh_from_db()
    assert (sub.space_id, sub.path) == (school.pk, f"/{top.pk}/{sub.pk}/")
    cycle = c.post(f"{BASE}/folders/{top.pk}/move", {"folder": sub.pk}, content_type=JSON)
    assert cycle.status_code == 422
    assert cycle.json()["code"] == "cycle"
    copied = c.post(f"{BASE}/folders/{top.pk}/copy", {}, content_type=JSON)
    assert copied.status_code == 201
    assert Folder.objects.filter(space=school, name="Chapitre 1").count() == 2
    assert Document.objects.filter(space=school, name="plan.txt").count() == 2


def test_a_copy_beyond_the_quota_is_413_and_stores_nothing(world, client_for, tree):
    _s, top, _sub, _d = tree
    world.tenant.options = {"documents_quota_pupil": 2}
    world.tenant.save()
    mine = actions.open_space(actor=actor(world.pupil), kind="personal")
    refused = client_for(world.pupil).post(
        f"{BASE}/folders/{top.pk}/copy", {"space": mine.pk}, content_type=JSON
    )
    assert refused.status_code == 413
    assert refused.json()["code"] == "quota"
    assert not Folder.objects.filter(space=mine).exists()


def test_what_is_shared_with_me_by_pages(world, client_for, tree):
    _s, top, _sub, d = tree
    admin = actor(world.admin)
    actions.share_item(actor=admin, item=top, right=3, people=[world.teacher_b.pk])
    actions.share_item(actor=admin, item=d, right=1, people=[world.teacher_b.pk])
    c = client_for(world.teacher_b)
    first = c.get(f"{BASE}/shared").json()
    assert [(i["kind"], i["name"], i["right"]) for i in first["items"]] == [
        ("file", "plan.txt", "read"),
        ("folder", "Cours", "contribute"),
    ]
    assert first["items"][0]["shared_by"]["full_name"] == world.admin.full_name
    assert first["next_cursor"] is None
    assert c.get(f"{BASE}/shared", {"after": "!!"}).status_code == 400
    assert client_for(world.pupil_b).get(f"{BASE}/shared").json()["items"] == []


def _state():
    return (
        list(Folder.objects.order_by("pk").values_list("name", "space_id", "path", "trashed_at")),
        list(
            Document.objects.order_by("pk").values_list(
                "name", "space_id", "folder_id", "trashed_at"
            )
        ),
        Space.objects.count(),
        Share.objects.count(),
    )


@pytest.mark.parametrize("who", ["other_admin", "foreign_admin", "pupil_b"])
def test_isolation(world, client_for, tree, who):
    s, top, _sub, d = tree
    person = getattr(world, who)
    theirs = actions.open_space(actor=actor(person), kind="personal")
    c = client_for(person)
    trashed = folder(world.teacher, s, "Vieux")
    actions.trash_item(actor=actor(world.teacher), item=trashed)
    before = _state()
    posts = [
        (f"{BASE}/spaces/{s.pk}/folders", {"name": "X"}),
        (f"{BASE}/spaces/{theirs.pk}/folders", {"name": "X", "parent": top.pk}),
        (f"{BASE}/folders/{top.pk}/rename", {"name": "X"}),
        (f"{BASE}/files/{d.pk}/rename", {"name": "X"}),
        (f"{BASE}/folders/{top.pk}/move", {"space": theirs.pk}),
        (f"{BASE}/folders/{top.pk}/copy", {"space": theirs.pk}),
        (f"{BASE}/files/{d.pk}/move", {"space": theirs.pk}),
        (f"{BASE}/files/{d.pk}/copy", {"space": theirs.pk}),
        (f"{BASE}/folders/{top.pk}/trash", {}),
        (f"{BASE}/folders/{trashed.pk}/restore", {}),
    ]
    for url, data in posts:
        response = c.post(url, data, content_type=JSON)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    assert c.get(f"{BASE}/folders/{top.pk}").status_code == 404
    assert _state() == before
