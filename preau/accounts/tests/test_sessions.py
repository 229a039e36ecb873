"""The sessions page: one's own sessions only, revoke one, log out everywhere else."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from preau.accounts.models import UserSession
from preau.accounts.tests.helpers import CHROME_ANDROID, anonymous, is_logged_in, text
from preau.core.models import AuditEntry


def test_anonymous_is_sent_to_the_login_page(world):
    response = anonymous().get("/accounts/sessions/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/sessions/"


def test_lists_own_sessions_and_marks_this_one(world, login_client):
    laptop = login_client(world.pupil, ip="198.51.100.1")
    login_client(world.pupil, ip="198.51.100.2", user_agent=CHROME_ANDROID)
    login_client(world.teacher, ip="198.51.100.3")
    response = laptop.get("/accounts/sessions/")
    assert response.status_code == 200
    html = text(response)
    assert "Firefox sous Linux" in html  # French by default
    assert "Chrome sous Android" in html
    assert "198.51.100.1" in html
    assert "198.51.100.2" in html
    assert "198.51.100.3" not in html
    assert html.count("badge--ok") == 1
    assert 'action="/accounts/sessions/log-out-others/"' in html
    own = UserSession.objects.filter(person=world.pupil)
    assert {row.pk for row, _device in response.context["rows"]} == set(
        own.values_list("pk", flat=True)
    )


def test_session_opened_elsewhere_is_listed_on_first_visit(world, client_for):
    client = client_for(world.pupil)
    assert not UserSession.objects.exists()
    response = client.get("/accounts/sessions/")
    assert response.status_code == 200
    row = UserSession.objects.get(person=world.pupil)
    assert row.session_key == client.session.session_key
    assert response.context["others"] == 0
    assert "empty-state" in text(response)


def test_ended_sessions_are_forgotten(world, login_client):
    client = login_client(world.pupil)
    UserSession.objects.create(
        tenant=world.tenant, person=world.pupil, session_key="gone" * 8, user_agent="Old"
    )
    client.get("/accounts/sessions/")
    assert not UserSession.objects.filter(session_key="gone" * 8).exists()
    assert UserSession.objects.filter(person=world.pupil).count() == 1


def test_page_queries_do_not_grow_with_sessions(world, login_client):
    client = login_client(world.pupil)
    client.get("/accounts/sessions/")
    with CaptureQueriesContext(connection) as one:
        client.get("/accounts/sessions/")
    for _ in range(3):
        login_client(world.pupil)
    client.get("/accounts/sessions/")
    with CaptureQueriesContext(connection) as four:
        response = client.get("/accounts/sessions/")
    assert len(response.context["rows"]) == 4
    assert len(four) == len(one)


def test_revoke_one_session(world, login_client):
    laptop = login_client(world.pupil)
    phone = login_client(world.pupil, user_agent=CHROME_ANDROID)
    phone_row = UserSession.objects.get(session_key=phone.session.session_key)
    response = laptop.post(f"/accounts/sessions/{phone_row.pk}/revoke/")
    assert response.status_code == 302
    assert not UserSession.objects.filter(pk=phone_row.pk).exists()
    assert not is_logged_in(phone)
    assert is_logged_in(laptop)
    entry = AuditEntry.objects.get(action="accounts.session_revoked")
    assert entry.actor_id == entry.subject_id == world.pupil.pk


def test_revoke_needs_a_post(world, login_client):
    laptop = login_client(world.pupil)
    row = UserSession.objects.get(person=world.pupil)
    assert laptop.get(f"/accounts/sessions/{row.pk}/revoke/").status_code == 405
    assert UserSession.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("owner", ["teacher", "other_pupil", "foreign_pupil"])
def test_someone_elses_session_is_404_and_untouched(world, login_client, owner):
    person = getattr(world, owner)
    theirs = login_client(person)
    row = UserSession.objects.get(person=person)
    mine = login_client(world.pupil)
    response = mine.post(f"/accounts/sessions/{row.pk}/revoke/")
    assert response.status_code == 404
    assert UserSession.objects.filter(pk=row.pk).exists()
    assert is_logged_in(theirs, person.tenant.hosts.first().host)
    assert not AuditEntry.objects.filter(action="accounts.session_revoked").exists()


def test_revoking_this_session_logs_out(world, login_client):
    client = login_client(world.pupil)
    row = UserSession.objects.get(person=world.pupil)
    response = client.post(f"/accounts/sessions/{row.pk}/revoke/")
    assert response["Location"] == "/accounts/login/"
    assert not is_logged_in(client)


def test_log_out_everywhere_else(world, login_client):
    laptop = login_client(world.pupil)
    phone = login_client(world.pupil, user_agent=CHROME_ANDROID)
    tablet = login_client(world.pupil)
    teacher = login_client(world.teacher)
    response = laptop.post("/accounts/sessions/log-out-others/")
    assert response.status_code == 302
    assert not is_logged_in(phone)
    assert not is_logged_in(tablet)
    assert is_logged_in(laptop)
    assert is_logged_in(teacher)
    assert list(UserSession.objects.filter(person=world.pupil).values_list("session_key")) == [
        (laptop.session.session_key,)
    ]
    entry = AuditEntry.objects.get(action="accounts.sessions_revoked")
    assert entry.data == {"count": 2}
