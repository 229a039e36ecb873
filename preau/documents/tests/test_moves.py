"""Moving and copying between spaces: the rights (manage the source to move it, read it to
copy it, contribute to the target), a folder's whole subtree, the quota of copies (nothing
stored when refused), inherited shares left behind, audit entries, the pages' forms, and
isolation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from preau.core.models import AuditEntry
from preau.documents import actions, queries
from preau.documents.models import Document, Folder, Space, Version
from preau.documents.permissions import Perm, policy
from preau.documents.tests.conftest import stored_files
from preau.documents.tests.factories import actor, document, folder, space_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(world):
    """The class space: Cours/ (plan.txt) and Cours/Chapitre 1/ (exercice.txt, corrigé.txt)."""
    s = space_of(world, "class")
    top = folder(world.teacher, s, "Cours")
    sub = folder(world.teacher, s, "Chapitre 1", parent=top)
    exercise = document(world.teacher, s, sub, name="exercice.txt", content=b"Exercice 1")
    document(world.teacher, s, sub, name="corrige.txt", content=b"Corrige")
    plan = document(world.teacher, s, top, name="plan.txt", content=b"Plan")
    return s, top, sub, exercise, plan


def test_a_folder_moves_to_another_space_with_its_whole_subtree(world, tree):
    s, top, sub, exercise, _plan = tree
    admin = actor(world.admin)
    school = space_of(world, "school")
    into = folder(world.admin, school, "Archives")
    actions.move_item(actor=admin, item=top, to=into)
    moved = {f.pk: f for f in Folder.objects.filter(pk__in=[top.pk, sub.pk])}
    assert moved[top.pk].space_id == moved[sub.pk].space_id == school.pk
    assert moved[top.pk].parent_id == into.pk
    assert moved[top.pk].path == f"{into.path}{top.pk}/"
    assert moved[sub.pk].path == f"{into.path}{top.pk}/{sub.pk}/"
    assert set(Document.objects.values_list("space_id", flat=True)) == {school.pk}
    assert list(queries.ancestors_of(moved[sub.pk])) == [into, moved[top.pk], moved[sub.pk]]
    assert not queries.subfolders(s, None).exists()
    entry = AuditEntry.objects.filter(action="documents.moved").latest("pk")
    assert entry.data == {"to": into.pk, "space": school.pk, "from_space": s.pk}
    # the pupils of the class no longer read it; the school's members do
    assert not policy.can(actor(world.other_pupil), Perm.READ, moved[sub.pk])
    assert policy.can(actor(world.pupil_b), Perm.READ, Document.objects.get(pk=exercise.pk))


def test_a_file_moves_to_the_top_of_one_s_own_space(world, tree):
    _s, _top, _sub, _exercise, plan = tree
    admin = actor(world.admin)
    mine = actions.open_space(actor=admin, kind="personal")
    actions.move_item(actor=admin, item=plan, to=None, space=mine)
    plan.refresh_from_db()
    assert (plan.space_id, plan.folder_id) == (mine.pk, None)
    assert not policy.can(actor(world.pupil), Perm.READ, plan)


def test_moving_to_another_space_needs_manage_on_the_source(world, tree):
    """The teacher contributes to the class space (and owns the files) but does not manage
    it: moving out of it is refused; inside it, moving one's own file is allowed."""
    s, top, _sub, _exercise, plan = tree
    teacher = actor(world.teacher)
    mine = actions.open_space(actor=teacher, kind="personal")
    with pytest.raises(PermissionDenied):
        actions.move_item(actor=teacher, item=plan, to=None, space=mine)
    with pytest.raises(PermissionDenied):
        actions.move_item(actor=teacher, item=top, to=None, space=mine)
    plan.refresh_from_db()
    assert plan.space_id == s.pk
    actions.move_item(actor=teacher, item=plan, to=None)  # within the space: EDIT is enough
    plan.refresh_from_db()
    assert (plan.space_id, plan.folder_id) == (s.pk, None)


def test_moving_needs_to_contribute_to_the_target(world, tree):
    _s, _top, _sub, _exercise, _plan = tree
    teacher = actor(world.teacher)
    mine = actions.open_space(actor=teacher, kind="personal")
    own = document(world.teacher, mine, name="perso.txt")
    class_b = actions.open_space(actor=actor(world.admin), kind="class", ref_id=world.class_b.pk)
    with pytest.raises(PermissionDenied):  # he does not teach the 6e B
        actions.move_item(actor=teacher, item=own, to=None, space=class_b)
    other = actions.open_space(
        actor=actor(world.other_admin), kind="school", ref_id=world.other_school.pk
    )
    with pytest.raises(PermissionDenied):
        actions.move_item(actor=teacher, item=own, to=None, space=other)
    own.refresh_from_db()
    assert own.space_id == mine.pk
    class_a = space_of(world, "class")
    actions.move_item(actor=teacher, item=own, to=None, space=class_a)  # he teaches the 6e A
    own.refresh_from_db()
    assert own.space_id == class_a.pk


def test_inherited_shares_are_left_behind_explicit_ones_stay(world, tree):
    _s, top, sub, exercise, _plan = tree
    admin = actor(world.admin)
    actions.share_item(actor=admin, item=top, right=1, people=[world.pupil_b.pk])
    actions.share_item(actor=admin, item=sub, right=1, people=[world.guardian_b.pk])
    actions.share_item(actor=admin, item=exercise, right=1, people=[world.guardian.pk])
    assert policy.can(actor(world.pupil_b), Perm.READ, Document.objects.get(pk=exercise.pk))
    mine = actions.open_space(actor=admin, kind="personal")
    actions.move_item(actor=admin, item=sub, to=None, space=mine)
    moved = Document.objects.select_related("space", "folder").get(pk=exercise.pk)
    assert not policy.can(actor(world.pupil_b), Perm.READ, moved)  # came from "Cours"
    assert policy.can(actor(world.guardian_b), Perm.READ, moved)  # on the moved folder
    assert policy.can(actor(world.guardian), Perm.READ, moved)  # on the file itself


def test_a_copy_of_a_folder_copies_its_tree_for_the_copier(world, tree, media):
    s, top, sub, _exercise, _plan = tree
    pupil = actor(world.pupil)  # reads the class space, owns nothing in it
    mine = actions.open_space(actor=pupil, kind="personal")
    before = len(stored_files(media))
    copy = actions.copy_folder(actor=pupil, folder=top, space=mine, parent=None)
    folders = {f.name: f for f in Folder.objects.filter(space=mine)}
    assert set(folders) == {"Cours", "Chapitre 1"}
    assert folders["Chapitre 1"].parent_id == copy.pk
    assert folders["Chapitre 1"].path == f"/{copy.pk}/{folders['Chapitre 1'].pk}/"
    files = Document.objects.filter(space=mine).select_related("current_version", "folder")
    assert {(d.folder.name, d.name) for d in files} == {
        ("Cours", "plan.txt"),
        ("Chapitre 1", "exercice.txt"),
        ("Chapitre 1", "corrige.txt"),
    }
    assert {d.owner_id for d in files} == {world.pupil.pk}
    assert len(stored_files(media)) == before + 3  # each file stored anew
    assert queries.storage_used_by(pupil) == len(b"Exercice 1Corrige" + b"Plan")
    with files.get(name="plan.txt").current_version.file.open("rb") as content:
        assert content.read() == b"Plan"
    entry = AuditEntry.objects.get(action="documents.folder_copied")
    assert entry.data["files"] == 3
    assert entry.data["folders"] == 2
    # the original is untouched
    assert Folder.objects.filter(space=s).count() == 2
    with pytest.raises(ValidationError):
        actions.copy_folder(actor=actor(world.admin), folder=top, space=s, parent=sub)


def test_a_copy_beyond_the_quota_stores_nothing(world, tree, media):
    _s, top, _sub, exercise, _plan = tree
    world.tenant.options = {"documents_quota_pupil": 12}
    world.tenant.save()
    pupil = actor(world.pupil)
    mine = actions.open_space(actor=pupil, kind="personal")
    before = (len(stored_files(media)), Version.objects.count(), Folder.objects.count())
    with pytest.raises(ValidationError) as refused:
        actions.copy_folder(actor=pupil, folder=top, space=mine, parent=None)
    assert refused.value.error_dict["to"][0].code == "quota"
    assert (len(stored_files(media)), Version.objects.count(), Folder.objects.count()) == before
    actions.copy_document(actor=pupil, document=exercise, space=mine, folder=None)  # 10 bytes
    assert Document.objects.filter(space=mine).count() == 1


def test_copying_needs_to_read_the_source_and_contribute_to_the_target(world, tree):
    s, top, _sub, exercise, _plan = tree
    stranger = actor(world.pupil_b)
    theirs = actions.open_space(actor=stranger, kind="personal")
    with pytest.raises(PermissionDenied):
        actions.copy_folder(actor=stranger, folder=top, space=theirs, parent=None)
    with pytest.raises(PermissionDenied):
        actions.copy_document(actor=stranger, document=exercise, space=theirs, folder=None)
    with pytest.raises(PermissionDenied):  # a pupil reads the class space, adds nothing to it
        actions.copy_document(actor=actor(world.pupil), document=exercise, space=s, folder=None)
    assert Document.objects.count() == 3


# --- the pages ------------------------------------------------------------------------------


def test_the_forms_offer_the_spaces_one_may_contribute_to(world, client_for, tree):
    s, top, _sub, exercise, _plan = tree
    school = space_of(world, "school")
    class_b = actions.open_space(actor=actor(world.admin), kind="class", ref_id=world.class_b.pk)
    c = client_for(world.teacher)
    html = c.get(f"/documents/files/{exercise.pk}/").content.decode()
    assert f'value="space:{s.pk}"' in html
    assert f'value="folder:{top.pk}"' in html
    assert 'value="personal"' in html  # not opened yet: created when chosen
    assert f'value="space:{school.pk}"' not in html  # he reads the school space only
    assert f'value="space:{class_b.pk}"' not in html
    admin_html = client_for(world.admin).get(f"/documents/folders/{top.pk}/").content.decode()
    assert f'value="space:{school.pk}"' in admin_html
    assert f'value="space:{class_b.pk}"' in admin_html


def test_moving_and_copying_from_the_pages(world, client_for, tree):
    _s, top, sub, _exercise, plan = tree
    school = space_of(world, "school")
    c = client_for(world.admin)
    moved = c.post(f"/documents/folders/{sub.pk}/move", {"to": f"space:{school.pk}"})
    assert moved.status_code == 302
    sub.refresh_from_db()
    assert (sub.space_id, sub.parent_id, sub.path) == (school.pk, None, f"/{sub.pk}/")
    copied = c.post(f"/documents/files/{plan.pk}/copy", {"to": "personal"})
    mine = Space.objects.get(kind="personal", owner=world.admin)
    copy = Document.objects.get(space=mine)
    assert copied["Location"] == f"/documents/files/{copy.pk}/"
    folder_copy = c.post(f"/documents/folders/{top.pk}/copy", {"to": f"space:{mine.pk}"})
    assert folder_copy.status_code == 302
    assert Folder.objects.filter(space=mine, name="Cours").exists()


def test_a_quota_refusal_on_the_page_says_why_and_stores_nothing(world, client_for, tree, media):
    _s, top, *_ = tree
    world.tenant.options = {"documents_quota_pupil": 5}
    world.tenant.save()
    c = client_for(world.pupil)
    before = len(stored_files(media))
    response = c.post(f"/documents/folders/{top.pk}/copy", {"to": "personal"}, follow=True)
    assert "quota" in response.content.decode()
    assert len(stored_files(media)) == before
    assert not Folder.objects.filter(space__kind="personal").exists()


@pytest.mark.parametrize("target", ["other_school", "foreign"])
def test_another_school_s_or_tenant_s_target_answers_404_and_changes_nothing(
    world, client_for, tree, target
):
    _s, top, _sub, exercise, _plan = tree
    if target == "foreign":
        owner = world.foreign_admin
        space = actions.open_space(
            actor=actor(owner), kind="school", ref_id=world.foreign_school.pk
        )
    else:
        owner = world.other_admin
        space = actions.open_space(actor=actor(owner), kind="school", ref_id=world.other_school.pk)
    there = folder(owner, space, "Ailleurs")
    c = client_for(world.admin)
    before = list(Document.objects.values_list("pk", "space_id", "folder_id"))
    folders = list(Folder.objects.values_list("pk", "space_id", "path"))
    for verb in ("move", "copy"):
        for to in (f"space:{space.pk}", f"folder:{there.pk}", str(there.pk)):
            assert c.post(f"/documents/files/{exercise.pk}/{verb}", {"to": to}).status_code == 404
            assert c.post(f"/documents/folders/{top.pk}/{verb}", {"to": to}).status_code == 404
    assert list(Document.objects.values_list("pk", "space_id", "folder_id")) == before
    assert list(Folder.objects.values_list("pk", "space_id", "path")) == folders
