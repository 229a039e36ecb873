"""Forgotten password: a code by e-mail valid 24 hours, the same answer for everyone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from preau.accounts.models import OneTimeCode, UserSession
from preau.accounts.tests.helpers import (
    CODE_RE,
    NEW_PASSWORD,
    anonymous,
    is_logged_in,
    make_unactivated,
    text,
)
from preau.core.models import AuditEntry
from preau.directory.tests.factories import TEST_PASSWORD


@pytest.fixture
def ask(django_capture_on_commit_callbacks: Any) -> Any:
    """`ask(identifier)`: submit the forgotten-password form, e-mails sent as on commit."""

    def submit(identifier: str, *, host: str = "testserver") -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return anonymous(host).post("/accounts/reset/", {"identifier": identifier})

    return submit


def post_confirm(client: Any, login: str, code: str, **overrides: Any) -> Any:
    data = {
        "login": login,
        "code": code,
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        **overrides,
    }
    return client.post("/accounts/reset/confirm/", data)


def code_in(mail: Any) -> str:
    match = CODE_RE.search(mail.body)
    assert match, mail.body
    return match.group(0)


def still_old_password(person: Any) -> bool:
    person.refresh_from_db()
    return person.check_password(TEST_PASSWORD)


def test_reset_by_login_sends_a_code_and_the_link(world, ask, mailoutbox):
    response = ask(world.pupil.login)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reset/confirm/?login=l%C3%A9a.martin"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [world.pupil.email]
    assert "http://testserver/accounts/reset/confirm/?login=l%C3%A9a.martin" in mail.body
    code = code_in(mail)
    row = OneTimeCode.objects.get(person=world.pupil, purpose="reset")
    assert code not in row.code_hash
    assert row.expires_at - row.created_at == pytest.approx(
        dt.timedelta(hours=24), abs=dt.timedelta(seconds=5)
    )
    assert AuditEntry.objects.filter(
        action="accounts.password_reset_requested", subject=world.pupil
    ).exists()


def test_reset_with_the_code_changes_the_password_and_ends_other_sessions(
    world, ask, mailoutbox, login_client
):
    old_session = login_client(world.pupil)
    ask(world.pupil.email)
    code = code_in(mailoutbox[0])
    client = anonymous()
    response = post_confirm(client, world.pupil.login, code.lower())
    assert response.status_code == 302
    world.pupil.refresh_from_db()
    assert world.pupil.check_password(NEW_PASSWORD)
    assert OneTimeCode.objects.get(person=world.pupil).used_at is not None
    assert not is_logged_in(old_session)
    assert is_logged_in(client)
    assert list(UserSession.objects.filter(person=world.pupil).values_list("session_key")) == [
        (client.session.session_key,)
    ]
    assert AuditEntry.objects.filter(
        action="accounts.password_reset_with_code", actor=world.pupil
    ).exists()


def test_unknown_account_gets_the_same_answer_and_no_mail(world, ask, mailoutbox):
    known = ask(world.pupil.email)
    unknown = ask("personne@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/reset/confirm/"
    assert [str(m) for m in get_messages(known.wsgi_request)] == [
        str(m) for m in get_messages(unknown.wsgi_request)
    ]
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("state", ["blocked", "not_activated", "no_email"])
def test_no_mail_for_accounts_that_cannot_reset(world, ask, mailoutbox, state):
    if state == "blocked":
        world.pupil.is_blocked = True
        world.pupil.save(update_fields=["is_blocked"])
    elif state == "not_activated":
        make_unactivated(world.pupil)
    else:
        world.pupil.email = ""
        world.pupil.save(update_fields=["email"])
    assert ask(world.pupil.login).status_code == 302
    assert mailoutbox == []
    assert not OneTimeCode.objects.exists()


def test_other_tenants_host_does_not_send_for_this_tenant(world, ask, mailoutbox):
    assert ask(world.pupil.login, host="other.test").status_code == 302
    assert mailoutbox == []


def test_code_expires_after_24_hours(world, ask, mailoutbox):
    ask(world.pupil.login)
    code = code_in(mailoutbox[0])
    past = timezone.now() - dt.timedelta(hours=24, minutes=1)
    OneTimeCode.objects.update(created_at=past, expires_at=past + dt.timedelta(hours=24))
    response = post_confirm(anonymous(), world.pupil.login, code)
    assert "This code has expired" in text(response)
    assert still_old_password(world.pupil)


def test_code_is_still_good_just_before_24_hours(world, ask, mailoutbox):
    ask(world.pupil.login)
    code = code_in(mailoutbox[0])
    past = timezone.now() - dt.timedelta(hours=23, minutes=59)
    OneTimeCode.objects.update(created_at=past, expires_at=past + dt.timedelta(hours=24))
    assert post_confirm(anonymous(), world.pupil.login, code).status_code == 302


def test_reused_code_is_refused(world, ask, mailoutbox):
    ask(world.pupil.login)
    code = code_in(mailoutbox[0])
    assert post_confirm(anonymous(), world.pupil.login, code).status_code == 302
    response = post_confirm(
        anonymous(),
        world.pupil.login,
        code,
        password="encore autre 2028",
        password_confirm="encore autre 2028",
    )
    assert "already been used" in text(response)
    world.pupil.refresh_from_db()
    assert world.pupil.check_password(NEW_PASSWORD)


def test_a_new_request_invalidates_the_older_code(world, ask, mailoutbox):
    ask(world.pupil.login)
    ask(world.pupil.login)
    first, second = code_in(mailoutbox[0]), code_in(mailoutbox[1])
    response = post_confirm(anonymous(), world.pupil.login, first)
    assert "replaced by a more recent one" in text(response)
    assert still_old_password(world.pupil)
    assert post_confirm(anonymous(), world.pupil.login, second).status_code == 302


def test_wrong_code_and_password_mismatch_change_nothing(world, ask, mailoutbox):
    ask(world.pupil.login)
    code = code_in(mailoutbox[0])
    wrong = "ABCD-EFGH" if code != "ABCD-EFGH" else "HGFE-DCBA"
    assert "do not match" in text(post_confirm(anonymous(), world.pupil.login, wrong))
    mismatch = post_confirm(anonymous(), world.pupil.login, code, password_confirm="x" * 12)
    assert "The two passwords are different." in text(mismatch)
    assert still_old_password(world.pupil)
    assert OneTimeCode.objects.get().used_at is None


def test_requests_per_hour_are_capped(world, ask, mailoutbox):
    for _ in range(4):
        assert ask(world.pupil.login).status_code == 302
    assert len(mailoutbox) == 3


def test_a_family_e_mail_gets_one_code_per_account(world, ask, mailoutbox):
    world.pupil.email = world.guardian.email
    world.pupil.save(update_fields=["email"])
    ask(world.guardian.email)
    assert sorted(m.to[0] for m in mailoutbox) == [world.guardian.email] * 2
    bodies = " ".join(m.body for m in mailoutbox)
    assert world.pupil.login in bodies
    assert world.guardian.login in bodies
