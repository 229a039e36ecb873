"""The portal's actions called directly (as the API will): checks, writes, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from preau.core.actor import Actor
from preau.core.models import AuditEntry
from preau.core.permissions import require
from preau.directory.models import Person
from preau.directory.queries import build_actor
from preau.portal.actions import remove_avatar, set_avatar, update_profile
from preau.portal.permissions import Perm, policy
from preau.portal.tests.factories import picture_bytes


def actor_of(person):
    return build_actor(person, tenant=person.tenant)


def test_update_profile_changes_only_what_is_given(world):
    update_profile(actor=actor_of(world.teacher), mobile=" 06 98 76 54 32 ")
    person = Person.objects.get(pk=world.teacher.pk)
    assert person.mobile == "06 98 76 54 32"
    assert person.email == "paul.durand@example.org"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.data, entry.school_id) == (
        "profile.update",
        {"fields": ["mobile"]},
        world.school.pk,
    )


def test_update_profile_refuses_bad_values_by_field(world):
    with pytest.raises(ValidationError) as exc:
        update_profile(
            actor=actor_of(world.teacher),
            email="nope",
            phone_visibility="world",
            language="de",
            address="x" * 251,
        )
    assert set(exc.value.message_dict) == {"email", "phone_visibility", "language", "address"}
    assert not AuditEntry.objects.exists()


def test_one_edits_only_ones_own_profile(world):
    forged = Actor(person=world.foreign_pupil, tenant=world.tenant)
    with pytest.raises(PermissionDenied):
        update_profile(actor=forged, phone="0102030405")
    assert not policy.can(actor_of(world.pupil), Perm.EDIT_PROFILE, world.pupil2)
    assert policy.can(actor_of(world.pupil), Perm.EDIT_PROFILE, world.pupil)


def test_set_avatar_refuses_a_non_picture(world, media):
    with pytest.raises(ValidationError) as exc:
        set_avatar(actor=actor_of(world.pupil), upload=SimpleUploadedFile("x.png", b"x" * 100))
    assert "avatar" in exc.value.message_dict
    assert not Person.objects.get(pk=world.pupil.pk).avatar


def test_set_and_remove_avatar_are_audited(world, media):
    actor = actor_of(world.pupil)
    set_avatar(actor=actor, upload=SimpleUploadedFile("x.png", picture_bytes()))
    remove_avatar(actor=actor)
    assert list(AuditEntry.objects.order_by("id").values_list("action", "subject_id")) == [
        ("profile.avatar_set", world.pupil.pk),
        ("profile.avatar_remove", world.pupil.pk),
    ]


def test_view_avatar_policy(world):
    assert policy.can(actor_of(world.pupil2), Perm.VIEW_AVATAR, world.pupil)
    assert not policy.can(actor_of(world.other_pupil), Perm.VIEW_AVATAR, world.pupil)
    assert not policy.can(actor_of(world.foreign_admin), Perm.VIEW_AVATAR, world.pupil)
    assert not policy.can(actor_of(world.pupil), "portal.unknown", world.pupil)


def test_require_refuses_someone_elses_profile(world):
    actor = actor_of(world.pupil)
    with pytest.raises(PermissionDenied):
        require(policy, actor, Perm.EDIT_PROFILE, world.pupil2)


def test_update_profile_stores_the_email_lower_case(world):
    from preau.directory.queries import build_actor
    from preau.portal.actions import update_profile

    person = update_profile(
        actor=build_actor(world.pupil, tenant=world.tenant), email="Lea.Martin@Example.ORG"
    )
    assert person.email == "lea.martin@example.org"
