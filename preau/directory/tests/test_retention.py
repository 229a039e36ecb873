"""Retention: erasing people on their deletion day, per tenant, with a pseudonymised audit log."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.models import AuditEntry
from preau.directory import actions, retention
from preau.directory.feeds.reconcile import feed_block_reason
from preau.directory.models import (
    GroupMember,
    GuardianLink,
    Membership,
    Person,
    Profile,
    TeachingAssignment,
)
from preau.directory.queries import build_actor
from preau.directory.tasks import erase_expired_people_task

TODAY = dt.date(2027, 1, 15)


def actor_of(person):
    return build_actor(person, tenant=person.tenant)


def pre_delete(person, due):
    """What a complete feed does to someone it no longer lists."""
    Person.objects.filter(pk=person.pk).update(
        is_blocked=True, blocked_reason=feed_block_reason(), deletion_due_on=due
    )


@pytest.fixture
def leaver(world):
    """A pupil typed by hand, edited, moved, who also wrote in the audit log, then pre-deleted."""
    admin = actor_of(world.admin)
    person = actions.create_person(
        actor=admin,
        school=world.school,
        first_name="Zoé",
        last_name="Lefort",
        profile=Profile.PUPIL,
        school_class=world.class_a,
        email="zoe.lefort@example.org",
    )
    actions.update_person(
        actor=admin,
        school=world.school,
        person=person,
        first_name="Zoé",
        last_name="Lefort-Arnaud",
        email="zoe.lefort@example.org",
        school_class=world.class_b,
    )
    actions.set_class_pupils(actor=admin, school_class=world.class_a, pupils=[world.pupil, person])
    actions.set_group_members(actor=admin, group=world.group, people=[world.pupil, person])
    GuardianLink.objects.create(
        tenant=world.tenant, pupil=person, guardian=world.guardian_b, level=1
    )
    # An entry the leaver wrote themselves (a profile page, say), from their IP.
    record_audit(
        actor=Actor(person=person, tenant=world.tenant, ip="192.0.2.7"),
        action="directory.profile_updated",
        target=person,
        subject=person,
        data={"changes": {"phone": ["", "06 12 34 56 78"]}},
    )
    # And an entry they wrote about someone else.
    record_audit(
        actor=Actor(person=person, tenant=world.tenant, ip="192.0.2.7"),
        action="messaging.message_sent",
        target=world.teacher,
        subject=world.teacher,
        data={"to": "Paul Durand"},
    )
    person.refresh_from_db()
    pre_delete(person, TODAY)
    person.refresh_from_db()
    return person


def names_of(person):
    return [
        "Zoé",
        "Lefort",
        person.login,
        person.email,
        "zoe.lefort",
        "06 12 34 56 78",
        "192.0.2.7",
    ]


def test_exactly_the_people_due_today_or_earlier_in_this_tenant_are_erased(world):
    pre_delete(world.pupil2, TODAY)  # due today: erased
    pre_delete(world.pupil_b, TODAY - dt.timedelta(days=40))  # overdue: erased
    pre_delete(world.other_pupil, TODAY + dt.timedelta(days=1))  # due tomorrow: kept
    Person.objects.filter(pk=world.staff.pk).update(is_blocked=True, blocked_reason="À la main")
    pre_delete(world.foreign_pupil, TODAY - dt.timedelta(days=1))  # other tenant: not this run
    people = Person.objects.count()

    assert actions.erase_expired_people(tenant=world.tenant, today=TODAY) == 2

    left = set(Person.objects.values_list("pk", flat=True))
    assert world.pupil2.pk not in left
    assert world.pupil_b.pk not in left
    assert {world.other_pupil.pk, world.staff.pk, world.foreign_pupil.pk} <= left
    assert Person.objects.count() == people - 2
    # Their rows went with them; the others' did not.
    assert not Membership.objects.filter(person_id__in=[world.pupil2.pk, world.pupil_b.pk])
    assert not GroupMember.objects.filter(person_id=world.pupil_b.pk).exists()
    assert not GuardianLink.objects.filter(pupil_id=world.pupil_b.pk).exists()
    assert GuardianLink.objects.filter(pupil=world.pupil).exists()

    # The other tenant is erased when it is run, and only then.
    assert actions.erase_expired_people(tenant=world.other_tenant, today=TODAY) == 1
    assert not Person.objects.filter(pk=world.foreign_pupil.pk).exists()
    assert Person.objects.filter(pk=world.other_pupil.pk).exists()
    # Run again the same day: nothing left to do.
    assert actions.erase_expired_people(tenant=world.tenant, today=TODAY) == 0


def test_today_defaults_to_the_local_date(world):
    pre_delete(world.pupil2, dt.date.today() - dt.timedelta(days=1))
    pre_delete(world.pupil_b, dt.date.today() + dt.timedelta(days=3))
    assert actions.erase_expired_people(tenant=world.tenant) == 1
    assert Person.objects.filter(pk=world.pupil_b.pk).exists()


def test_the_audit_log_keeps_the_facts_but_no_name_of_the_erased_person(world, leaver):
    pk = leaver.pk
    about = list(AuditEntry.objects.filter(subject_id=pk).values_list("pk", flat=True)) + list(
        AuditEntry.objects.filter(actor_id=pk).values_list("pk", flat=True)
    )
    # created, updated, joined class A, joined the group, and two entries written by them
    assert len(set(about)) == 6
    count = AuditEntry.objects.count()

    assert actions.erase_expired_people(tenant=world.tenant, today=TODAY) == 1

    name = retention.pseudonym(tenant_id=world.tenant.pk, person_id=pk)
    assert name.startswith("personne-")
    assert len(name) == len("personne-") + 12
    # Nothing deleted from the log; one entry added.
    assert AuditEntry.objects.count() == count + 1
    for entry in AuditEntry.objects.all():
        data = json.dumps(entry.data, ensure_ascii=False)
        text = " ".join([entry.actor_name, entry.target_repr, data, str(entry.ip or "")])
        for word in names_of(leaver):
            assert word.lower() not in text.lower(), (entry.action, text)

    created = AuditEntry.objects.get(action="directory.person_created", target_id=str(pk))
    assert created.subject_id is None
    assert created.target_repr == name
    assert created.actor == world.admin  # the administrator who wrote it is still named
    assert created.data == {"login": "—", "profile": "—", "functions": "—", "class": "—"}

    updated = AuditEntry.objects.get(action="directory.person_updated", target_id=str(pk))
    assert set(updated.data["changes"]) == {"last_name", "class"}
    assert updated.data["changes"]["last_name"] == "—"

    # About them, but on another target: the target's name stays, their values go.
    moved = AuditEntry.objects.get(action="directory.class_pupil_added")
    assert (moved.target_repr, moved.subject_id, moved.data) == (
        "6e A",
        None,
        {"from": "—", "to": "—"},
    )
    joined = AuditEntry.objects.get(action="directory.group_member_added")
    assert joined.target_repr == "Latin 5e"

    # Written by them: the pseudonym as author, no IP; about someone else: that one is kept.
    sent = AuditEntry.objects.get(action="messaging.message_sent")
    assert (sent.actor_id, sent.actor_name, sent.ip) == (None, name, None)
    assert (sent.subject, sent.target_repr, sent.data) == (
        world.teacher,
        "Paul Durand",
        {"to": "Paul Durand"},
    )
    own = AuditEntry.objects.get(action="directory.profile_updated")
    assert (own.actor_name, own.target_repr, own.ip) == (name, name, None)
    assert own.data == {"changes": {"phone": "—"}}


def test_each_erasure_is_audited_by_pseudonym_with_the_reason(world, leaver):
    actions.erase_expired_people(tenant=world.tenant, today=TODAY)

    entry = AuditEntry.objects.get(action="directory.person_erased")
    name = retention.pseudonym(tenant_id=world.tenant.pk, person_id=leaver.pk)
    assert (entry.tenant, entry.actor, entry.actor_name, entry.school) == (
        world.tenant,
        None,
        "system",
        None,
    )
    assert (entry.target_type, entry.target_id, entry.target_repr, entry.subject) == (
        "directory.person",
        str(leaver.pk),
        name,
        None,
    )
    assert entry.data == {
        "person": name,
        "reason": "retention",
        "deletion_due_on": TODAY.isoformat(),
        "contributions_erased": False,
    }


def test_pseudonyms_are_stable_and_differ_per_person_and_tenant(world, settings):
    a = retention.pseudonym(tenant_id=1, person_id=5)
    assert a == retention.pseudonym(tenant_id=1, person_id=5)
    assert a != retention.pseudonym(tenant_id=1, person_id=6)
    assert a != retention.pseudonym(tenant_id=2, person_id=5)
    settings.SECRET_KEY = "another deployment's key"
    assert a != retention.pseudonym(tenant_id=1, person_id=5)


def test_erasers_run_only_for_people_who_objected_before_their_row_goes(world, monkeypatch):
    seen = []

    def eraser(person):
        # Called inside the transaction, before the row is deleted.
        assert Person.objects.filter(pk=person.pk).exists()
        seen.append(person.pk)

    monkeypatch.setattr(retention, "ERASERS", [eraser])
    pre_delete(world.pupil2, TODAY)
    pre_delete(world.pupil_b, TODAY)
    Person.objects.filter(pk=world.pupil_b.pk).update(erase_contributions=True)

    assert actions.erase_expired_people(tenant=world.tenant, today=TODAY) == 2
    assert seen == [world.pupil_b.pk]
    erased = AuditEntry.objects.filter(action="directory.person_erased")
    assert sorted(e.data["contributions_erased"] for e in erased) == [False, True]


def test_a_failing_eraser_leaves_that_person_for_tomorrow_and_erases_the_others(world, monkeypatch):
    def broken(person):
        raise RuntimeError("content app down")

    monkeypatch.setattr(retention, "ERASERS", [broken])
    pre_delete(world.pupil2, TODAY)
    pre_delete(world.pupil_b, TODAY)
    Person.objects.filter(pk=world.pupil_b.pk).update(erase_contributions=True)
    audit = list(AuditEntry.objects.filter(subject=world.pupil_b).values_list("pk", "data"))

    assert actions.erase_expired_people(tenant=world.tenant, today=TODAY) == 1
    assert not Person.objects.filter(pk=world.pupil2.pk).exists()
    kept = Person.objects.get(pk=world.pupil_b.pk)
    assert kept.deletion_due_on == TODAY
    assert Membership.objects.filter(person=kept).exists()
    assert list(AuditEntry.objects.filter(subject=kept).values_list("pk", "data")) == audit


def test_retention_keeps_the_rows_of_those_who_stay(world):
    before = (
        Membership.objects.exclude(person=world.pupil2).count(),
        TeachingAssignment.objects.count(),
        GuardianLink.objects.count(),
    )
    pre_delete(world.pupil2, TODAY)
    actions.erase_expired_people(tenant=world.tenant, today=TODAY)
    assert (
        Membership.objects.count(),
        TeachingAssignment.objects.count(),
        GuardianLink.objects.count(),
    ) == before


def test_the_task_runs_every_tenant(world):
    pre_delete(world.pupil2, dt.date.today())
    pre_delete(world.foreign_pupil, dt.date.today() - dt.timedelta(days=1))
    pre_delete(world.pupil_b, dt.date.today() + dt.timedelta(days=1))

    assert erase_expired_people_task.delay().get() == 2
    assert not Person.objects.filter(pk__in=[world.pupil2.pk, world.foreign_pupil.pk]).exists()
    assert Person.objects.filter(pk=world.pupil_b.pk).exists()


def test_the_command_prints_how_many_were_erased(world):
    pre_delete(world.pupil2, TODAY)
    pre_delete(world.foreign_pupil, TODAY)
    out = StringIO()
    call_command("erase_expired_people", "--today", "2027-01-14", stdout=out)
    assert "Erased in all: 0." in out.getvalue()
    assert Person.objects.filter(pk=world.pupil2.pk).exists()

    out = StringIO()
    call_command("erase_expired_people", "--today", "2027-01-15", "--tenant", "autre", stdout=out)
    assert out.getvalue().splitlines() == ["autre: 1 erased", "Erased in all: 1."]
    assert Person.objects.filter(pk=world.pupil2.pk).exists()

    out = StringIO()
    call_command("erase_expired_people", "--today", "2027-01-15", stdout=out)
    assert out.getvalue().splitlines() == [
        "region-test: 1 erased",
        "autre: 0 erased",
        "Erased in all: 1.",
    ]


def test_the_command_refuses_a_malformed_day_or_an_unknown_tenant(world):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("erase_expired_people", "--today", "15/01/2027", stdout=StringIO())
    with pytest.raises(CommandError, match="No tenant"):
        call_command("erase_expired_people", "--tenant", "nowhere", stdout=StringIO())


def test_scrub_data_keeps_keys_at_every_depth():
    assert retention.scrub_data({"a": 1, "b": {"c": [1, 2], "d": None}, "e": "x"}) == {
        "a": "—",
        "b": {"c": "—", "d": "—"},
        "e": "—",
    }
    assert retention.scrub_data(["x"]) == "—"


def test_former_user_name_is_the_neutral_author_of_kept_contributions():
    from django.utils import translation

    with translation.override("en"):
        assert retention.former_user_name() == "Former user"
