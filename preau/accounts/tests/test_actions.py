"""The administrators' actions: who may block, reset and issue codes; what each one writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from preau.accounts import actions
from preau.accounts.models import ApiToken, LoginAttempt, OneTimeCode, UserSession
from preau.accounts.tests.helpers import CODE_RE, is_logged_in
from preau.core.models import AuditEntry
from preau.directory.tests.factories import TEST_PASSWORD

ALLOWED = ["admin", "authority_admin", "operator"]
REFUSED = ["other_admin", "teacher", "director", "pupil2", "foreign_admin"]


def state(person: Any) -> tuple[Any, ...]:
    person.refresh_from_db()
    return (
        person.is_blocked,
        person.blocked_reason,
        person.password,
        person.activated_at,
        list(OneTimeCode.objects.filter(person=person).values_list("pk", "expires_at", "used_at")),
        list(UserSession.objects.filter(person=person).values_list("pk")),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("who", ALLOWED)
def test_administrators_of_the_school_block_a_pupil(world, actor_of, login_client, who):
    session = login_client(world.pupil)
    actor = actor_of(getattr(world, who))
    actions.block_person(actor=actor, person=world.pupil, reason="  Usurpation  d'identité ")
    world.pupil.refresh_from_db()
    assert world.pupil.is_blocked
    assert world.pupil.blocked_reason == "Usurpation d'identité"
    assert not UserSession.objects.filter(person=world.pupil).exists()
    assert not is_logged_in(session)
    entry = AuditEntry.objects.get(action="accounts.person_blocked")
    assert entry.actor_id == actor.person.pk
    assert entry.subject_id == world.pupil.pk
    assert entry.data == {"reason": "Usurpation d'identité", "sessions_ended": 1}


@pytest.mark.parametrize("who", REFUSED)
@pytest.mark.parametrize("verb", ["block", "unblock", "reset", "codes"])
def test_others_are_refused_and_nothing_changes(world, actor_of, login_client, who, verb):
    login_client(world.pupil)
    actor = actor_of(getattr(world, who))
    before = state(world.pupil)
    calls = {
        "block": lambda: actions.block_person(actor=actor, person=world.pupil, reason="Test"),
        "unblock": lambda: actions.unblock_person(actor=actor, person=world.pupil),
        "reset": lambda: actions.reset_password(actor=actor, person=world.pupil),
        "codes": lambda: actions.issue_activation_codes(actor=actor, people=[world.pupil]),
    }
    with pytest.raises(PermissionDenied):
        calls[verb]()
    assert state(world.pupil) == before


def test_the_other_tenants_person_is_refused(world, actor_of):
    for who in ("admin", "operator"):
        actor = actor_of(getattr(world, who))
        before = state(world.foreign_pupil)
        with pytest.raises(PermissionDenied):
            actions.block_person(actor=actor, person=world.foreign_pupil, reason="Test")
        with pytest.raises(PermissionDenied):
            actions.issue_activation_codes(actor=actor, people=[world.foreign_pupil])
        assert state(world.foreign_pupil) == before


def test_nobody_blocks_themself_and_a_reason_is_needed(world, actor_of):
    actor = actor_of(world.admin)
    before = state(world.admin)
    with pytest.raises(ValidationError):
        actions.block_person(actor=actor, person=world.admin, reason="Test")
    assert state(world.admin) == before
    before = state(world.pupil)
    for reason in ("   ", "x" * 201):
        with pytest.raises(ValidationError) as error:
            actions.block_person(actor=actor, person=world.pupil, reason=reason)
        assert "reason" in error.value.message_dict
    assert state(world.pupil) == before


def test_unblock(world, actor_of):
    actor = actor_of(world.admin)
    actions.block_person(actor=actor, person=world.pupil, reason="Test")
    actions.unblock_person(actor=actor, person=world.pupil)
    world.pupil.refresh_from_db()
    assert not world.pupil.is_blocked
    assert world.pupil.blocked_reason == ""
    assert AuditEntry.objects.filter(
        action="accounts.person_unblocked", subject=world.pupil, actor=world.admin
    ).exists()


def test_admin_reset_password_returns_a_working_activation_code(world, actor_of, login_client):
    session = login_client(world.pupil)
    code = actions.reset_password(actor=actor_of(world.admin), person=world.pupil)
    assert CODE_RE.fullmatch(code)
    world.pupil.refresh_from_db()
    assert not world.pupil.has_usable_password()
    assert world.pupil.activated_at is None
    assert not is_logged_in(session)
    assert AuditEntry.objects.filter(
        action="accounts.password_reset_by_admin", subject=world.pupil
    ).exists()
    person = actions.activate_account(
        tenant=world.tenant,
        login=world.pupil.login,
        code=code,
        password="nouveau départ 2027",
        accept_terms=True,
        ip="192.0.2.9",
    )
    assert person.check_password("nouveau départ 2027")
    assert not person.check_password(TEST_PASSWORD)


def test_issue_activation_codes(world, actor_of):
    actor = actor_of(world.admin)
    first = actions.issue_activation_codes(actor=actor, people=[world.pupil, world.guardian])
    assert [p for p, _ in first] == [world.pupil, world.guardian]
    assert all(CODE_RE.fullmatch(code) for _, code in first)
    for _, code in first:
        assert not OneTimeCode.objects.filter(code_hash__contains=code.replace("-", "")).exists()
    assert AuditEntry.objects.filter(action="accounts.activation_code_issued").count() == 2
    # A new letter: the older, unused code stops working.
    ((_, second),) = actions.issue_activation_codes(actor=actor, people=[world.pupil])
    assert second != first[0][1]
    with pytest.raises(ValidationError) as error:
        actions.activate_account(
            tenant=world.tenant,
            login=world.pupil.login,
            code=first[0][1],
            password="nouveau départ 2027",
            accept_terms=True,
            ip=None,
        )
    assert "plus récent" in str(error.value)  # French by default


def test_issue_codes_writes_nothing_if_one_person_is_refused(world, actor_of):
    actor = actor_of(world.admin)
    before = OneTimeCode.objects.count(), AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        actions.issue_activation_codes(actor=actor, people=[world.pupil, world.other_pupil])
    assert (OneTimeCode.objects.count(), AuditEntry.objects.count()) == before


def test_create_and_revoke_api_token(world, actor_of):
    actor = actor_of(world.teacher)
    row, token = actions.create_api_token(actor=actor, label="Export des notes")
    assert token.startswith("preau_")
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.key_hash
    assert AuditEntry.objects.filter(action="accounts.api_token_created", actor=world.teacher)
    with pytest.raises(ValidationError):
        actions.create_api_token(actor=actor, label="  ")
    from django.http import Http404

    with pytest.raises(Http404):
        actions.revoke_api_token(actor=actor_of(world.teacher_b), token_id=row.pk)
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None
    actions.revoke_api_token(actor=actor, token_id=row.pk)
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None


def test_purge_stale_rows(world, login_client):

    live = login_client(world.pupil)
    UserSession.objects.create(tenant=world.tenant, person=world.pupil, session_key="x" * 32)
    old = timezone.now() - dt.timedelta(days=8)
    LoginAttempt.objects.create(tenant=world.tenant, login="a", ip="192.0.2.1")
    LoginAttempt.objects.create(tenant=world.tenant, login="b", ip="192.0.2.1")
    LoginAttempt.objects.filter(login="a").update(at=old)
    OneTimeCode.objects.create(
        tenant=world.tenant,
        person=world.pupil,
        purpose="reset",
        code_hash="h",
        expires_at=timezone.now() - dt.timedelta(days=31),
    )
    OneTimeCode.objects.create(
        tenant=world.tenant,
        person=world.pupil,
        purpose="reset",
        code_hash="k",
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    out = io.StringIO()
    call_command("purge_accounts", stdout=out)
    assert "Deleted 1 failed logins, 1 codes, 1 ended sessions." in out.getvalue()
    assert list(LoginAttempt.objects.values_list("login", flat=True)) == ["b"]
    assert list(OneTimeCode.objects.values_list("code_hash", flat=True)) == ["k"]
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [
        live.session.session_key
    ]
    assert is_logged_in(live)
