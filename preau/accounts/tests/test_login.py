"""Logging in and out: identifiers, tenants, messages, lock-out, blocked and new accounts."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from preau.accounts.models import LoginAttempt, UserSession
from preau.accounts.tests.helpers import (
    FIREFOX,
    anonymous,
    is_logged_in,
    make_unactivated,
    post_login,
    text,
)
from preau.core.models import AuditEntry
from preau.directory.tests.factories import TEST_PASSWORD, PersonFactory

WRONG = "Wrong login name, e-mail or password"


def test_login_page_shows_the_form_and_the_other_ways_in(world):
    response = anonymous().get("/accounts/login/")
    assert response.status_code == 200
    html = text(response)
    assert 'name="identifier"' in html
    assert 'autocomplete="current-password"' in html
    assert 'href="/accounts/activate/"' in html
    assert 'href="/accounts/reset/"' in html


def test_login_with_login_name_opens_a_listed_session(world):
    world.pupil.language = "en"
    world.pupil.save(update_fields=["language"])
    client = anonymous(ip="198.51.100.20")
    response = post_login(client, world.pupil.login)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(world.pupil.pk)
    row = UserSession.objects.get(person=world.pupil)
    assert row.session_key == client.session.session_key
    assert row.tenant_id == world.tenant.pk
    assert row.ip == "198.51.100.20"
    assert row.user_agent == FIREFOX
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    world.pupil.refresh_from_db()
    assert world.pupil.last_login is not None


@pytest.mark.parametrize("identifier", ["léa.martin@example.org", "LÉA.MARTIN", " léa.martin "])
def test_login_with_e_mail_or_other_case(world, identifier):
    client = anonymous()
    response = post_login(client, identifier)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.pupil.pk)


def test_wrong_password_and_unknown_login_get_the_same_message(world):
    client = anonymous()
    wrong = post_login(client, world.pupil.login, "not the password")
    unknown = post_login(client, "nobody.here", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert WRONG in text(wrong)
    assert WRONG in text(unknown)
    # The typed identifier is kept, the password is not.
    assert 'value="léa.martin"' in text(wrong)
    assert "not the password" not in text(wrong)
    assert "_auth_user_id" not in client.session
    assert not UserSession.objects.exists()
    assert set(LoginAttempt.objects.values_list("login", flat=True)) == {
        "léa.martin",
        "nobody.here",
    }


def test_a_shared_family_e_mail_does_not_open_either_account(world):
    world.pupil.email = world.guardian.email
    world.pupil.save(update_fields=["email"])
    response = post_login(anonymous(), world.guardian.email)
    assert WRONG in text(response)


def test_the_same_login_in_two_tenants_opens_only_the_hosts_account(world):
    twin = PersonFactory(
        tenant=world.other_tenant, first_name="Léa", last_name="Martin", login="léa.martin"
    )
    twin.set_password("other tenant password 7")
    twin.save(update_fields=["password"])

    here = anonymous("testserver")
    assert WRONG in text(post_login(here, "léa.martin", "other tenant password 7"))
    assert post_login(here, "léa.martin").status_code == 302
    assert here.session["_auth_user_id"] == str(world.pupil.pk)

    there = anonymous("other.test")
    assert WRONG in text(post_login(there, "léa.martin"))
    assert post_login(there, "léa.martin", "other tenant password 7").status_code == 302
    assert there.session["_auth_user_id"] == str(twin.pk)
    assert UserSession.objects.get(person=twin).tenant_id == world.other_tenant.pk


def test_next_is_followed_only_on_this_site(world):
    client = anonymous()
    response = client.post(
        "/accounts/login/?next=/accounts/sessions/",
        {"identifier": world.pupil.login, "password": TEST_PASSWORD, "next": "/accounts/sessions/"},
    )
    assert response["Location"] == "/accounts/sessions/"
    for evil in ("https://evil.example/", "//evil.example/path"):
        client = anonymous()
        response = client.post(
            "/accounts/login/",
            {"identifier": world.pupil.login, "password": TEST_PASSWORD, "next": evil},
        )
        assert response["Location"] == "/"


def test_account_lock_out_refuses_even_the_right_password(world):
    client = anonymous()
    for _ in range(4):
        assert WRONG in text(post_login(client, world.pupil.login, "guess"))
    fifth = text(post_login(client, world.pupil.login, "guess"))
    assert "Too many failed attempts for this account" in fifth
    assert "You can try again at" in fifth

    # Typing the e-mail instead counts against the same account; the password is not checked.
    with mock.patch("preau.accounts.actions.authenticate") as authenticate:
        response = post_login(anonymous(ip="203.0.113.50"), world.pupil.email)
    authenticate.assert_not_called()
    assert "Too many failed attempts for this account" in text(response)
    assert "_auth_user_id" not in client.session

    # Other accounts are not affected.
    assert post_login(anonymous(), world.pupil2.login).status_code == 302


def test_account_lock_out_ends_after_the_window(world):
    client = anonymous()
    for _ in range(5):
        post_login(client, world.pupil.login, "guess")
    assert "Too many failed attempts" in text(post_login(client, world.pupil.login))
    LoginAttempt.objects.update(at=timezone.now() - dt.timedelta(minutes=16))
    assert post_login(client, world.pupil.login).status_code == 302


def test_a_successful_login_starts_the_count_again(world):
    client = anonymous()
    for _ in range(4):
        post_login(client, world.pupil.login, "guess")
    assert post_login(anonymous(), world.pupil.login).status_code == 302
    for _ in range(4):
        assert WRONG in text(post_login(client, world.pupil.login, "guess"))
    assert post_login(anonymous(), world.pupil.login).status_code == 302


def test_ip_lock_out_refuses_everyone_from_that_address(world, settings):
    settings.PREAU_LOCKOUT_IP_FAILURES = 3
    attacker = anonymous(ip="203.0.113.9")
    for name in ("a.one", "b.two", "c.three"):
        post_login(attacker, name, "guess")
    with mock.patch("preau.accounts.actions.authenticate") as authenticate:
        response = post_login(attacker, world.admin.login)
    authenticate.assert_not_called()
    assert "Too many failed attempts from your network" in text(response)
    assert "_auth_user_id" not in attacker.session
    assert post_login(anonymous(ip="203.0.113.10"), world.admin.login).status_code == 302


def test_ip_lock_out_default_is_thirty_failures(world):
    attacker = anonymous(ip="203.0.113.9")
    for n in range(28):
        post_login(attacker, f"user{n}", "guess")
    assert WRONG in text(post_login(attacker, "user28", "guess"))
    assert "Too many failed attempts from your network" in text(
        post_login(attacker, "user29", "guess")
    )
    assert "Too many failed attempts from your network" in text(
        post_login(attacker, world.pupil.login)
    )


def test_trusted_networks_are_not_locked_by_address(world, settings):
    settings.PREAU_LOCKOUT_IP_FAILURES = 3
    settings.PREAU_LOCKOUT_TRUSTED_NETWORKS = ["203.0.113.0/24"]
    school_nat = anonymous(ip="203.0.113.9")
    for name in ("a.one", "b.two", "c.three"):
        post_login(school_nat, name, "guess")
    assert post_login(school_nat, world.admin.login).status_code == 302


def test_lock_out_is_counted_per_tenant(world):
    client = anonymous()
    for _ in range(5):
        post_login(client, world.pupil.login, "guess")
    twin = PersonFactory(tenant=world.other_tenant, first_name="Léa", last_name="Martin")
    assert twin.login == world.pupil.login
    assert post_login(anonymous("other.test"), twin.login).status_code == 302


def test_blocked_account_is_told_why_and_whom_to_contact(world):
    world.pupil.is_blocked = True
    world.pupil.blocked_reason = "Messages insultants sur le forum"
    world.pupil.save(update_fields=["is_blocked", "blocked_reason"])
    client = anonymous()
    html = text(post_login(client, world.pupil.login))
    assert "This account is blocked: Messages insultants sur le forum." in html
    assert "contact the administration of Collège Victor Hugo" in html
    assert "_auth_user_id" not in client.session
    # Without the right password nothing tells the account is blocked.
    html = text(post_login(client, world.pupil.login, "guess"))
    assert WRONG in html
    assert "blocked" not in html


def test_account_not_yet_activated_is_pointed_to_activation(world):
    make_unactivated(world.pupil)
    client = anonymous()
    html = text(post_login(client, world.pupil.login, "anything at all"))
    assert "not activated yet" in html
    assert 'href="/accounts/activate/?login=l%C3%A9a.martin"' in html
    assert "_auth_user_id" not in client.session
    # Counted against the address only, so the account's activation stays open.
    assert list(LoginAttempt.objects.values_list("login", flat=True)) == [""]


def test_logout_needs_a_post_and_forgets_the_session(world, login_client):
    client = login_client(world.pupil)
    assert UserSession.objects.filter(person=world.pupil).count() == 1
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert is_logged_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not is_logged_in(client)
    assert not UserSession.objects.filter(person=world.pupil).exists()


def test_logged_in_person_visiting_login_goes_home(world, login_client):
    client = login_client(world.pupil)
    response = client.get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    response = client.get("/accounts/login/?next=/accounts/sessions/")
    assert response["Location"] == "/accounts/sessions/"
    response = client.get("/accounts/login/?next=/accounts/login/")
    assert response["Location"] == "/"


def test_login_costs_a_fixed_number_of_queries(world):
    """The 8:00 wave: person (2: lock-out needs it before the backend looks again), lock-out
    (2), new session (2), last login (1), session row (2), connection log (1), session saved
    (1)."""
    client = anonymous()
    client.get("/accounts/login/")
    with CaptureQueriesContext(connection) as captured:
        assert post_login(client, world.pupil.login).status_code == 302
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 11, "\n".join(statements)


def test_login_and_logout_are_in_the_connection_log(world):
    client = anonymous()
    post_login(client, world.pupil.login)
    client.post("/accounts/logout/")
    entries = AuditEntry.objects.filter(subject=world.pupil).order_by("id")
    assert [(e.action, e.data) for e in entries] == [
        ("accounts.logged_in", {"method": "password"}),
        ("accounts.logged_out", {}),
    ]
