"""Avatar serving: the file through Django, only to people who share a school with its owner."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from preau.directory.queries import build_actor
from preau.portal.actions import set_avatar
from preau.portal.tests.factories import picture_bytes


@pytest.fixture
def pupil_with_avatar(world, media):
    actor = build_actor(world.pupil, tenant=world.tenant)
    set_avatar(actor=actor, upload=SimpleUploadedFile("a.png", picture_bytes("PNG")))
    world.pupil.refresh_from_db()
    return world.pupil


def url(person):
    return f"/people/{person.pk}/avatar"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("pupil", 200),  # themself
        ("pupil2", 200),  # classmate
        ("pupil_b", 200),  # another class of the same school
        ("guardian", 200),
        ("teacher_b", 200),
        ("admin", 200),  # school administrator
        ("authority_admin", 200),  # administers the school through the authority
        ("operator", 200),
        ("other_pupil", 404),  # another school of the same tenant
        ("other_teacher", 404),
        ("other_admin", 404),
        ("foreign_pupil", 404),  # the other tenant
        ("foreign_admin", 404),
    ],
)
def test_avatar_permission_matrix(world, client_for, pupil_with_avatar, who, status):
    response = client_for(getattr(world, who)).get(url(pupil_with_avatar))
    assert response.status_code == status


def test_avatar_headers(world, client_for, pupil_with_avatar):
    response = client_for(world.pupil2).get(url(pupil_with_avatar))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert response["Cache-Control"] == "private, max-age=3600"
    content = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (256, 256)


def test_other_tenant_session_on_this_host_gets_404(world, client_for, pupil_with_avatar):
    client = client_for(world.foreign_admin)
    response = client.get(url(pupil_with_avatar), HTTP_HOST="testserver")
    assert response.status_code == 404


def test_anonymous_gets_404(world, client, pupil_with_avatar):
    assert client.get(url(pupil_with_avatar)).status_code == 404


def test_no_avatar_is_404(world, client_for, media):
    assert client_for(world.pupil).get(url(world.pupil2)).status_code == 404
    assert client_for(world.pupil).get("/people/999999/avatar").status_code == 404


def test_missing_file_is_404(world, client_for, pupil_with_avatar, media):
    (media / pupil_with_avatar.avatar.name).unlink()
    assert client_for(world.pupil).get(url(pupil_with_avatar)).status_code == 404


def test_avatar_is_served_in_a_fixed_number_of_queries(
    world, client_for, pupil_with_avatar, django_assert_num_queries
):
    client = client_for(world.pupil2)
    client.get("/")
    # Session, person, the actor's memberships and authority rows, then the avatar's owner.
    with django_assert_num_queries(5):
        assert client.get(url(pupil_with_avatar)).status_code == 200
