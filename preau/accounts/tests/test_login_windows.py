"""Login windows per profile (core.windows) applied at login: a person outside every window
of their profiles gets a clear message saying when to come back and an audit entry, and
nothing else changes; people already logged in carry on."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from preau.accounts.models import LoginAttempt, UserSession
from preau.accounts.tests.helpers import anonymous, post_login, text
from preau.core.models import AuditEntry
from preau.core.windows import parse_login_windows

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MONDAY_7_45 = dt.datetime(2026, 3, 16, 7, 45, tzinfo=PARIS)


@pytest.fixture
def clock(monkeypatch):
    """`with clock(moment):` the time Django reads is `moment`."""
    from contextlib import contextmanager

    from django.utils import timezone

    @contextmanager
    def travel(moment: dt.datetime):
        with monkeypatch.context() as patch:
            patch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))
            yield

    return travel


@pytest.fixture
def windows(settings):
    def configure(*rules: dict) -> None:
        settings.PREAU_LOGIN_WINDOWS = parse_login_windows(json.dumps(list(rules)))

    return configure


def test_outside_the_window_the_login_is_deferred_with_when_to_come_back(world, windows, clock):
    windows({"profile": "pupil", "school_kinds": ["college"], "from": "08:00", "until": "08:30"})
    with clock(MONDAY_7_45):
        response = post_login(anonymous(), world.pupil.login)
    assert response.status_code == 200
    page = text(response)
    assert "logging in is open to your profile at set times only" in page
    assert "You can log in from 8 a.m. today." in page
    assert "_auth_user_id" not in response.client.session
    assert not UserSession.objects.filter(person=world.pupil).exists()
    assert not LoginAttempt.objects.exists()  # not a failure: no lock-out comes of it
    entry = AuditEntry.objects.get(action="accounts.login_deferred")
    assert entry.subject_id == world.pupil.pk
    assert entry.data["until"].startswith("2026-03-16T08:00:00")
    assert not AuditEntry.objects.filter(action="accounts.logged_in").exists()


def test_the_message_names_the_day_when_it_is_not_today(world, windows, clock):
    windows({"profile": "guardian", "days": ["mon"], "until": "07:00"})
    with clock(MONDAY_7_45):
        response = post_login(anonymous(), world.guardian.login)
    assert "You can log in from Tuesday 17 March at midnight." in text(response)


def test_the_message_is_in_french_for_a_french_browser(world, windows, clock):
    windows({"profile": "pupil", "from": "08:00"})
    client = anonymous()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    with clock(MONDAY_7_45):
        response = post_login(client, world.pupil.login)
    assert response.status_code == 200
    assert "08:00" in text(response)  # French times: 08:00, not 8 a.m.
    assert "8 a.m." not in text(response)


def test_inside_the_window_or_with_another_profile_the_login_goes_through(world, windows, clock):
    windows({"profile": "pupil", "from": "08:00", "until": "08:30"})
    with clock(MONDAY_7_45 + dt.timedelta(minutes=20)):
        assert post_login(anonymous(), world.pupil.login).status_code == 302
    with clock(MONDAY_7_45):
        assert post_login(anonymous(), world.teacher.login).status_code == 302
    assert not AuditEntry.objects.filter(action="accounts.login_deferred").exists()


def test_a_wrong_password_says_nothing_about_the_window(world, windows, clock):
    """The window is checked only once the password is right: it reveals no profile."""
    windows({"profile": "pupil", "from": "08:00"})
    with clock(MONDAY_7_45):
        response = post_login(anonymous(), world.pupil.login, "wrong password 1")
    assert "Wrong login name" in text(response)
    assert not AuditEntry.objects.filter(action="accounts.login_deferred").exists()


def test_people_already_logged_in_carry_on(world, windows, login_client, clock):
    client = login_client(world.pupil)
    windows({"profile": "pupil", "from": "08:00"})
    with clock(MONDAY_7_45):
        assert client.get("/").status_code == 200
