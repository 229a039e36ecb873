"""Sending under the communication rules, delivery, replies, recall, the trash."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from preau.core import notify
from preau.core.models import AuditEntry, Notification
from preau.messaging import actions, queries
from preau.messaging.actions import Recipients
from preau.messaging.models import Delivery, Message
from preau.messaging.tests.factories import actor, audience

pytestmark = pytest.mark.django_db


def send(sender, *people, audiences=(), **kw):
    kw.setdefault("subject", "Sortie au musée")
    kw.setdefault("body", "<p>Rendez-vous à 8 h.</p>")
    kw.setdefault("confirmed", True)
    return actions.send_message(
        actor=actor(sender),
        recipients=Recipients(people=[p.pk for p in people], audiences=list(audiences)),
        **kw,
    )


# --- the communication rules, enforced at send ------------------------------------------


@pytest.mark.parametrize(
    ("sender", "recipient", "allowed"),
    [
        ("teacher", "pupil", True),  # staff and teachers reach everyone in their school
        ("teacher", "guardian", True),
        ("staff", "pupil_b", True),
        ("pupil", "teacher", True),  # pupils reach their teachers…
        ("pupil", "pupil2", True),  # …and their class
        ("pupil2", "teacher_b", False),  # not a teacher of theirs (Léa's Latin group is not his)
        ("pupil", "pupil_b", False),  # another class
        ("pupil", "staff", False),
        ("guardian", "teacher", True),  # guardians reach their children's teachers…
        ("guardian", "staff", True),  # …and the school's staff
        ("guardian", "teacher_b", True),  # teaches Léa's Latin group
        ("guardian_b", "teacher", False),  # teaches neither of Chloé's
        ("guardian", "pupil_b", False),
        ("teacher", "other_pupil", False),  # another school
        ("teacher", "other_teacher", False),
        ("teacher", "foreign_pupil", False),  # another tenant: a forged id
    ],
)
def test_the_rules_decide_at_send(
    world, django_capture_on_commit_callbacks, sender, recipient, allowed
):
    sender, recipient = getattr(world, sender), getattr(world, recipient)
    if allowed:
        with django_capture_on_commit_callbacks(execute=True):
            message = send(sender, recipient)
        assert Delivery.objects.get(message=message).recipient == recipient
    else:
        with pytest.raises(ValidationError) as error:
            send(sender, recipient)
        assert error.value.code == "recipient_refused"
        assert not Message.objects.exists()


def test_nobody_but_staff_writes_to_a_whole_school(world):
    school = audience(world.tenant, kind="school", school=world.school)
    with pytest.raises(ValidationError) as error:
        send(world.teacher, audiences=[school])
    assert error.value.code == "audience_refused"
    assert send(world.director, audiences=[school]).recipient_count > 5


def test_a_teacher_writes_to_the_guardians_of_their_class_after_confirming(
    world, django_capture_on_commit_callbacks
):
    guardians = audience(world.tenant, kind="class_guardians", school_class=world.class_a)
    with pytest.raises(ValidationError) as error:
        send(world.teacher, audiences=[guardians], confirmed=False)
    assert error.value.code == "confirm"
    with django_capture_on_commit_callbacks(execute=True):
        message = send(world.teacher, audiences=[guardians])
    assert message.recipient_ids == [world.guardian.pk]
    assert [d.recipient for d in Delivery.objects.filter(message=message)] == [world.guardian]
    assert Notification.objects.get(recipient=world.guardian).kind == "messaging.message"
    assert AuditEntry.objects.get(action="messaging.message_sent").data["recipients"] == 1


def test_a_teacher_may_not_write_to_another_class_s_guardians_as_an_audience(world):
    with pytest.raises(ValidationError):
        send(
            world.teacher,
            audiences=[
                audience(world.tenant, kind="class_guardians", school_class=world.other_class)
            ],
        )


def test_script_in_the_body_is_neutralised(world):
    message = send(
        world.teacher, world.pupil, body='<p onclick="x()">Bonjour<script>alert(1)</script></p>'
    )
    assert "script" not in message.body_html
    assert "onclick" not in message.body_html
    assert "Bonjour" in message.body_html


def test_an_empty_message_or_no_recipient_is_refused(world):
    with pytest.raises(ValidationError):
        send(world.teacher, world.pupil, subject="", body="<p> </p>")
    with pytest.raises(ValidationError):
        send(world.teacher)


# --- delivery -----------------------------------------------------------------------------


def test_delivery_is_idempotent(world, settings):
    director_school = audience(world.tenant, kind="school", school=world.school)
    message = send(world.director, audiences=[director_school])  # delivery not run: no capture
    first = actions.deliver(message.pk)
    assert first == message.recipient_count
    assert actions.deliver(message.pk) == 0
    assert Delivery.objects.filter(message=message).count() == message.recipient_count
    assert Notification.objects.filter(object_id=str(message.pk)).count() == message.recipient_count


def test_a_worker_crash_mid_delivery_loses_nobody_and_duplicates_nobody(world, monkeypatch):
    monkeypatch.setattr(actions, "DELIVERY_BATCH", 2)
    message = send(
        world.director, audiences=[audience(world.tenant, kind="school", school=world.school)]
    )
    real_notify = actions.notify
    calls = {"n": 0}

    def crash_on_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_notify(*args, **kwargs)

    with mock.patch.object(actions, "notify", crash_on_second_batch), pytest.raises(RuntimeError):
        actions.deliver(message.pk)
    assert Delivery.objects.filter(message=message).count() == 2  # the first batch committed
    actions.deliver(message.pk)  # the retry
    copies = list(Delivery.objects.filter(message=message).values_list("recipient_id", flat=True))
    assert sorted(copies) == message.recipient_ids
    notified = Notification.objects.filter(object_id=str(message.pk))
    assert sorted(notified.values_list("recipient_id", flat=True)) == message.recipient_ids


def test_a_retry_hands_over_again_what_a_run_killed_after_its_commit_stored(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """Killed between a batch's commit and the hand-over of its notifications for e-mail and
    push (an `on_commit`): the retry writes nothing new but hands them over again."""
    message = send(
        world.director, audiences=[audience(world.tenant, kind="school", school=world.school)]
    )
    handed: list[int] = []
    monkeypatch.setattr(notify, "DELIVERERS", [handed.extend])
    with django_capture_on_commit_callbacks(execute=False):  # the hand-over never ran
        actions.deliver(message.pk)
    assert handed == []
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.deliver(message.pk) == 0
    stored = Notification.objects.filter(object_id=str(message.pk), kind="messaging.message")
    assert stored.count() == message.recipient_count
    assert sorted(handed) == sorted(stored.values_list("pk", flat=True))


def test_a_recall_during_the_delivery_stops_it_at_the_next_batch(world, monkeypatch):
    monkeypatch.setattr(actions, "DELIVERY_BATCH", 2)
    message = send(
        world.director, audiences=[audience(world.tenant, kind="school", school=world.school)]
    )
    assert message.recipient_count > 2
    real_notify = actions.notify

    def recalled_after_the_first_batch(*args, **kwargs):
        real_notify(*args, **kwargs)
        Message.objects.filter(pk=message.pk).update(recalled_at=timezone.now())

    with mock.patch.object(actions, "notify", recalled_after_the_first_batch):
        assert actions.deliver(message.pk) == 2
    assert Delivery.objects.filter(message=message).count() == 2
    message.refresh_from_db()
    assert message.delivered_at is None


# --- replies and broadcasts ---------------------------------------------------------------


def test_one_may_always_answer_whoever_wrote(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        question = send(world.staff, world.pupil)
    recipients = actions.reply_recipients(
        actor=actor(world.pupil), message=question, reply_all=False
    )
    assert list(recipients.people) == [world.staff.pk]
    with django_capture_on_commit_callbacks(execute=True):
        answer = actions.send_message(
            actor=actor(world.pupil),
            recipients=recipients,
            subject="Re",
            body="Merci",
            reply_to=question,
        )
    assert answer.thread_id == question.pk
    assert [m.pk for m in queries.thread_of(actor(world.staff), question)] == [
        question.pk,
        answer.pk,
    ]


def test_reply_all_to_a_broadcast_answers_the_school_only(world):
    guardians = audience(world.tenant, kind="profile", school=world.school, profile="guardian")
    message = actions.send_message(
        actor=actor(world.director),
        recipients=Recipients(audiences=[guardians]),
        subject="Collège fermé demain",
        body="<p>Grève.</p>",
        broadcast=True,
        confirmed=True,
    )
    recipients = actions.reply_recipients(
        actor=actor(world.guardian), message=message, reply_all=True
    )
    assert list(recipients.people) == [world.director.pk]


def test_only_the_school_s_staff_broadcast(world):
    with pytest.raises(PermissionDenied):
        send(world.teacher, world.pupil, broadcast=True)


# --- recall, reading, the trash -----------------------------------------------------------


def test_recall_before_anyone_reads(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(world.teacher, world.pupil, world.pupil2)
    actions.recall_message(actor=actor(world.teacher), message=message)
    assert not Delivery.objects.filter(message=message).exists()
    assert AuditEntry.objects.filter(action="messaging.message_recalled").exists()
    assert actions.deliver(message.pk) == 0  # a late delivery job writes nothing


def test_no_recall_once_read_or_too_late_or_by_someone_else(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(world.teacher, world.pupil, world.pupil2)
    with pytest.raises(PermissionDenied):
        actions.recall_message(actor=actor(world.pupil), message=message)
    copy = queries.inbox_for(actor(world.pupil)).get()
    actions.mark_read(actor=actor(world.pupil), delivery=copy)
    with pytest.raises(ValidationError) as error:
        actions.recall_message(actor=actor(world.teacher), message=message)
    assert error.value.code == "read"
    with django_capture_on_commit_callbacks(execute=True):
        late = send(world.teacher, world.pupil)
    Message.objects.filter(pk=late.pk).update(sent_at=timezone.now() - dt.timedelta(minutes=16))
    late.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        actions.recall_message(actor=actor(world.teacher), message=late)
    assert error.value.code == "too_late"


def test_unread_count_and_the_trash(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(world.teacher, world.pupil)
        send(world.staff, world.pupil)
    pupil = actor(world.pupil)
    assert queries.unread_count(pupil) == 2
    copy = queries.inbox_for(pupil).first()
    actions.move_to_trash(actor=pupil, delivery=copy)
    assert queries.unread_count(pupil) == 1
    assert list(queries.trash_for(pupil)) == [copy]
    actions.restore(actor=pupil, delivery=copy)
    assert queries.inbox_for(pupil).count() == 2
    actions.move_to_trash(actor=pupil, delivery=copy)
    Delivery.objects.filter(pk=copy.pk).update(trashed_at=timezone.now() - dt.timedelta(days=31))
    assert actions.purge_trash() == 1
    assert queries.inbox_for(pupil).count() == 1


def test_someone_else_s_copy_is_out_of_reach(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(world.teacher, world.pupil)
    copy = Delivery.objects.get(message=message)
    from django.http import Http404

    with pytest.raises(Http404):
        queries.access_copy(actor(world.pupil2), copy.pk)
    with pytest.raises(Http404):
        queries.access_message(actor(world.pupil2), message.pk)
    with pytest.raises(Http404):
        queries.access_message(actor(world.foreign_admin), message.pk)
    with pytest.raises(PermissionDenied):
        actions.mark_read(actor=actor(world.pupil2), delivery=copy)
    assert queries.access_message(actor(world.pupil), message.pk) == message


def test_search(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(
            world.teacher,
            world.pupil,
            subject="Sortie au musée",
            body="<p>Apportez un pique-nique.</p>",
        )
        send(world.staff, world.pupil, subject="Carnet", body="<p>Signature</p>")
    pupil = actor(world.pupil)
    assert [c.message.subject for c in queries.search_copies(pupil, "musée")] == ["Sortie au musée"]
    assert [c.message.subject for c in queries.search_copies(pupil, "Durand")] == [
        "Sortie au musée"
    ]
    assert not queries.search_copies(actor(world.pupil2), "musée").exists()
