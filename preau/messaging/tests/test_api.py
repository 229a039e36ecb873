"""The messaging API (/api/v1/messages/): folders, pages, reading, sending, replies, filing,
the trash; isolation between people, schools and tenants; bearer tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from preau.accounts.actions import create_api_token
from preau.messaging import actions
from preau.messaging.models import Delivery, Folder, Message
from preau.messaging.queries import PAGE_SIZE
from preau.messaging.tests.factories import actor, audience

pytestmark = pytest.mark.django_db

BASE = "/api/v1/messages"


def post(client: Client, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    return client.post(BASE + path, data or {}, content_type="application/json", **kw)


def send(sender: Any, *people: Any, **kw: Any) -> Message:
    """A message delivered at once (the on-commit job runs inside the capture)."""
    kw.setdefault("subject", "Sortie au musée")
    kw.setdefault("body", "<p>Rendez-vous à 8 h.</p>")
    return actions.send_message(
        actor=actor(sender),
        recipients=actions.Recipients(people=[p.pk for p in people]),
        confirmed=True,
        **kw,
    )


@pytest.fixture
def delivered(world, django_capture_on_commit_callbacks):
    """A message from the teacher to Léa, delivered: Léa's copy."""
    with django_capture_on_commit_callbacks(execute=True):
        message = send(
            world.teacher, world.pupil, body='<p onclick="x()">Bonjour<script>a()</script>'
        )
    return Delivery.objects.get(message=message)


def many_copies(recipient: Any, sender: Any, n: int) -> None:
    now = timezone.now()
    messages = Message.objects.bulk_create(
        [
            Message(tenant=recipient.tenant, sender=sender, subject=f"n°{i}", sent_at=now)
            for i in range(n)
        ]
    )
    Delivery.objects.bulk_create(
        [
            Delivery(tenant=recipient.tenant, message=m, recipient=recipient, delivered_at=now)
            for m in messages
        ]
    )


def foreign_client(world: Any) -> Client:
    c = Client(HTTP_HOST="other.test")
    c.force_login(world.foreign_admin)
    return c


# --- folders and pages ------------------------------------------------------------------------


def test_anonymous_gets_401(world):
    assert Client().get(BASE + "/folders").status_code == 401


def test_folders_with_unread_counts(world, client_for, delivered):
    folder = Folder.objects.create(tenant=world.tenant, owner=world.pupil, name="Musée")
    many_copies(world.pupil, world.teacher, 2)
    Delivery.objects.filter(pk=delivered.pk).update(folder=folder)
    Folder.objects.create(tenant=world.tenant, owner=world.pupil2, name="Pas à moi")
    rows = client_for(world.pupil).get(BASE + "/folders").json()
    assert [(r["key"], r["kind"], r["unread"]) for r in rows] == [
        ("inbox", "inbox", 2),
        ("sent", "sent", 0),
        ("drafts", "drafts", 0),
        ("trash", "trash", 0),
        (str(folder.pk), "personal", 1),
    ]
    assert rows[0]["name"] == "Boîte de réception" or rows[0]["name"]  # translated by the lead


def test_inbox_pages_follow_next(world, client_for):
    many_copies(world.pupil, world.teacher, PAGE_SIZE + 3)
    client = client_for(world.pupil)
    first = client.get(BASE + "/folders/inbox").json()
    assert len(first["items"]) == PAGE_SIZE
    assert first["items"][0]["kind"] == "received"
    assert first["items"][0]["sender"] == {"id": world.teacher.pk, "full_name": "Paul Durand"}
    second = client.get(BASE + "/folders/inbox", {"after": first["next"]}).json()
    assert len(second["items"]) == 3
    assert second["next"] is None
    seen = {i["id"] for i in first["items"]} | {i["id"] for i in second["items"]}
    assert len(seen) == PAGE_SIZE + 3


@pytest.mark.parametrize("rows", [1, 20])
def test_inbox_query_count_is_constant(world, client_for, django_assert_num_queries, rows):
    many_copies(world.pupil, world.teacher, rows)
    client = client_for(world.pupil)
    client.get(BASE + "/folders/inbox")
    # Session and person, the actor (memberships, authorities), the page (copies, messages and
    # senders in one query).
    with django_assert_num_queries(5):
        assert len(client.get(BASE + "/folders/inbox").json()["items"]) == rows


def test_folders_query_count(world, client_for, django_assert_num_queries, delivered):
    client = client_for(world.pupil)
    client.get(BASE + "/folders")
    with django_assert_num_queries(6):  # …, the unread counts, the personal folders
        client.get(BASE + "/folders")


def test_sent_drafts_and_trash_pages(world, client_for, delivered):
    actions.save_draft(
        actor=actor(world.teacher),
        subject="Brouillon",
        body="",
        recipients=actions.Recipients(people=[world.pupil.pk]),
    )
    teacher = client_for(world.teacher)
    sent = teacher.get(BASE + "/folders/sent").json()["items"]
    assert [(i["kind"], i["message_id"], i["recipient_count"]) for i in sent] == [
        ("sent", delivered.message_id, 1)
    ]
    assert sent[0]["addressed"] == [{"kind": "person", "id": world.pupil.pk, "label": "Léa Martin"}]
    drafts = teacher.get(BASE + "/folders/drafts").json()["items"]
    assert [(i["kind"], i["subject"]) for i in drafts] == [("draft", "Brouillon")]
    pupil = client_for(world.pupil)
    assert pupil.get(BASE + "/folders/trash").json()["items"] == []
    assert pupil.get(BASE + "/folders/sent").json()["items"] == []


@pytest.mark.parametrize("folder", ["nowhere", "999999"])
def test_unknown_folder_is_404(world, client_for, folder):
    response = client_for(world.pupil).get(f"{BASE}/folders/{folder}")
    assert response.status_code == 404
    assert response.json()["code"] == "folder_not_found"


def test_someone_else_s_folder_is_404(world, client_for, delivered):
    folder = Folder.objects.create(tenant=world.tenant, owner=world.pupil, name="Musée")
    Delivery.objects.filter(pk=delivered.pk).update(folder=folder)
    response = client_for(world.pupil2).get(f"{BASE}/folders/{folder.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "folder_not_found"


def test_bad_cursor_is_400_with_a_code(world, client_for):
    response = client_for(world.pupil).get(BASE + "/folders/inbox", {"after": "!!garbage"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_cursor"


# --- reading ----------------------------------------------------------------------------------


def test_reading_a_copy_marks_it_read_and_shows_the_sanitised_html(world, client_for, delivered):
    response = client_for(world.pupil).get(f"{BASE}/copies/{delivered.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["is_read"] is True
    assert body["message_id"] == delivered.message_id
    assert body["body_html"] == delivered.message.body_html
    assert "script" not in body["body_html"]
    assert "onclick" not in body["body_html"]
    delivered.refresh_from_db()
    assert delivered.read_at is not None


def test_mark_unread(world, client_for, delivered):
    client = client_for(world.pupil)
    client.get(f"{BASE}/copies/{delivered.pk}")
    response = post(client, f"/copies/{delivered.pk}/read", {"read": False})
    assert response.status_code == 200
    assert response.json()["is_read"] is False
    delivered.refresh_from_db()
    assert delivered.read_at is None


def test_the_sender_reads_their_sent_message(world, client_for, delivered):
    response = client_for(world.teacher).get(f"{BASE}/sent/{delivered.message_id}")
    assert response.status_code == 200
    assert response.json()["kind"] == "sent"
    # The recipient has a copy, not a sent message.
    assert client_for(world.pupil).get(f"{BASE}/sent/{delivered.message_id}").status_code == 404


# --- isolation: another person, another school, another tenant -------------------------------


def _outsiders(world: Any, client_for: Any) -> list[Client]:
    return [
        client_for(world.pupil2),  # same class
        client_for(world.other_teacher),  # another school
        client_for(world.admin),  # the school's administrator: still not their mail
        foreign_client(world),  # another tenant
    ]


def test_someone_else_s_copy_answers_404_and_changes_nothing(world, client_for, delivered):
    folder = Folder.objects.create(tenant=world.tenant, owner=world.pupil2, name="Le sien")
    for client in _outsiders(world, client_for):
        for response in (
            client.get(f"{BASE}/copies/{delivered.pk}"),
            post(client, f"/copies/{delivered.pk}/read"),
            post(client, f"/copies/{delivered.pk}/move", {"to": "trash"}),
            post(client, f"/copies/{delivered.pk}/move", {"to": folder.pk}),
            client.delete(f"{BASE}/copies/{delivered.pk}"),
            client.get(f"{BASE}/sent/{delivered.message_id}"),
            post(client, f"/{delivered.message_id}/reply", {"body": "Intrus"}),
        ):
            assert response.status_code == 404, response.content
            assert response.json()["code"] == "not_found"
    delivered.refresh_from_db()
    assert (delivered.read_at, delivered.trashed_at, delivered.folder_id) == (None, None, None)
    assert Message.objects.count() == 1


# --- sending ----------------------------------------------------------------------------------


def test_send_to_a_person(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client_for(world.teacher),
            "",
            {"subject": "Devoirs", "body": "<p>Page 12</p>", "people": [world.pupil.pk]},
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["recipient_count"] == 1
    message = Message.objects.get(pk=body["id"])
    assert Delivery.objects.get(message=message).recipient == world.pupil
    assert body["thread_id"] == message.pk


@pytest.mark.parametrize("who", ["foreign_pupil", "other_pupil", "pupil_b"])
def test_a_forged_or_forbidden_recipient_sends_nothing(world, client_for, who):
    # A pupil writes to their class only: another class, another school, another tenant.
    response = post(
        client_for(world.pupil),
        "",
        {"subject": "Salut", "people": [world.pupil2.pk, getattr(world, who).pk]},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "recipient_refused"
    assert not Message.objects.exists()


def test_an_unknown_id_sends_nothing(world, client_for):
    response = post(client_for(world.teacher), "", {"subject": "Salut", "people": [987654]})
    assert response.status_code == 422
    assert response.json()["code"] == "recipient_refused"
    assert not Message.objects.exists()


def test_an_audience_of_another_tenant_is_404(world, client_for):
    foreign = audience(world.other_tenant, kind="school", school=world.foreign_school)
    response = post(
        client_for(world.director),
        "",
        {"subject": "Info", "audiences": [foreign.pk], "confirmed": True},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "audience_not_found"
    assert not Message.objects.exists()


def test_an_audience_one_may_not_address_is_refused(world, client_for):
    other = audience(world.tenant, kind="class_guardians", school_class=world.other_class)
    response = post(
        client_for(world.teacher),
        "",
        {"subject": "Info", "audiences": [other.pk], "confirmed": True},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "audience_refused"
    assert not Message.objects.exists()


def test_confirm_then_send(world, client_for, django_capture_on_commit_callbacks):
    guardians = audience(world.tenant, kind="class_guardians", school_class=world.class_a)
    client = client_for(world.teacher)
    data = {"subject": "Sortie", "body": "<p>Autorisation</p>", "audiences": [guardians.pk]}
    response = post(client, "", data)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "confirm"
    assert body["count"] == 1
    assert body["detail"]
    assert not Message.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "", {**data, "confirmed": True})
    assert response.status_code == 201
    assert Delivery.objects.get().recipient == world.guardian


def test_empty_message_is_422_with_a_code(world, client_for):
    client = client_for(world.teacher)
    response = post(client, "", {"people": [world.pupil.pk], "body": "<p> </p>"})
    assert response.status_code == 422
    assert response.json()["code"] == "empty"
    response = post(client, "", {"subject": "Rien"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "recipients" in response.json()["fields"]
    assert not Message.objects.exists()


def test_only_staff_broadcast(world, client_for):
    response = post(
        client_for(world.teacher),
        "",
        {"subject": "x", "people": [world.pupil.pk], "broadcast": True},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Message.objects.exists()


def test_send_a_draft_of_mine_only(world, client_for, django_capture_on_commit_callbacks):
    draft = actions.save_draft(
        actor=actor(world.teacher),
        subject="Brouillon",
        body="<p>Texte</p>",
        recipients=actions.Recipients(people=[world.pupil.pk]),
    )
    data = {"subject": "Prêt", "body": "<p>Texte</p>", "people": [world.pupil.pk]}
    response = post(client_for(world.teacher_b), "", {**data, "draft_id": draft.pk})
    assert response.status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(world.teacher), "", {**data, "draft_id": draft.pk})
    assert response.status_code == 201
    assert response.json()["id"] == draft.pk
    draft.refresh_from_db()
    assert draft.sent_at is not None


# --- replies ----------------------------------------------------------------------------------


def test_reply_goes_to_the_author(world, client_for, delivered, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client_for(world.pupil), f"/{delivered.message_id}/reply", {"body": "<p>Merci</p>"}
        )
    assert response.status_code == 201, response.content
    reply = Message.objects.get(pk=response.json()["id"])
    assert reply.recipient_ids == [world.teacher.pk]
    assert reply.reply_to_id == delivered.message_id
    assert reply.thread_id == delivered.message.thread_id
    assert reply.subject == "Re: Sortie au musée" or reply.subject.endswith("Sortie au musée")


def test_reply_all(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(world.teacher, world.pupil, world.pupil2)
    response = post(
        client_for(world.pupil),
        f"/{message.pk}/reply",
        {"subject": "Question", "body": "<p>Et le car ?</p>", "reply_all": True},
    )
    assert response.status_code == 201, response.content
    reply = Message.objects.get(pk=response.json()["id"])
    assert reply.recipient_ids == sorted([world.teacher.pk, world.pupil2.pk])


# --- filing and the trash ---------------------------------------------------------------------


def test_move_to_a_folder_to_the_trash_and_back(world, client_for, delivered):
    folder = Folder.objects.create(tenant=world.tenant, owner=world.pupil, name="Musée")
    client = client_for(world.pupil)
    path = f"/copies/{delivered.pk}/move"

    response = post(client, path, {"to": folder.pk})
    assert response.status_code == 200
    assert response.json()["folder_id"] == folder.pk
    assert [i["id"] for i in client.get(f"{BASE}/folders/{folder.pk}").json()["items"]] == [
        delivered.pk
    ]
    assert client.get(BASE + "/folders/inbox").json()["items"] == []

    assert post(client, path, {"to": "trash"}).json()["in_trash"] is True
    assert [i["id"] for i in client.get(BASE + "/folders/trash").json()["items"]] == [delivered.pk]
    restored = post(client, path, {"to": "restore"}).json()
    assert (restored["in_trash"], restored["folder_id"]) == (False, folder.pk)

    back = post(client, path, {"to": "inbox"}).json()
    assert (back["in_trash"], back["folder_id"]) == (False, None)
    delivered.refresh_from_db()
    assert (delivered.trashed_at, delivered.folder_id) == (None, None)


def test_move_to_someone_else_s_folder_is_404(world, client_for, delivered):
    theirs = Folder.objects.create(tenant=world.tenant, owner=world.pupil2, name="Le sien")
    response = post(client_for(world.pupil), f"/copies/{delivered.pk}/move", {"to": theirs.pk})
    assert response.status_code == 404
    assert response.json()["code"] == "folder_not_found"
    delivered.refresh_from_db()
    assert delivered.folder_id is None


def test_delete_puts_in_the_trash(world, client_for, delivered):
    response = client_for(world.pupil).delete(f"{BASE}/copies/{delivered.pk}")
    assert response.status_code == 204
    delivered.refresh_from_db()
    assert delivered.trashed_at is not None


def test_create_a_folder(world, client_for):
    client = client_for(world.pupil)
    response = post(client, "/folders", {"name": "  Sorties  "})
    assert response.status_code == 201
    assert response.json()["name"] == "Sorties"
    again = post(client, "/folders", {"name": "Sorties"})
    assert again.status_code == 422
    assert again.json()["code"] == "invalid"
    assert Folder.objects.filter(owner=world.pupil).count() == 1


# --- personal bearer tokens -------------------------------------------------------------------


def test_a_personal_token_reads_and_sends(world, delivered, django_capture_on_commit_callbacks):
    _row, token = create_api_token(actor=actor(world.pupil), label="Application")
    app = Client(HTTP_HOST="testserver", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert app.get(BASE + "/folders").json()[0]["unread"] == 1
    assert app.get(f"{BASE}/copies/{delivered.pk}").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = post(app, "", {"subject": "Depuis l'appli", "people": [world.teacher.pk]})
    assert response.status_code == 201
    assert Delivery.objects.filter(recipient=world.teacher).count() == 1
    # The token is the tenant's: on another tenant's host it is nobody.
    foreign = Client(HTTP_HOST="other.test", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert foreign.get(BASE + "/folders").status_code == 401


def test_openapi_lists_the_endpoints(world):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/messages",
        "/api/v1/messages/folders",
        "/api/v1/messages/folders/{folder}",
        "/api/v1/messages/copies/{copy_id}",
        "/api/v1/messages/copies/{copy_id}/move",
        "/api/v1/messages/{message_id}/reply",
        "/api/v1/messages/copies/{copy_id}/flag",
        "/api/v1/messages/drafts",
        "/api/v1/messages/drafts/{message_id}",
        "/api/v1/messages/sent/{message_id}/recall",
    ):
        assert path in paths


def put(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.put(BASE + path, data, content_type="application/json")


def test_flag_my_copy_only(world, client_for, delivered):
    response = post(client_for(world.pupil), f"/copies/{delivered.pk}/flag", {"flagged": True})
    assert (response.status_code, response.json()["is_flagged"]) == (200, True)
    for other in (world.pupil2, world.foreign_admin):
        answer = post(client_for(other), f"/copies/{delivered.pk}/flag", {"flagged": False})
        assert answer.status_code == 404
    delivered.refresh_from_db()
    assert delivered.is_flagged


def test_drafts_are_saved_updated_and_deleted_by_their_author_only(world, client_for):
    teacher = client_for(world.teacher)
    created = post(
        teacher, "/drafts", {"subject": "Brouillon", "body": "<p>a</p>", "people": [world.pupil.pk]}
    )
    assert created.status_code == 201
    draft_id = created.json()["id"]
    assert created.json()["kind"] == "draft"
    updated = put(teacher, f"/drafts/{draft_id}", {"subject": "Brouillon 2", "body": "<p>b</p>"})
    assert (updated.status_code, updated.json()["subject"]) == (200, "Brouillon 2")
    for other in (world.pupil, world.foreign_admin):
        assert put(client_for(other), f"/drafts/{draft_id}", {"subject": "x"}).status_code == 404
        assert client_for(other).delete(f"{BASE}/drafts/{draft_id}").status_code == 404
    assert Message.objects.get(pk=draft_id).subject == "Brouillon 2"
    assert teacher.delete(f"{BASE}/drafts/{draft_id}").status_code == 204
    assert not Message.objects.filter(pk=draft_id).exists()


def test_a_sent_message_is_not_a_draft(world, client_for, delivered):
    teacher = client_for(world.teacher)
    message_id = delivered.message_id
    assert put(teacher, f"/drafts/{message_id}", {"subject": "x"}).status_code == 404
    assert teacher.delete(f"{BASE}/drafts/{message_id}").status_code == 404
    assert Message.objects.get(pk=message_id).subject == "Sortie au musée"


def test_recall_by_the_sender_while_unread(world, client_for, delivered):
    message_id = delivered.message_id
    for other in (world.pupil, world.teacher_b, world.foreign_admin):
        assert post(client_for(other), f"/sent/{message_id}/recall").status_code == 404
    assert Delivery.objects.filter(message_id=message_id).exists()
    response = post(client_for(world.teacher), f"/sent/{message_id}/recall")
    assert response.status_code == 200
    assert response.json()["id"] == message_id
    assert not Delivery.objects.filter(message_id=message_id).exists()


def test_recall_after_a_read_is_422_read(world, client_for, delivered):
    client_for(world.pupil).get(f"{BASE}/copies/{delivered.pk}")
    response = post(client_for(world.teacher), f"/sent/{delivered.message_id}/recall")
    assert (response.status_code, response.json()["code"]) == (422, "read")
    assert Delivery.objects.filter(pk=delivered.pk).exists()


def test_forward_through_the_api(world, client_for, delivered, django_capture_on_commit_callbacks):
    pupil = client_for(world.pupil)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            pupil,
            "",
            {"subject": "Tr", "people": [world.pupil2.pk], "forward_of": delivered.message_id},
        )
    assert response.status_code == 201
    stranger = client_for(world.pupil_b)
    refused = post(
        stranger,
        "",
        {"subject": "Tr", "people": [world.pupil.pk], "forward_of": delivered.message_id},
    )
    assert refused.status_code == 404
