"""The messaging pages: folders, reading, writing, under the rules; isolation; query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from preau.messaging.models import Delivery, Message

pytestmark = pytest.mark.django_db


def test_the_inbox_lists_my_messages_in_a_fixed_number_of_queries(
    world, client_for, delivered, django_assert_num_queries
):
    client = client_for(world.pupil)
    delivered(world.teacher, world.pupil, subject="Premier")
    client.get("/messages/")  # the host's tenant is cached from here on
    with django_assert_num_queries(8):  # session, person, actor (3), page, folders, unread, quota
        page = client.get("/messages/")
    assert [c.message.subject for c in page.context["page"].items] == ["Premier"]
    for i in range(5):
        delivered(world.staff, world.pupil, subject=f"Message {i}")
    with django_assert_num_queries(8):  # session, person, actor (3), page, folders, unread, quota
        page = client.get("/messages/")
    assert len(page.context["page"].items) == 6
    assert page.context["unread"] == 6


def test_reading_marks_read_and_shows_the_thread_in_fixed_queries(
    world, client_for, delivered, django_assert_num_queries
):
    question = delivered(world.teacher, world.pupil, subject="Question")
    copy = Delivery.objects.get(message=question)
    answer_client = client_for(world.pupil)
    with django_assert_num_queries(12):
        page = answer_client.get(f"/messages/{copy.pk}/")
    assert page.status_code == 200
    copy.refresh_from_db()
    assert copy.read_at is not None
    assert [m.pk for m in page.context["thread"]] == [question.pk]


@pytest.mark.parametrize("who", ["pupil2", "teacher_b", "foreign_admin"])
def test_someone_else_s_copy_answers_404_and_changes_nothing(world, client_for, delivered, who):
    message = delivered(world.teacher, world.pupil)
    copy = Delivery.objects.get(message=message)
    client = client_for(getattr(world, who))
    assert client.get(f"/messages/{copy.pk}/").status_code == 404
    assert client.post(f"/messages/{copy.pk}/trash").status_code == 404
    assert client.get(f"/messages/sent/{message.pk}/").status_code == 404
    assert client.post(f"/messages/sent/{message.pk}/recall").status_code == 404
    copy.refresh_from_db()
    assert (copy.read_at, copy.trashed_at) == (None, None)
    assert Message.objects.get(pk=message.pk).recalled_at is None


def test_anonymous_is_sent_to_log_in(world):
    assert Client().get("/messages/")["Location"].startswith("/accounts/login/")


def test_a_pupil_writes_to_their_teacher(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.pupil)
    assert client.get("/messages/new").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/messages/new",
            {"to": [world.teacher.pk], "subject": "Devoir", "body": "Bonjour <b>M.</b>"},
        )
    assert response["Location"] == "/messages/box/sent/"
    message = Message.objects.get()
    assert message.body_html == "<p>Bonjour &lt;b&gt;M.&lt;/b&gt;</p>"
    assert Delivery.objects.get(message=message).recipient == world.teacher


def test_a_forged_recipient_is_refused_and_what_was_typed_is_kept(world, client_for):
    client = client_for(world.pupil)
    response = client.post(
        "/messages/new", {"to": [world.foreign_pupil.pk], "subject": "Coucou", "body": "Texte"}
    )
    assert response.status_code == 200
    assert response.context["form"]["subject"].value() == "Coucou"
    assert response.context["form"].non_field_errors()
    assert response.context["chosen"] == []  # the forged id's name is not shown
    assert world.foreign_pupil.last_name not in response.content.decode()
    assert not Message.objects.exists()


def test_writing_to_a_class_s_guardians_asks_for_confirmation(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.teacher)
    page = client.get("/messages/new")
    keys = [key for key, _label in page.context["form"].fields["audiences"].choices]
    assert f"class_guardians:{world.class_a.pk}" in keys
    assert f"class_guardians:{world.class_b.pk}" not in keys  # not his class
    data = {
        "audiences": [f"class_guardians:{world.class_a.pk}"],
        "subject": "Sortie",
        "body": "Jeudi",
    }
    first = client.post("/messages/new", data)
    assert first.status_code == 200
    assert first.context["confirm"]
    assert not Message.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/messages/new", {**data, "confirmed": "on"})
    assert Delivery.objects.get().recipient == world.guardian


def test_a_forged_audience_key_is_refused(world, client_for):
    client = client_for(world.teacher)
    response = client.post(
        "/messages/new",
        {"audiences": [f"class_guardians:{world.class_b.pk}"], "subject": "x", "body": "y"},
    )
    assert response.status_code == 200
    assert "audiences" in response.context["form"].errors
    assert not Message.objects.exists()


def test_reply_prefills_the_author_and_the_subject(world, client_for, delivered):
    message = delivered(world.staff, world.pupil, subject="Retard")
    copy = Delivery.objects.get(message=message)
    page = client_for(world.pupil).get(f"/messages/new?reply={copy.pk}")
    assert page.context["form"]["subject"].value() == "Re : Retard"
    assert [p.pk for p in page.context["chosen"]] == [world.staff.pk]


def test_trash_restore_and_recall(world, client_for, delivered):
    message = delivered(world.teacher, world.pupil)
    copy = Delivery.objects.get(message=message)
    pupil = client_for(world.pupil)
    pupil.post(f"/messages/{copy.pk}/trash")
    assert [c.pk for c in pupil.get("/messages/box/trash/").context["page"].items] == [copy.pk]
    pupil.post(f"/messages/{copy.pk}/restore")
    assert pupil.get("/messages/").context["page"].items[0].pk == copy.pk
    other = delivered(world.teacher, world.pupil2)
    teacher = client_for(world.teacher)
    assert teacher.post(f"/messages/sent/{other.pk}/recall")["Location"] == "/messages/box/sent/"
    assert not Delivery.objects.filter(message=other).exists()


def test_the_unread_badge(world, client_for, delivered):
    delivered(world.teacher, world.pupil)
    assert b'id="unread-badge">1' in client_for(world.pupil).get("/messages/unread").content


def test_empty_states(world, client_for):
    client = client_for(world.guardian)
    for path in (
        "/messages/",
        "/messages/box/sent/",
        "/messages/box/drafts/",
        "/messages/box/trash/",
    ):
        assert b"empty-state" in client.get(path).content


# --- attachments ------------------------------------------------------------------------------


def upload(name, content, content_type="application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def send_with(client, django_capture_on_commit_callbacks, recipient, *files):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            "/messages/new",
            {
                "to": [recipient.pk],
                "subject": "Pièces",
                "body": "Voici",
                "attachments": list(files),
            },
        )


def test_attachments_reach_recipients_only_and_download_safely(
    world, client_for, media, django_capture_on_commit_callbacks
):
    hostile = upload("../../etc/<script>.html", b"<script>alert(1)</script>", "text/html")
    svg = upload("dessin.svg", b'<svg onload="alert(1)"/>', "image/svg+xml")
    pdf = upload("sortie.pdf", b"%PDF-1.4 test", "application/pdf")
    response = send_with(
        client_for(world.teacher),
        django_capture_on_commit_callbacks,
        world.pupil,
        hostile,
        svg,
        pdf,
    )
    assert response.status_code == 302
    message = Message.objects.get()
    names = [a.name for a in message.attachments.all()]
    assert names == ["script.html", "dessin.svg", "sortie.pdf"]
    for a in message.attachments.all():
        assert ".." not in a.file.name
        assert "script" not in a.file.name
    html_file, svg_file, pdf_file = message.attachments.all()
    pupil = client_for(world.pupil)
    served = pupil.get(f"/messages/attachments/{html_file.pk}")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == b"<script>alert(1)</script>"
    assert (
        pupil.get(f"/messages/attachments/{svg_file.pk}")["Content-Type"]
        == "application/octet-stream"
    )
    assert pupil.get(f"/messages/attachments/{pdf_file.pk}")["Content-Type"] == "application/pdf"
    assert client_for(world.teacher).get(f"/messages/attachments/{pdf_file.pk}").status_code == 200
    for other in (world.pupil2, world.foreign_admin):
        assert client_for(other).get(f"/messages/attachments/{pdf_file.pk}").status_code == 404


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(
    world, client_for, media, settings, django_capture_on_commit_callbacks
):
    settings.PREAU_ATTACHMENT_MAX_BYTES = 10
    response = send_with(
        client_for(world.teacher),
        django_capture_on_commit_callbacks,
        world.pupil,
        upload("gros.pdf", b"x" * 11),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["attachments"]
    assert response.context["form"]["subject"].value() == "Pièces"
    assert not Message.objects.exists()
    assert not (media / "messages").exists()


def test_exactly_at_the_limit_is_accepted(
    world, client_for, media, settings, django_capture_on_commit_callbacks
):
    settings.PREAU_ATTACHMENT_MAX_BYTES = 10
    send_with(
        client_for(world.teacher),
        django_capture_on_commit_callbacks,
        world.pupil,
        upload("juste.txt", b"x" * 10),
    )
    assert Message.objects.get().attachments.get().size == 10


def test_the_quota_counts_what_one_sent(
    world, client_for, media, settings, django_capture_on_commit_callbacks
):
    settings.PREAU_QUOTA_FAMILY_BYTES = 15
    client = client_for(world.pupil)
    send_with(client, django_capture_on_commit_callbacks, world.teacher, upload("a.txt", b"x" * 10))
    response = send_with(
        client, django_capture_on_commit_callbacks, world.teacher, upload("b.txt", b"x" * 10)
    )
    assert response.status_code == 200
    assert "quota" in str(response.context["form"].errors["attachments"])
    assert Message.objects.count() == 1


def test_a_scan_hook_refuses_an_infected_file(
    world, client_for, media, settings, django_capture_on_commit_callbacks
):
    settings.PREAU_ATTACHMENT_SCAN = "preau.messaging.tests.test_views.refuse_everything"
    response = send_with(
        client_for(world.teacher),
        django_capture_on_commit_callbacks,
        world.pupil,
        upload("v.txt", b"EICAR"),
    )
    assert response.status_code == 200
    assert not Message.objects.exists()


def refuse_everything(upload):
    from django.core.exceptions import ValidationError

    raise ValidationError({"attachments": "infecté"})
