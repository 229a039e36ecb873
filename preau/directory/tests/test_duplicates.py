"""Possible duplicates proposed by the feeds: merge, dismiss, and who may see and do it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from preau.core.audit import record_audit
from preau.core.models import AuditEntry
from preau.directory import actions
from preau.directory.feeds.reconcile import feed_block_reason
from preau.directory.models import (
    Audience,
    AudienceTarget,
    DuplicateCandidate,
    GroupMember,
    GuardianLink,
    Membership,
    Person,
    Profile,
    TeachingAssignment,
)
from preau.directory.queries import access_duplicate, build_actor, duplicates_of_school
from preau.directory.tests import factories as f

ACTIVATED = dt.datetime(2026, 9, 3, 8, 30, tzinfo=dt.UTC)


def actor_of(person):
    return build_actor(person, tenant=person.tenant)


@pytest.fixture
def case(world):
    """Inès Roche, typed by hand in the school, and her twin created by the AAF feed."""
    existing = f.PersonFactory(
        tenant=world.tenant,
        first_name="Inès",
        last_name="Roche",
        login="ines.roche",
        email="ines@example.org",
        activated_at=ACTIVATED,
        avatar="avatars/ines.png",
    )
    Membership.objects.create(
        tenant=world.tenant,
        person=existing,
        school=world.school,
        year=world.year,
        profile=Profile.PUPIL,
    )
    GroupMember.objects.create(tenant=world.tenant, group=world.group, person=existing)
    GuardianLink.objects.create(
        tenant=world.tenant, pupil=existing, guardian=world.guardian, level=1
    )

    incoming = f.PersonFactory(
        tenant=world.tenant,
        first_name="Inès",
        last_name="Roche",
        login="ines.roche2",
        email="",
        activated_at=None,
        external_id="AAF-4711",
        source="aaf",
        ine="0123456789A",
        birth_date=dt.date(2014, 5, 6),
    )
    incoming.set_unusable_password()
    incoming.save()
    m = {
        "same": Membership.objects.create(  # clashes with the hand-made one: skipped
            tenant=world.tenant,
            person=incoming,
            school=world.school,
            year=world.year,
            profile=Profile.PUPIL,
            school_class=world.class_a,
        ),
        "other": Membership.objects.create(  # a second place: moved
            tenant=world.tenant,
            person=incoming,
            school=world.other_school,
            year=world.year,
            profile=Profile.GUARDIAN,
        ),
    }
    groups = {
        "same": GroupMember.objects.create(tenant=world.tenant, group=world.group, person=incoming),
        "new": GroupMember.objects.create(
            tenant=world.tenant,
            group=f.GroupFactory(school=world.school, year=world.year, code="CHO"),
            person=incoming,
        ),
    }
    assignment = TeachingAssignment.objects.create(
        tenant=world.tenant,
        teacher=incoming,
        school=world.other_school,
        year=world.year,
        school_class=world.other_class,
        subject=world.maths,
    )
    links = {
        "same": GuardianLink.objects.create(  # she already has this guardian: skipped
            tenant=world.tenant, pupil=incoming, guardian=world.guardian, level=2
        ),
        "as_pupil": GuardianLink.objects.create(
            tenant=world.tenant, pupil=incoming, guardian=world.guardian_b, level=1
        ),
        "as_guardian": GuardianLink.objects.create(
            tenant=world.tenant, pupil=world.other_pupil, guardian=incoming, level=1
        ),
        "between": GuardianLink.objects.create(  # would link her to herself: skipped
            tenant=world.tenant, pupil=existing, guardian=incoming, level=2
        ),
    }
    candidate = DuplicateCandidate.objects.create(
        tenant=world.tenant,
        school=world.school,
        existing=existing,
        incoming=incoming,
        reason="name_birth",
    )
    return {
        "existing": existing,
        "incoming": incoming,
        "memberships": m,
        "groups": groups,
        "assignment": assignment,
        "links": links,
        "candidate": candidate,
    }


def state():
    """Everything a merge or a dismissal writes, to assert that a refusal changed nothing."""
    return (
        list(
            Person.objects.order_by("pk").values_list(
                "pk", "login", "external_id", "source", "ine", "email", "birth_date"
            )
        ),
        list(Membership.objects.order_by("pk").values_list("pk", "person_id", "school_class_id")),
        list(GroupMember.objects.order_by("pk").values_list("pk", "person_id")),
        list(TeachingAssignment.objects.order_by("pk").values_list("pk", "teacher_id")),
        list(GuardianLink.objects.order_by("pk").values_list("pk", "pupil_id", "guardian_id")),
        list(
            DuplicateCandidate.objects.order_by("pk").values_list(
                "pk", "existing_id", "incoming_id", "status", "resolved_by_id"
            )
        ),
        AuditEntry.objects.count(),
    )


# --- merge ---------------------------------------------------------------------------------------


def test_merge_keeps_the_hand_made_account_and_takes_the_feeds_identity(world, case):
    existing, incoming = case["existing"], case["incoming"]
    password = existing.password

    kept = actions.merge_duplicate(actor=actor_of(world.admin), candidate=case["candidate"])

    assert kept.pk == existing.pk
    kept.refresh_from_db()
    assert (kept.login, kept.password, kept.activated_at, kept.avatar.name) == (
        "ines.roche",
        password,
        ACTIVATED,
        "avatars/ines.png",
    )
    assert kept.check_password(f.TEST_PASSWORD)
    assert (kept.external_id, kept.source, kept.ine, kept.birth_date) == (
        "AAF-4711",
        "aaf",
        "0123456789A",
        dt.date(2014, 5, 6),
    )
    assert kept.email == "ines@example.org"  # the feed had none
    assert not Person.objects.filter(pk=incoming.pk).exists()


def test_merge_moves_places_and_links_and_skips_what_the_account_has(world, case):
    existing, incoming = case["existing"], case["incoming"]
    links = case["links"]

    actions.merge_duplicate(actor=actor_of(world.admin), candidate=case["candidate"])

    memberships = list(
        Membership.objects.filter(person=existing)
        .order_by("school_id", "profile")
        .values_list("pk", "school_id", "profile", "school_class_id")
    )
    hand_made = Membership.objects.get(person=existing, school=world.school)
    assert memberships == [
        (hand_made.pk, world.school.pk, Profile.PUPIL, world.class_a.pk),  # took the feed's class
        (case["memberships"]["other"].pk, world.other_school.pk, Profile.GUARDIAN, None),
    ]
    assert not Membership.objects.filter(pk=case["memberships"]["same"].pk).exists()

    assert sorted(
        GroupMember.objects.filter(person=existing).values_list("group_id", flat=True)
    ) == sorted([world.group.pk, case["groups"]["new"].group_id])
    assert GroupMember.objects.get(pk=case["groups"]["new"].pk).person_id == existing.pk
    assert GroupMember.objects.filter(group=world.group, person=existing).count() == 1

    assignment = TeachingAssignment.objects.get(pk=case["assignment"].pk)
    assert assignment.teacher_id == existing.pk

    assert sorted(
        GuardianLink.objects.filter(pupil=existing).values_list("guardian_id", "level")
    ) == sorted([(world.guardian.pk, 1), (world.guardian_b.pk, 1)])
    assert GuardianLink.objects.get(pk=links["as_pupil"].pk).pupil_id == existing.pk
    assert GuardianLink.objects.get(pk=links["as_guardian"].pk).guardian_id == existing.pk
    assert not GuardianLink.objects.filter(pk__in=[links["same"].pk, links["between"].pk]).exists()
    assert not GuardianLink.objects.filter(pupil=existing, guardian=existing).exists()
    # Nothing refers to the incoming row any more.
    assert not Membership.objects.filter(person_id=incoming.pk).exists()
    assert not GuardianLink.objects.filter(guardian_id=incoming.pk).exists()


def test_merge_takes_the_feeds_email_and_keeps_a_known_birth_date(world, case):
    existing, incoming = case["existing"], case["incoming"]
    Person.objects.filter(pk=existing.pk).update(birth_date=dt.date(2014, 5, 7), ine="")
    Person.objects.filter(pk=incoming.pk).update(email="ines.roche@ac-lyon.fr")

    kept = actions.merge_duplicate(actor=actor_of(world.admin), candidate=case["candidate"])
    kept.refresh_from_db()
    assert (kept.email, kept.birth_date, kept.ine) == (
        "ines.roche@ac-lyon.fr",
        dt.date(2014, 5, 7),
        "0123456789A",
    )


def test_merge_lifts_a_feeds_pre_deletion_of_the_kept_account(world, case):
    Person.objects.filter(pk=case["existing"].pk).update(
        is_blocked=True, blocked_reason=feed_block_reason(), deletion_due_on=dt.date(2027, 1, 1)
    )
    kept = actions.merge_duplicate(actor=actor_of(world.admin), candidate=case["candidate"])
    kept.refresh_from_db()
    assert (kept.is_blocked, kept.blocked_reason, kept.deletion_due_on) == (False, "", None)


def test_a_block_by_hand_stays(world, case):
    Person.objects.filter(pk=case["existing"].pk).update(
        is_blocked=True, blocked_reason="Compte suspendu"
    )
    kept = actions.merge_duplicate(actor=actor_of(world.admin), candidate=case["candidate"])
    kept.refresh_from_db()
    assert (kept.is_blocked, kept.blocked_reason) == (True, "Compte suspendu")


def test_merge_marks_the_candidate_merged_and_dismisses_the_others_naming_the_feeds_person(
    world, case
):
    existing, incoming = case["existing"], case["incoming"]
    lookalike = f.PersonFactory(tenant=world.tenant, first_name="Inès", last_name="Roché")
    other_open = DuplicateCandidate.objects.create(
        tenant=world.tenant,
        school=world.school,
        existing=lookalike,
        incoming=incoming,
        reason="name_birth",
    )
    unrelated = DuplicateCandidate.objects.create(
        tenant=world.tenant,
        school=world.school,
        existing=lookalike,
        incoming=world.pupil2,
        reason="name_birth",
    )
    candidate = case["candidate"]

    actions.merge_duplicate(actor=actor_of(world.admin), candidate=candidate)

    # The caller's object shows the outcome too.
    assert candidate.status == DuplicateCandidate.Status.MERGED
    candidate.refresh_from_db()
    assert (candidate.status, candidate.resolved_by, candidate.existing, candidate.incoming) == (
        DuplicateCandidate.Status.MERGED,
        world.admin,
        existing,
        existing,  # re-pointed: the incoming row is gone
    )
    assert candidate.resolved_at is not None
    other_open.refresh_from_db()
    assert (other_open.status, other_open.resolved_by, other_open.incoming) == (
        DuplicateCandidate.Status.DISMISSED,
        world.admin,
        existing,
    )
    unrelated.refresh_from_db()
    assert unrelated.status == DuplicateCandidate.Status.OPEN


def test_merge_is_audited_on_the_kept_person_and_their_history_follows_them(world, case):
    existing, incoming = case["existing"], case["incoming"]
    admin = actor_of(world.admin)
    earlier = record_audit(
        actor=admin, action="directory.person_updated", target=incoming, subject=incoming
    )
    audience = Audience.objects.create(tenant=world.tenant, label="Inès")
    target = AudienceTarget.objects.create(
        tenant=world.tenant, audience=audience, kind=AudienceTarget.Kind.PERSON, person=incoming
    )

    actions.merge_duplicate(actor=admin, candidate=case["candidate"])

    entry = AuditEntry.objects.get(action="directory.duplicate_merged")
    assert (entry.actor, entry.subject, entry.target_type, entry.target_id, entry.school) == (
        world.admin,
        existing,
        "directory.person",
        str(existing.pk),
        world.school,
    )
    assert entry.data["incoming"] == {
        "id": incoming.pk,
        "login": "ines.roche2",
        "external_id": "AAF-4711",
        "source": "aaf",
    }
    assert entry.data["moved"] == {
        "memberships": 1,
        "classes_filled": 1,
        "group_memberships": 1,
        "assignments": 1,
        "guardian_links": 2,
        "audience_targets": 1,
    }
    assert entry.data["skipped"] == {
        "memberships": 1,
        "group_memberships": 1,
        "assignments": 0,
        "guardian_links": 2,
    }
    assert set(entry.data["changes"]) == {"external_id", "source", "ine", "birth_date"}
    earlier.refresh_from_db()
    assert (earlier.subject_id, earlier.target_id) == (existing.pk, str(existing.pk))
    target.refresh_from_db()
    assert target.person_id == existing.pk


def test_a_merged_or_dismissed_candidate_cannot_be_merged_again(world, case):
    admin = actor_of(world.admin)
    actions.merge_duplicate(actor=admin, candidate=case["candidate"])
    before = state()
    with pytest.raises(ValidationError) as exc:
        actions.merge_duplicate(actor=admin, candidate=case["candidate"])
    assert exc.value.code == "resolved"
    with pytest.raises(ValidationError):
        actions.dismiss_duplicate(actor=admin, candidate=case["candidate"])
    assert state() == before


def test_a_dismissed_candidate_cannot_be_merged(world, case):
    admin = actor_of(world.admin)
    candidate = case["candidate"]
    actions.dismiss_duplicate(actor=admin, candidate=candidate)
    before = state()
    # Even from a stale copy that still says "open".
    stale = DuplicateCandidate.objects.get(pk=candidate.pk)
    stale.status = DuplicateCandidate.Status.OPEN
    with pytest.raises(ValidationError):
        actions.merge_duplicate(actor=admin, candidate=stale)
    assert state() == before


def test_an_account_already_linked_to_the_feed_is_not_overwritten(world, case):
    Person.objects.filter(pk=case["existing"].pk).update(external_id="AAF-0001", source="aaf")
    before = state()
    with pytest.raises(ValidationError) as exc:
        actions.merge_duplicate(actor=actor_of(world.admin), candidate=case["candidate"])
    assert exc.value.code == "already_linked"
    assert state() == before


@pytest.mark.parametrize("role", ["admin", "authority_admin", "operator"])
def test_whoever_administers_the_school_merges(world, case, role):
    kept = actions.merge_duplicate(
        actor=actor_of(getattr(world, role)), candidate=case["candidate"]
    )
    assert kept.pk == case["existing"].pk


@pytest.mark.parametrize("role", ["other_admin", "foreign_admin", "teacher", "director", "pupil"])
@pytest.mark.parametrize("action", [actions.merge_duplicate, actions.dismiss_duplicate])
def test_others_cannot_merge_or_dismiss_and_nothing_changes(world, case, role, action):
    before = state()
    with pytest.raises(PermissionDenied):
        action(actor=actor_of(getattr(world, role)), candidate=case["candidate"])
    assert state() == before


def test_a_candidate_of_another_tenant_is_refused_even_to_its_operator_lookalike(world, case):
    foreign_operator = f.PersonFactory(tenant=world.other_tenant, is_operator=True)
    before = state()
    with pytest.raises(PermissionDenied):
        actions.merge_duplicate(actor=actor_of(foreign_operator), candidate=case["candidate"])
    assert state() == before


# --- dismiss -------------------------------------------------------------------------------------


def test_dismiss_marks_it_and_leaves_both_accounts(world, case):
    candidate = case["candidate"]
    before = state()
    actions.dismiss_duplicate(actor=actor_of(world.admin), candidate=candidate)

    assert candidate.status == DuplicateCandidate.Status.DISMISSED
    candidate.refresh_from_db()
    assert (candidate.status, candidate.resolved_by) == (
        DuplicateCandidate.Status.DISMISSED,
        world.admin,
    )
    assert candidate.resolved_at is not None
    people, memberships, groups, assignments, links, _candidates, audit = state()
    assert (people, memberships, groups, assignments, links) == before[:5]
    assert audit == before[6] + 1
    entry = AuditEntry.objects.get(action="directory.duplicate_dismissed")
    assert (entry.actor, entry.subject, entry.school) == (
        world.admin,
        case["existing"],
        world.school,
    )
    assert entry.data == {
        "candidate": candidate.pk,
        "incoming": case["incoming"].pk,
        "reason": "name_birth",
    }


# --- queries -------------------------------------------------------------------------------------


def test_duplicates_of_school_lists_the_open_ones_in_one_query(
    world, case, django_assert_num_queries
):
    dismissed = DuplicateCandidate.objects.create(
        tenant=world.tenant,
        school=world.school,
        existing=world.pupil,
        incoming=world.pupil2,
        reason="ine",
        status=DuplicateCandidate.Status.DISMISSED,
    )
    elsewhere = DuplicateCandidate.objects.create(
        tenant=world.tenant,
        school=world.other_school,
        existing=world.other_pupil,
        incoming=world.pupil2,
        reason="ine",
    )
    admin = actor_of(world.admin)
    with django_assert_num_queries(1):
        rows = [
            (c.pk, c.existing.login, c.incoming.login)
            for c in duplicates_of_school(admin, world.school)
        ]
    assert rows == [(case["candidate"].pk, "ines.roche", "ines.roche2")]
    assert dismissed.pk not in [r[0] for r in rows]
    assert [
        c.pk for c in duplicates_of_school(actor_of(world.other_admin), world.other_school)
    ] == [elsewhere.pk]


@pytest.mark.parametrize("role", ["other_admin", "foreign_admin", "teacher"])
def test_duplicates_of_school_is_a_404_to_who_does_not_administer_it(world, case, role):
    with pytest.raises(Http404):
        duplicates_of_school(actor_of(getattr(world, role)), world.school)


def test_access_duplicate_gives_it_to_its_schools_administrators_only(world, case):
    pk = case["candidate"].pk
    for role in ("admin", "authority_admin", "operator"):
        assert access_duplicate(actor_of(getattr(world, role)), pk).pk == pk
    for role in ("other_admin", "foreign_admin", "teacher", "pupil"):
        with pytest.raises(Http404):
            access_duplicate(actor_of(getattr(world, role)), pk)
    with pytest.raises(Http404):
        access_duplicate(actor_of(world.admin), pk + 1000)


def test_access_duplicate_hides_another_tenants_candidate(world):
    foreign = f.PersonFactory(
        tenant=world.other_tenant, first_name="Emma", last_name="Petit", login="emma.petit2"
    )
    candidate = DuplicateCandidate.objects.create(
        tenant=world.other_tenant,
        school=world.foreign_school,
        existing=world.foreign_pupil,
        incoming=foreign,
        reason="name_birth",
    )
    assert access_duplicate(actor_of(world.foreign_admin), candidate.pk) == candidate
    for role in ("admin", "operator", "authority_admin"):
        with pytest.raises(Http404):
            access_duplicate(actor_of(getattr(world, role)), candidate.pk)
        with pytest.raises(PermissionDenied):
            actions.merge_duplicate(actor=actor_of(getattr(world, role)), candidate=candidate)
    assert Person.objects.filter(pk=foreign.pk).exists()
