"""The rights matrix: what each space gives each profile, what shares add, inheritance to
sub-folders and files, revocation, and nothing across schools and tenants."""

from __future__ import annotations

import pytest
from django.http import Http404

from preau.documents import actions, queries
from preau.documents.models import Right, Share
from preau.documents.permissions import Perm, policy, right_on
from preau.documents.tests.factories import actor, document, folder, space_of

pytestmark = pytest.mark.django_db

N = 0
R, C, W, M, P = Right.READ, Right.COMMENT, Right.CONTRIBUTE, Right.MANAGE, Right.PUBLISH

SPACE_MATRIX = {
    # person: (class 6e A, group Latin, school, personal space of the teacher)
    "pupil": (R, R, R, N),
    "pupil_b": (N, R, R, N),
    "guardian": (N, N, R, N),
    "teacher": (W, N, R, P),
    "teacher_b": (N, W, R, N),
    "staff": (W, W, W, N),
    "admin": (M, M, M, N),
    "authority_admin": (M, M, M, N),
    "other_teacher": (N, N, N, N),
    "other_admin": (N, N, N, N),
    "operator": (N, N, N, N),
    "foreign_admin": (N, N, N, N),
}


@pytest.mark.parametrize("who", SPACE_MATRIX)
def test_what_each_space_gives_each_profile(world, who):
    person = getattr(world, who)
    spaces = [space_of(world, k) for k in ("class", "group", "school", "personal")]
    got = tuple(right_on(actor(person), s) for s in spaces)
    assert got == SPACE_MATRIX[who]


PERMS = {Perm.READ: R, Perm.COMMENT: C, Perm.CONTRIBUTE: W, Perm.MANAGE: M, Perm.PUBLISH: P}


@pytest.mark.parametrize("given", [R, C, W, M, P])
def test_each_right_allows_its_perms_and_those_below_inherited_down(world, given):
    """A share of `given` on a folder of the teacher's space, to another teacher: each perm is
    allowed exactly when the right is high enough, on the folder, a sub-folder and a file in it."""
    mine = space_of(world, "personal")
    top = folder(world.teacher, mine, "Cours")
    sub = folder(world.teacher, mine, "Chapitre 1", parent=top)
    file = document(world.teacher, mine, sub)
    outside = document(world.teacher, mine, name="ailleurs.txt")
    actions.share_item(
        actor=actor(world.teacher), item=top, right=given, people=[world.teacher_b.pk]
    )
    them = actor(world.teacher_b)
    for item in (top, sub, file):
        for perm, needed in PERMS.items():
            fresh = type(item).objects.get(pk=item.pk)
            assert policy.can(them, perm, fresh) is (given >= needed), (item, perm, given)
    assert not policy.can(them, Perm.READ, outside)


def test_edit_is_manage_or_contribute_on_ones_own(world):
    s = space_of(world, "class")
    mine = document(world.teacher, s)
    theirs = document(world.staff, s)
    assert policy.can(actor(world.teacher), Perm.EDIT, mine)
    assert not policy.can(actor(world.teacher), Perm.EDIT, theirs)
    assert policy.can(actor(world.admin), Perm.EDIT, mine)
    assert not policy.can(actor(world.pupil), Perm.EDIT, mine)


def test_a_share_to_an_audience_reaches_its_members(world):
    from preau.messaging.actions import target_for_key

    mine = space_of(world, "personal")
    top = folder(world.teacher, mine, "Pour la 6e A")
    file = document(world.teacher, mine, top)
    target = target_for_key(actor=actor(world.teacher), key=f"class_pupils:{world.class_a.pk}")
    actions.share_item(actor=actor(world.teacher), item=top, right=R, targets=[(target, "6e A")])
    assert queries.access_document(actor(world.pupil), file.pk) == file
    with pytest.raises(Http404):
        queries.access_document(actor(world.pupil_b), file.pk)
    assert [s.folder_id for s in queries.shared_with(actor(world.pupil))] == [top.pk]


def test_revoking_a_share_takes_the_right_back_below(world):
    mine = space_of(world, "personal")
    top = folder(world.teacher, mine, "Cours")
    file = document(world.teacher, mine, folder(world.teacher, mine, "Sub", parent=top))
    share = actions.share_item(
        actor=actor(world.teacher), item=top, right=W, people=[world.teacher_b.pk]
    )[0]
    assert queries.access_document(actor(world.teacher_b), file.pk)
    actions.revoke_share(actor=actor(world.teacher), share=share)
    assert not Share.objects.exists()
    with pytest.raises(Http404):
        queries.access_document(actor(world.teacher_b), file.pk)


def test_rights_add_up_the_highest_wins(world):
    mine = space_of(world, "personal")
    top = folder(world.teacher, mine, "Cours")
    sub = folder(world.teacher, mine, "Sub", parent=top)
    actions.share_item(actor=actor(world.teacher), item=top, right=R, people=[world.teacher_b.pk])
    actions.share_item(actor=actor(world.teacher), item=sub, right=M, people=[world.teacher_b.pk])
    assert right_on(actor(world.teacher_b), type(top).objects.get(pk=top.pk)) == R
    assert right_on(actor(world.teacher_b), type(sub).objects.get(pk=sub.pk)) == M


def test_nobody_gives_more_than_they_hold_or_to_people_they_may_not_see(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    s = space_of(world, "class")
    file = document(world.admin, s)
    with pytest.raises(ValidationError) as exc:
        actions.share_item(actor=actor(world.admin), item=file, right=P, people=[world.teacher.pk])
    assert exc.value.error_dict["right"][0].code == "bad_right"
    with pytest.raises(ValidationError) as exc:
        actions.share_item(
            actor=actor(world.admin), item=file, right=R, people=[world.foreign_pupil.pk]
        )
    assert exc.value.error_dict["people"][0].code == "recipient_refused"
    with pytest.raises(PermissionDenied):
        actions.share_item(actor=actor(world.teacher), item=file, right=R, people=[world.pupil.pk])
    assert not Share.objects.exists()


def test_a_teacher_may_not_share_with_a_class_they_do_not_teach(world):
    from django.core.exceptions import ValidationError

    from preau.messaging.actions import target_for_key

    mine = space_of(world, "personal")
    file = document(world.teacher, mine)
    target = target_for_key(actor=actor(world.teacher), key=f"class_pupils:{world.class_b.pk}")
    with pytest.raises(ValidationError) as exc:
        actions.share_item(
            actor=actor(world.teacher), item=file, right=R, targets=[(target, "6e B")]
        )
    assert exc.value.error_dict["audiences"][0].code == "audience_refused"
    assert not Share.objects.exists()


def test_public_links_are_off_for_pupils_unless_the_tenant_allows(world):
    s = actions.open_space(actor=actor(world.pupil), kind="personal")
    file = document(world.pupil, s)
    assert right_on(actor(world.pupil), file) == P
    assert not policy.can(actor(world.pupil), Perm.PUBLISH, file)
    world.tenant.options = {"public_links_for_pupils": True}
    world.tenant.save()
    assert policy.can(actor(world.pupil), Perm.PUBLISH, type(file).objects.get(pk=file.pk))


@pytest.mark.parametrize("who", ["other_admin", "other_teacher", "foreign_admin", "pupil_b"])
def test_other_schools_and_tenants_get_404(world, who):
    s = space_of(world, "class")
    top = folder(world.teacher, s, "Cours")
    file = document(world.teacher, s, top)
    them = actor(getattr(world, who))
    with pytest.raises(Http404):
        queries.access_space(them, s.pk)
    with pytest.raises(Http404):
        queries.access_folder(them, top.pk)
    with pytest.raises(Http404):
        queries.access_document(them, file.pk)
