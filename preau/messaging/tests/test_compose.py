"""Writing beyond plain text: the editor's HTML and pasted pictures, autosaved drafts,
forwarding with attachments, flags, the quota bar and the print button."""

from __future__ import annotations

import pytest

from preau.messaging import actions
from preau.messaging.models import Attachment, Delivery, Message
from preau.messaging.tests.factories import actor
from preau.messaging.tests.test_actions import send
from preau.messaging.tests.test_views import send_with, upload

pytestmark = pytest.mark.django_db

PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def post_compose(client, capture, **data):
    with capture(execute=True):
        return client.post("/messages/new", data)


def test_the_editor_s_html_is_kept_sanitised_with_pictures_inside(
    world, client_for, django_capture_on_commit_callbacks
):
    rich = (
        f'<p><b>Sortie</b> jeudi</p><ul><li>pique-nique</li></ul><img src="{PNG}" alt="plan">'
        '<img src="x" onerror="alert(1)"><script>alert(2)</script>'
        '<a href="data:text/html,<script>alert(3)</script>">lien</a>'
    )
    response = post_compose(
        client_for(world.teacher),
        django_capture_on_commit_callbacks,
        to=[world.pupil.pk],
        subject="Sortie",
        body="ignored when the editor wrote something",
        body_html=rich,
    )
    assert response.status_code == 302
    body = Message.objects.get().body_html
    assert "<b>Sortie</b>" in body
    assert "<li>pique-nique</li>" in body
    assert f'src="{PNG}"' in body
    for hostile in ("onerror", "<script", "data:text"):
        assert hostile not in body
    page = client_for(world.pupil).get(f"/messages/{Delivery.objects.get().pk}/")
    assert f'src="{PNG}"' in page.content.decode()


def test_a_body_over_the_limit_is_refused_and_kept(world, client_for, settings):
    settings.PREAU_MESSAGE_BODY_MAX_BYTES = 100
    response = client_for(world.teacher).post(
        "/messages/new",
        {"to": [world.pupil.pk], "subject": "Photo", "body_html": f'<img src="{PNG}">'},
    )
    assert response.status_code == 200
    assert "images plus petites" in str(response.context["form"].errors["body"])
    assert response.context["form"]["subject"].value() == "Photo"
    assert not Message.objects.exists()


def test_autosave_creates_then_updates_one_draft(world, client_for):
    client = client_for(world.pupil)
    first = client.post(
        "/messages/new/autosave", {"to": [world.teacher.pk], "subject": "Brouillon", "body": "a"}
    )
    assert first.status_code == 200
    draft = Message.objects.get()
    assert draft.sent_at is None
    assert f'value="{draft.pk}"' in first.content.decode()
    assert 'hx-swap-oob="true"' in first.content.decode()
    client.post(
        "/messages/new/autosave",
        {"draft": draft.pk, "to": [world.teacher.pk], "subject": "Brouillon 2", "body": "ab"},
    )
    draft.refresh_from_db()
    assert (Message.objects.count(), draft.subject, draft.body_html) == (
        1,
        "Brouillon 2",
        "<p>ab</p>",
    )
    assert not Delivery.objects.exists()
    # Nothing typed: nothing saved.
    assert "value=" not in client.post("/messages/new/autosave", {}).content.decode()
    assert Message.objects.count() == 1


def test_autosave_cannot_touch_someone_else_s_draft_or_a_sent_message(world, client_for):
    other = actions.save_draft(
        actor=actor(world.pupil2),
        subject="À moi",
        body="x",
        recipients=actions.Recipients(people=[world.teacher.pk]),
    )
    sent = send(world.teacher, world.pupil)
    client = client_for(world.pupil)
    for target in (other, sent):
        response = client.post("/messages/new/autosave", {"draft": target.pk, "subject": "Volé"})
        assert response.status_code == 404
        target.refresh_from_db()
        assert target.subject != "Volé"


def test_a_draft_reopens_with_its_formatting_and_can_be_discarded(world, client_for):
    draft = actions.save_draft(
        actor=actor(world.teacher),
        subject="Brouillon",
        body="<p><b>Gras</b></p>",
        recipients=actions.Recipients(people=[world.pupil.pk]),
    )
    client = client_for(world.teacher)
    form = client.get(f"/messages/new?draft={draft.pk}").context["form"]
    assert form["body_html"].value() == "<p><b>Gras</b></p>"
    assert client_for(world.pupil).post(f"/messages/drafts/{draft.pk}/discard").status_code == 404
    assert client.post(f"/messages/drafts/{draft.pk}/discard")["Location"].endswith("/box/drafts/")
    assert not Message.objects.exists()
    sent = send(world.teacher, world.pupil)
    assert client.post(f"/messages/drafts/{sent.pk}/discard").status_code == 404
    assert Message.objects.filter(pk=sent.pk).exists()


def test_forwarding_quotes_the_message_and_sends_copies_of_its_files(
    world, client_for, media, django_capture_on_commit_callbacks
):
    send_with(
        client_for(world.teacher),
        django_capture_on_commit_callbacks,
        world.pupil,
        upload("sortie.pdf", b"%PDF-1.4 sortie", "application/pdf"),
    )
    original = Message.objects.get()
    pupil = client_for(world.pupil)
    page = pupil.get(f"/messages/new?forward={original.pk}")
    form = page.context["form"]
    assert form["subject"].value() == "Tr : Pièces"
    assert "<blockquote><p>Voici</p></blockquote>" in form["body_html"].value()
    assert "Paul Durand" in form["body_html"].value()
    assert "sortie.pdf" in page.content.decode()
    response = post_compose(
        pupil,
        django_capture_on_commit_callbacks,
        to=[world.pupil2.pk],
        subject=form["subject"].value(),
        body_html=form["body_html"].value(),
        forward=original.pk,
    )
    assert response.status_code == 302
    forwarded = Message.objects.exclude(pk=original.pk).get()
    copy = forwarded.attachments.get()
    first = original.attachments.get()
    assert (copy.name, copy.size) == ("sortie.pdf", first.size)
    assert copy.file.name != first.file.name  # its own stored file
    served = client_for(world.pupil2).get(f"/messages/attachments/{copy.pk}")
    assert b"".join(served.streaming_content) == b"%PDF-1.4 sortie"
    # Deleting the forwarded copy's file leaves the original's.
    copy.file.delete()
    assert first.file.storage.exists(first.file.name)


def test_one_cannot_forward_a_message_one_never_had(world, client_for):
    message = send(world.teacher, world.pupil)
    client = client_for(world.pupil2)
    assert client.get(f"/messages/new?forward={message.pk}").status_code == 404
    response = client.post(
        "/messages/new", {"to": [world.pupil.pk], "subject": "x", "forward": message.pk}
    )
    assert response.status_code == 404
    assert Message.objects.count() == 1


def test_forwarded_files_count_in_the_quota(
    world, client_for, media, settings, django_capture_on_commit_callbacks
):
    send_with(
        client_for(world.teacher),
        django_capture_on_commit_callbacks,
        world.pupil,
        upload("gros.txt", b"x" * 10),
    )
    settings.PREAU_QUOTA_FAMILY_BYTES = 9
    original = Message.objects.get()
    response = client_for(world.pupil).post(
        "/messages/new",
        {"to": [world.pupil2.pk], "subject": "Tr", "body": "x", "forward": original.pk},
    )
    assert response.status_code == 200
    assert "quota" in str(response.context["form"].errors["attachments"])
    assert Attachment.objects.count() == 1


def test_flags_and_the_flagged_box(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(world.teacher, world.pupil, subject="À garder")
        send(world.staff, world.pupil, subject="Autre")
    copy = Delivery.objects.get(message__subject="À garder")
    client = client_for(world.pupil)
    assert client.get("/messages/box/flagged/").context["page"].items == []
    client.post(f"/messages/{copy.pk}/flag")
    copy.refresh_from_db()
    assert copy.is_flagged
    flagged = client.get("/messages/box/flagged/")
    assert [c.pk for c in flagged.context["page"].items] == [copy.pk]
    assert 'aria-pressed="true"' in client.get(f"/messages/{copy.pk}/").content.decode()
    assert client_for(world.pupil2).post(f"/messages/{copy.pk}/unflag").status_code == 404
    copy.refresh_from_db()
    assert copy.is_flagged
    client.post(f"/messages/{copy.pk}/unflag")
    copy.refresh_from_db()
    assert not copy.is_flagged


def test_the_quota_bar_warns_when_nearly_full(
    world, client_for, media, settings, django_capture_on_commit_callbacks
):
    client = client_for(world.pupil)
    assert "quota--full" not in client.get("/messages/").content.decode()
    send_with(client, django_capture_on_commit_callbacks, world.teacher, upload("a.txt", b"x" * 95))
    settings.PREAU_QUOTA_FAMILY_BYTES = 100
    page = client.get("/messages/")
    assert page.context["quota"].percent == 95
    assert "quota--full" in page.content.decode()
    assert 'value="95"' in page.content.decode()


def test_the_thread_has_a_print_button_and_forward(world, client_for, delivered):
    message = delivered(world.teacher, world.pupil)
    copy = Delivery.objects.get(message=message)
    content = client_for(world.pupil).get(f"/messages/{copy.pk}/").content.decode()
    assert "data-print" in content
    assert f"?forward={message.pk}" in content
    sent = client_for(world.teacher).get(f"/messages/sent/{message.pk}/").content.decode()
    assert f"?forward={message.pk}" in sent


def test_the_notification_opens_the_recipient_s_own_copy(world, client_for, delivered):
    from preau.core.models import Notification

    message = delivered(world.teacher, world.pupil)
    url = Notification.objects.get(recipient=world.pupil).url
    assert url == f"/messages/received/{message.pk}/"
    copy = Delivery.objects.get(message=message)
    assert client_for(world.pupil).get(url)["Location"] == f"/messages/{copy.pk}/"
    for other in (world.pupil2, world.teacher, world.foreign_admin):
        assert client_for(other).get(url).status_code == 404


def test_files_of_my_documents_go_with_a_message(
    world, client_for, media, django_capture_on_commit_callbacks
):
    from preau.documents.tests.factories import document, space_of

    mine = document(
        world.teacher, space_of(world, "personal"), name="sortie.pdf", content=b"%PDF-1.4 sortie"
    )
    theirs = document(world.teacher, space_of(world, "class"), name="autre.txt")  # not mine
    client = client_for(world.teacher)
    page = client.get("/messages/new")
    assert [v for v, _label in page.context["form"].fields["documents"].choices] == [mine.pk]
    response = post_compose(
        client,
        django_capture_on_commit_callbacks,
        to=[world.pupil.pk],
        subject="Sortie",
        body="Voici",
        documents=[mine.pk],
    )
    assert response.status_code == 302
    attachment = Message.objects.get().attachments.get()
    assert (attachment.name, attachment.size) == ("sortie.pdf", 15)
    served = client_for(world.pupil).get(f"/messages/attachments/{attachment.pk}")
    assert b"".join(served.streaming_content) == b"%PDF-1.4 sortie"
    # A file outside my own space is not a choice: refused, nothing sent.
    refused = client.post(
        "/messages/new", {"to": [world.pupil.pk], "subject": "x", "documents": [theirs.pk]}
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors["documents"]
    assert Message.objects.count() == 1
