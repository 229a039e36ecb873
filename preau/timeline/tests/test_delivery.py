"""Delivery: e-mail at once by preference, audiences resolved in the background by batches,
exactly once under a simulated crash; digests claimed per person and period; bounces; the
pupils' e-mail policy."""

from __future__ import annotations

import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from preau.core.models import AuditEntry, Notification
from preau.timeline import actions
from preau.timeline.models import Bounce, Channel, Digest, Group, Mode, Period, Preference, Sent
from preau.timeline.tests.conftest import actor, audience, post

pytestmark = pytest.mark.django_db


def prefer(person, group, mode, push=True):
    Preference.objects.update_or_create(
        tenant=person.tenant, person=person, group=group, defaults={"mode": mode, "push": push}
    )


def recipients():
    return sorted(address for m in mail.outbox for address in m.to)


def test_a_message_notification_is_e_mailed_at_once_to_an_adult_by_default(world, delivered):
    n = delivered(world.teacher, [world.guardian], kind="messaging.message", text="Réunion")
    assert recipients() == [world.guardian.email]
    message = mail.outbox[0]
    assert "Réunion" in message.subject
    assert message.from_email == "Préau <no-reply@preau.invalid>"
    assert f"/timeline/{n.pk}/open" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Réunion" in html
    assert "Bonjour Sophie" in html
    assert Sent.objects.filter(notification=n, person=world.guardian, channel="email").exists()
    assert actions.deliver([n.pk]) == 0  # a second run sends nothing
    assert len(mail.outbox) == 1


def test_the_feed_only_and_digest_modes_send_nothing_at_once(world, delivered):
    prefer(world.guardian, Group.MESSAGES, Mode.FEED)
    delivered(world.teacher, [world.guardian], kind="messaging.message")
    delivered(world.teacher, [world.guardian_b], kind="homework.new")  # other: daily digest
    assert mail.outbox == []


def test_an_audience_is_e_mailed_in_the_background_to_who_chose_it_only(
    world, delivered, monkeypatch
):
    monkeypatch.setattr(actions, "BATCH", 2)
    school = audience(world.tenant, "school", school=world.school)
    for person in (world.guardian, world.teacher, world.staff):
        prefer(person, Group.NEWS, Mode.IMMEDIATE)
    prefer(world.other_teacher, Group.NEWS, Mode.IMMEDIATE)  # another school
    prefer(world.pupil, Group.NEWS, Mode.IMMEDIATE)  # a pupil: the tenant sends them none
    n = delivered(world.director, school, text="Collège fermé demain")
    assert recipients() == sorted([world.guardian.email, world.teacher.email, world.staff.email])
    assert Sent.objects.filter(notification=n).count() == 3
    assert actions.deliver([n.pk]) == 0


def test_a_crash_mid_delivery_then_a_rerun_sends_each_e_mail_exactly_once(world, monkeypatch):
    monkeypatch.setattr(actions, "BATCH", 2)
    school = audience(world.tenant, "school", school=world.school)
    people = [world.guardian, world.guardian_b, world.teacher, world.teacher_b, world.staff]
    for person in people:
        prefer(person, Group.NEWS, Mode.IMMEDIATE)
    n = post(world.director, school, text="Collège fermé demain")
    real_send = actions._send_email
    calls = {"n": 0}

    def crash_on_the_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real_send(*args, **kwargs)

    with mock.patch.object(actions, "_send_email", crash_on_the_third), pytest.raises(RuntimeError):
        actions.deliver([n.pk])
    assert len(mail.outbox) == 2
    assert Sent.objects.filter(notification=n).count() == 2  # the failed one released its claim
    actions.deliver([n.pk])  # the retry
    actions.deliver([n.pk])  # and a duplicate run
    assert recipients() == sorted(p.email for p in people)
    assert Sent.objects.filter(notification=n, channel=Channel.EMAIL).count() == 5


def test_an_expired_notification_is_not_delivered(world, delivered):
    delivered(
        world.teacher,
        [world.guardian],
        kind="messaging.message",
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    assert mail.outbox == []


def test_pupils_get_e_mail_only_where_the_tenant_allows_it(world, delivered):
    prefer(world.pupil, Group.MESSAGES, Mode.IMMEDIATE)
    delivered(world.teacher, [world.pupil], kind="messaging.message")
    assert mail.outbox == []
    world.tenant.options = {"pupil_email": True}
    world.tenant.save()
    delivered(world.teacher, [world.pupil], kind="messaging.message")
    assert recipients() == [world.pupil.email]
    # By default (no preference) a pupil's items stay in the feed, even where it is allowed.
    delivered(world.teacher, [world.pupil2], kind="messaging.message")
    assert recipients() == [world.pupil.email]


def refuse(address):
    def send_messages(self, messages):
        for message in messages:
            if address in message.to:
                raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 No such user")})
        mail.outbox.extend(messages)
        return len(messages)

    return send_messages


def test_a_refused_address_is_flagged_and_gets_no_more_e_mail_until_it_changes(
    world, delivered, monkeypatch
):
    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", refuse(world.guardian.email)
    )
    delivered(world.teacher, [world.guardian], kind="messaging.message")
    bounce = Bounce.objects.get()
    assert (bounce.person_id, bounce.address) == (world.guardian.pk, world.guardian.email)
    assert "No such user" in bounce.reason
    assert AuditEntry.objects.filter(
        action="timeline.email_bounced", subject=world.guardian
    ).exists()
    monkeypatch.undo()
    delivered(world.teacher, [world.guardian], kind="messaging.message")
    assert mail.outbox == []  # stopped
    world.guardian.email = "sophie.martin@nouveau.example"
    world.guardian.save()
    delivered(world.teacher, [world.guardian], kind="messaging.message")
    assert recipients() == ["sophie.martin@nouveau.example"]


def test_blocked_people_and_people_without_an_address_get_no_e_mail(world, delivered):
    world.guardian.is_blocked = True
    world.guardian.save()
    world.guardian_b.email = ""
    world.guardian_b.save()
    delivered(world.teacher, [world.guardian, world.guardian_b], kind="messaging.message")
    assert mail.outbox == []


# --- digests ---------------------------------------------------------------------------------


def _morning():
    """08:00 local time today: the daily digest covers yesterday."""
    now = timezone.localtime()
    return now.replace(hour=8, minute=0, second=0, microsecond=0)


def test_period_bounds_are_local_days_and_monday_weeks():
    wednesday = timezone.make_aware(dt.datetime(2026, 12, 2, 6, 30))
    start, end = actions.period_bounds(Period.DAILY, wednesday)
    assert (start, end) == (
        timezone.make_aware(dt.datetime(2026, 12, 1)),
        timezone.make_aware(dt.datetime(2026, 12, 2)),
    )
    start, end = actions.period_bounds(Period.WEEKLY, wednesday)
    assert (start, end) == (
        timezone.make_aware(dt.datetime(2026, 11, 23)),
        timezone.make_aware(dt.datetime(2026, 11, 30)),
    )


def test_the_daily_digest_lists_each_person_s_unread_items_of_yesterday_once(world):
    now = _morning()
    yesterday = now - dt.timedelta(days=1)
    school = audience(world.tenant, "school", school=world.school)
    read = post(world.director, school, text="Déjà lu", at=yesterday)
    post(world.director, school, text="Fermeture jeudi", at=yesterday)
    post(world.teacher, [world.guardian], kind="homework.new", text="Devoir", at=yesterday)
    post(world.director, school, text="Trop vieux", at=yesterday - dt.timedelta(days=1))
    post(world.teacher, [world.guardian], kind="messaging.message", text="Message", at=yesterday)
    actions.mark_read(actor=actor(world.guardian), notification=read)
    for person in (world.guardian, world.teacher):
        prefer(person, Group.OTHER, Mode.DAILY)
    prefer(world.teacher, Group.NEWS, Mode.WEEKLY)
    sent = actions.send_digests(Period.DAILY, now=now)
    by_person = {m.to[0]: m for m in mail.outbox}
    guardian_mail = by_person[world.guardian.email]
    assert "Fermeture jeudi" in guardian_mail.body
    assert "Devoir" in guardian_mail.body
    assert "Déjà lu" not in guardian_mail.body
    assert "Trop vieux" not in guardian_mail.body
    assert "Message" not in guardian_mail.body  # messages go at once, not in the digest
    assert guardian_mail.subject.startswith("[Région Test]")
    assert guardian_mail.alternatives[0][1] == "text/html"
    # The teacher wants news weekly: nothing from yesterday is theirs in the daily one.
    assert world.teacher.email not in by_person
    assert sent == len(mail.outbox)
    assert Digest.objects.filter(person=world.guardian, period="daily").get().items == 2
    assert actions.send_digests(Period.DAILY, now=now) == 0  # re-run: nothing twice
    assert len(mail.outbox) == sent


def test_a_crash_mid_digest_then_a_rerun_sends_each_digest_exactly_once(world):
    now = _morning()
    school = audience(world.tenant, "school", school=world.school)
    post(world.director, school, text="Fermeture", at=now - dt.timedelta(hours=20))
    real_send = actions._send_email
    calls = {"n": 0}

    def crash_on_the_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real_send(*args, **kwargs)

    with mock.patch.object(actions, "_send_email", crash_on_the_third), pytest.raises(RuntimeError):
        actions.send_digests(Period.DAILY, now=now)
    assert len(mail.outbox) == 2
    assert Digest.objects.count() == 2
    actions.send_digests(Period.DAILY, now=now)
    actions.send_digests(Period.DAILY, now=now)
    addresses = recipients()
    assert len(addresses) == len(set(addresses))  # nobody twice
    # Every adult member of the school but its author got one; pupils get none by default.
    expected = {world.guardian, world.guardian_b, world.teacher, world.teacher_b, world.staff}
    expected |= {world.admin}
    assert set(addresses) == {p.email for p in expected}
    assert Digest.objects.count() == len(expected)


def test_the_weekly_digest_covers_last_week(world):
    now = _morning()
    last_week = actions.period_bounds(Period.WEEKLY, now)[0] + dt.timedelta(days=2)
    prefer(world.guardian, Group.NEWS, Mode.WEEKLY)
    school = audience(world.tenant, "school", school=world.school)
    post(world.director, school, text="Conseil de classe", at=last_week)
    assert actions.send_digests(Period.WEEKLY, now=now) == 1
    assert mail.outbox[0].to == [world.guardian.email]
    assert "Conseil de classe" in mail.outbox[0].body
    assert actions.send_digests(Period.WEEKLY, now=now) == 0


def test_digest_tasks_run_the_actions(world, settings):
    from preau.timeline import tasks

    assert tasks.send_daily_digests_task.delay().get() == 0
    assert tasks.send_weekly_digests_task.delay().get() == 0
    assert "timeline-daily-digest" in settings.CELERY_BEAT_SCHEDULE
    assert settings.CELERY_BEAT_SCHEDULE["timeline-weekly-digest"]["task"] == (
        "preau.timeline.tasks.send_weekly_digests_task"
    )
    assert Notification.objects.count() == 0
