"""Activation with the code from the letter: success, and every way it is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from preau.accounts import actions
from preau.accounts.models import LoginAttempt, OneTimeCode, UserSession
from preau.accounts.tests.helpers import (
    NEW_PASSWORD,
    anonymous,
    is_logged_in,
    make_unactivated,
    text,
)
from preau.core.models import AuditEntry


@pytest.fixture
def letter(world: Any, actor_of: Any) -> str:
    """The pupil has not activated yet; the school printed a letter with this code."""
    make_unactivated(world.pupil)
    ((_person, code),) = actions.issue_activation_codes(
        actor=actor_of(world.admin), people=[world.pupil]
    )
    return code


def post_activation(client: Any, login: str, code: str, **overrides: Any) -> Any:
    data = {
        "login": login,
        "code": code,
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        "accept_terms": "on",
        **overrides,
    }
    return client.post("/accounts/activate/", data)


def assert_not_activated(person: Any) -> None:
    person.refresh_from_db()
    assert person.activated_at is None
    assert person.terms_accepted_at is None
    assert not person.has_usable_password()


def test_activation_page_and_terms_page(world):
    html = text(anonymous().get("/accounts/activate/?login=l%C3%A9a.martin"))
    assert 'value="léa.martin"' in html
    assert 'href="/accounts/terms/"' in html
    terms = anonymous().get("/accounts/terms/")
    assert terms.status_code == 200
    assert "Your personal data" in text(terms)


def test_activation_with_the_code_as_typed_in_lower_case_without_dash(world, letter):
    client = anonymous()
    typed = letter.replace("-", "").lower()
    response = post_activation(client, world.pupil.login, typed)
    assert response.status_code == 302
    assert response["Location"] == "/"
    world.pupil.refresh_from_db()
    assert world.pupil.activated_at is not None
    assert world.pupil.terms_accepted_at is not None
    assert world.pupil.check_password(NEW_PASSWORD)
    assert OneTimeCode.objects.get(person=world.pupil).used_at is not None
    assert is_logged_in(client)
    assert UserSession.objects.filter(person=world.pupil).count() == 1
    entry = AuditEntry.objects.get(action="accounts.account_activated")
    assert entry.actor_id == entry.subject_id == world.pupil.pk


def test_expired_code_changes_nothing(world, letter):
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = post_activation(anonymous(), world.pupil.login, letter)
    assert "This code has expired" in text(response)
    assert_not_activated(world.pupil)


def test_codes_expire_after_ninety_days(world, letter):
    row = OneTimeCode.objects.get(person=world.pupil)
    assert row.expires_at - row.created_at == pytest.approx(
        dt.timedelta(days=90), abs=dt.timedelta(seconds=5)
    )


def test_reused_code_is_refused(world, letter):
    first = anonymous()
    assert post_activation(first, world.pupil.login, letter).status_code == 302
    other = "autre mot 2027x"
    response = post_activation(
        anonymous(), world.pupil.login, letter, password=other, password_confirm=other
    )
    assert "already been used" in text(response)
    world.pupil.refresh_from_db()
    assert world.pupil.check_password(NEW_PASSWORD)


def test_code_replaced_by_a_newer_letter(world, letter, actor_of):
    actions.issue_activation_codes(actor=actor_of(world.admin), people=[world.pupil])
    response = post_activation(anonymous(), world.pupil.login, letter)
    assert "replaced by a more recent one" in text(response)
    assert_not_activated(world.pupil)


def test_wrong_code_changes_nothing_and_is_counted(world, letter):
    wrong = "ABCD-EFGH" if letter != "ABCD-EFGH" else "HGFE-DCBA"
    response = post_activation(anonymous(), world.pupil.login, wrong)
    html = text(response)
    assert "do not match" in html
    assert 'value="léa.martin"' in html
    assert_not_activated(world.pupil)
    assert LoginAttempt.objects.filter(login=world.pupil.login).count() == 1


def test_code_of_another_person_does_not_work(world, letter):
    response = post_activation(anonymous(), world.pupil2.login, letter)
    assert "do not match" in text(response)
    assert_not_activated(world.pupil)


def test_code_on_the_other_tenants_host_does_not_work(world, letter):
    response = post_activation(anonymous("other.test"), world.pupil.login, letter)
    assert "do not match" in text(response)
    assert_not_activated(world.pupil)


def test_wrong_codes_lock_the_account_even_for_the_right_code(world, letter):
    client = anonymous()
    for wrong in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD"):
        assert "do not match" in text(post_activation(client, world.pupil.login, wrong))
    assert "Too many failed attempts" in text(
        post_activation(client, world.pupil.login, "EEEE-EEEE")
    )
    response = post_activation(anonymous(ip="203.0.113.77"), world.pupil.login, letter)
    assert "Too many failed attempts for this account" in text(response)
    assert_not_activated(world.pupil)


@pytest.mark.parametrize("bad", ["ABC", "ABCD-EFG0", "ILO1-ABCD", "ABCD-EFGH-J"])
def test_malformed_code_gets_a_format_message(world, letter, bad):
    response = post_activation(anonymous(), world.pupil.login, bad)
    assert "for example ABCD-EFGH" in text(response)
    assert_not_activated(world.pupil)
    assert not LoginAttempt.objects.exists()


def test_password_mismatch_changes_nothing(world, letter):
    response = post_activation(
        anonymous(), world.pupil.login, letter, password_confirm=NEW_PASSWORD + "!"
    )
    html = text(response)
    assert "The two passwords are different." in html
    assert letter in html  # what was typed stays
    assert_not_activated(world.pupil)
    assert OneTimeCode.objects.get(person=world.pupil).used_at is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court", "too short"),
        ("motdepasse", "too common"),
        ("8271649305", "entirely numeric"),
        ("léa.martin", "too similar"),
    ],
)
def test_weak_password_changes_nothing(world, letter, password, message):
    response = post_activation(
        anonymous(), world.pupil.login, letter, password=password, password_confirm=password
    )
    assert message in text(response)
    assert_not_activated(world.pupil)
    assert OneTimeCode.objects.get(person=world.pupil).used_at is None


def test_terms_must_be_accepted(world, letter):
    client = anonymous()
    response = client.post(
        "/accounts/activate/",
        {
            "login": world.pupil.login,
            "code": letter,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert "Accept the terms of use to continue." in text(response)
    assert_not_activated(world.pupil)


def test_blocked_account_cannot_activate(world, letter):
    world.pupil.is_blocked = True
    world.pupil.blocked_reason = "Compte en double"
    world.pupil.save(update_fields=["is_blocked", "blocked_reason"])
    response = post_activation(anonymous(), world.pupil.login, letter)
    assert "This account is blocked: Compte en double." in text(response)
    assert_not_activated(world.pupil)
