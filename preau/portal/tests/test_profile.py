"""The profile page: preferences, contact details, avatar upload and removal."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from preau.core.models import AuditEntry
from preau.directory.models import Person
from preau.portal.tests.factories import picture_bytes

URL = "/profile/"


def form_data(**overrides):
    data = {
        "language": "fr",
        "email": "lea.martin@example.org",
        "email_visibility": "staff",
        "phone": "04 72 00 00 00",
        "mobile": "06 12 34 56 78",
        "address": "3 rue de la République, 69001 Lyon",
        "phone_visibility": "private",
    }
    data.update(overrides)
    return data


def upload(content: bytes, name: str = "me.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_profile_needs_login(world, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_profile_page_shows_identity_and_schools(world, english_client_for):
    html = english_client_for(world.staff).get(URL).content.decode()
    assert "Nadia Roux" in html
    assert world.staff.login in html
    assert "Collège Victor Hugo" in html
    assert "Vie scolaire (CPE, assistants)" in html
    assert 'value="nadia.roux@example.org"' in html
    assert 'enctype="multipart/form-data"' in html


def test_update_profile_saves_and_audits(world, english_client_for):
    client = english_client_for(world.pupil)
    response = client.post(URL, form_data(language="en", phone_visibility="school"))
    assert response.status_code == 302
    person = Person.objects.get(pk=world.pupil.pk)
    assert person.email == "lea.martin@example.org"
    assert person.phone == "04 72 00 00 00"
    assert person.mobile == "06 12 34 56 78"
    assert person.address.startswith("3 rue de la République")
    assert person.email_visibility == "staff"
    assert person.phone_visibility == "school"
    entry = AuditEntry.objects.get(action="profile.update")
    assert entry.actor_id == entry.subject_id == world.pupil.pk
    assert entry.tenant_id == world.tenant.pk
    assert set(entry.data["fields"]) >= {"email", "phone", "mobile", "address", "language"}
    # Saving the same again changes nothing and writes no audit entry.
    client.post(URL, form_data(language="en", phone_visibility="school"))
    assert AuditEntry.objects.filter(action="profile.update").count() == 1


def test_language_choice_switches_the_interface(world, client_for):
    client = client_for(world.pupil)
    assert '<html lang="fr">' in client.get(URL).content.decode()
    response = client.post(URL, form_data(language="en"))
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(URL).content.decode()
    assert '<html lang="en">' in html
    assert Person.objects.get(pk=world.pupil.pk).language == "en"
    client.post(URL, form_data(language="fr"))
    assert '<html lang="fr">' in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-address"),
        ("phone", "call me maybe"),
        ("email_visibility", "everyone-on-earth"),
        ("language", "de"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_kept(world, english_client_for, field, value):
    client = english_client_for(world.pupil)
    before = Person.objects.get(pk=world.pupil.pk)
    response = client.post(URL, form_data(**{field: value}, address="12 impasse des Lilas"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<p class="field__error" id="id_{field}_error">' in html
    assert "12 impasse des Lilas" in html  # what was typed is kept
    after = Person.objects.get(pk=world.pupil.pk)
    assert (after.email, after.address, after.language, after.phone) == (
        before.email,
        before.address,
        before.language,
        before.phone,
    )
    assert not AuditEntry.objects.exists()


def test_valid_png_is_accepted_and_reencoded(world, english_client_for, media):
    client = english_client_for(world.pupil)
    data = form_data(avatar=upload(picture_bytes("PNG", (400, 300))))
    response = client.post(URL, data)
    assert response.status_code == 302
    person = Person.objects.get(pk=world.pupil.pk)
    assert person.avatar.name.startswith(f"avatars/{world.tenant.pk}/")
    assert "me" not in person.avatar.name.rsplit("/", 1)[1]  # a random name, not the upload's
    with Image.open(media / person.avatar.name) as image:
        assert image.format == "PNG"
        assert image.size == (256, 256)
    assert AuditEntry.objects.filter(action="profile.avatar_set", subject=world.pupil).exists()


def test_jpeg_metadata_is_stripped(world, client_for, media):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (45.0, 45.0, 0.0)}  # GPS
    content = picture_bytes("JPEG", (600, 800), exif=exif.tobytes())
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif()
    client_for(world.pupil).post(URL, form_data(avatar=upload(content, "me.jpg", "image/jpeg")))
    person = Person.objects.get(pk=world.pupil.pk)
    assert person.avatar.name.endswith(".jpg")
    with Image.open(media / person.avatar.name) as image:
        assert image.format == "JPEG"
        assert image.size == (256, 256)
        assert not image.getexif()
        assert "icc_profile" not in image.info


def test_webp_is_accepted(world, client_for, media):
    content = picture_bytes("WEBP", (300, 300))
    client_for(world.pupil).post(URL, form_data(avatar=upload(content, "me.webp", "image/webp")))
    assert Person.objects.get(pk=world.pupil.pk).avatar.name.endswith(".jpg")


BAD_UPLOADS = {
    "text named .png": (b"Hello, this is not a picture\n" * 10, "me.png", "image/png"),
    "corrupted png": (picture_bytes("PNG")[:60] + b"\x00garbage" * 20, "me.png", "image/png"),
    "truncated jpeg": (picture_bytes("JPEG", (800, 800))[:400], "me.jpg", "image/jpeg"),
    "gif": (picture_bytes("GIF"), "me.gif", "image/gif"),
    "empty": (b"", "me.png", "image/png"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_bad_picture_is_refused_and_nothing_saved(world, english_client_for, media, case):
    content, name, content_type = BAD_UPLOADS[case]
    client = english_client_for(world.pupil)
    response = client.post(
        URL,
        form_data(avatar=upload(content, name, content_type), address="12 impasse des Lilas"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="field__error" id="id_avatar_error">' in html
    assert "12 impasse des Lilas" in html
    person = Person.objects.get(pk=world.pupil.pk)
    assert not person.avatar
    assert person.address == ""
    assert stored_files(media) == []
    assert not AuditEntry.objects.exists()


def test_oversized_picture_is_refused(world, english_client_for, media, settings):
    settings.PREAU_AVATAR_MAX_BYTES = 1000
    content = picture_bytes("PNG", (600, 600))
    assert len(content) > 1000
    response = english_client_for(world.pupil).post(URL, form_data(avatar=upload(content)))
    html = response.content.decode()
    assert '<p class="field__error" id="id_avatar_error">' in html
    assert "the limit is 1000" in html
    assert not Person.objects.get(pk=world.pupil.pk).avatar
    assert stored_files(media) == []


def test_refused_picture_is_reported_in_french(world, client_for, media):
    response = client_for(world.pupil).post(URL, form_data(avatar=upload(b"nope" * 50)))
    assert '<html lang="fr">' in response.content.decode()
    assert 'id="id_avatar_error"' in response.content.decode()


def test_new_avatar_replaces_and_deletes_the_old_file(
    world, client_for, media, django_capture_on_commit_callbacks
):
    client = client_for(world.pupil)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(avatar=upload(picture_bytes())))
    first = Person.objects.get(pk=world.pupil.pk).avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(avatar=upload(picture_bytes("JPEG"), "b.jpg", "image/jpeg")))
    second = Person.objects.get(pk=world.pupil.pk).avatar.name
    assert first != second
    assert stored_files(media) == [media / second]


def test_remove_avatar(world, client_for, media, django_capture_on_commit_callbacks):
    client = client_for(world.pupil)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(avatar=upload(picture_bytes())))
    assert "/profile/avatar/remove" in client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/profile/avatar/remove")
    assert response.status_code == 302
    assert not Person.objects.get(pk=world.pupil.pk).avatar
    assert stored_files(media) == []
    assert AuditEntry.objects.filter(action="profile.avatar_remove", subject=world.pupil).exists()
    # Removing again is a no-op, not an error.
    assert client.post("/profile/avatar/remove").status_code == 302
    assert AuditEntry.objects.filter(action="profile.avatar_remove").count() == 1


def test_remove_avatar_needs_post(world, client_for):
    assert client_for(world.pupil).get("/profile/avatar/remove").status_code == 405


def test_an_imported_value_preau_would_refuse_does_not_block_other_changes(
    world, english_client_for
):
    # The school's records gave an address Django's validator refuses (accented local part).
    Person.objects.filter(pk=world.pupil.pk).update(email="léa.martin@example.org")
    client = english_client_for(world.pupil)
    response = client.post(URL, form_data(email="léa.martin@example.org", mobile="0611223344"))
    assert response.status_code == 302
    assert Person.objects.get(pk=world.pupil.pk).mobile == "0611223344"
    # Typing a new bad address is refused.
    response = client.post(URL, form_data(email="léa@@example.org"))
    assert 'id="id_email_error"' in response.content.decode()
