"""The timeline API (/api/v1/timeline/): feed, unread count, read marks, preferences, push
subscriptions; isolation between people, schools and tenants; a bearer token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from preau.accounts.actions import create_api_token
from preau.core.models import AuditEntry, Notification
from preau.timeline.models import Preference, PushSubscription, Seen
from preau.timeline.tests.conftest import actor, audience, post
from preau.timeline.tests.test_push import Browser

pytestmark = pytest.mark.django_db

BASE = "/api/v1/timeline"


def send(client: Client, method: str, path: str, data: Any = None) -> Any:
    return getattr(client, method)(BASE + path, data or {}, content_type="application/json")


def test_anonymous_gets_401(world):
    assert Client().get(BASE + "/feed").status_code == 401


def test_the_feed_pages_by_keyset_and_filters_by_app(world, client_for, django_assert_num_queries):
    school = audience(world.tenant, "school", school=world.school)
    for i in range(3):
        post(world.director, school, text=f"Info {i}")
    post(world.teacher, [world.pupil], kind="messaging.message", text="Message", url="//evil")
    client = client_for(world.pupil)
    client.get(BASE + "/unread")
    with django_assert_num_queries(5):
        first = client.get(BASE + "/feed?limit=2").json()
    assert [i["text"] for i in first["items"]] == ["Message", "Info 2"]
    assert first["items"][0]["app"] == "messaging"
    assert first["items"][0]["url"] == ""
    assert first["items"][0]["actor"]["full_name"] == "Paul Durand"
    rest = client.get(BASE + f"/feed?limit=2&after={first['next']}").json()
    assert [i["text"] for i in rest["items"]] == ["Info 1", "Info 0"]
    assert rest["next"] is None
    news = client.get(BASE + "/feed?app=news").json()
    assert {i["app"] for i in news["items"]} == {"news"}
    assert len(news["items"]) == 3
    bad = client.get(BASE + "/feed?after=zzz")
    assert bad.status_code == 400
    assert bad.json()["code"] == "bad_cursor"


def test_unread_mark_one_and_all(world, client_for):
    school = audience(world.tenant, "school", school=world.school)
    one = post(world.director, school)
    post(world.director, school)
    post(world.teacher, [world.pupil], kind="homework.new")
    client = client_for(world.pupil)
    assert client.get(BASE + "/unread").json() == {"unread": 3}
    answer = send(client, "post", f"/items/{one.pk}/read")
    assert answer.status_code == 200
    assert answer.json()["is_read"] is True
    assert client.get(BASE + "/unread").json() == {"unread": 2}
    assert send(client, "post", "/read-all").json() == {"marked": 2}
    assert client.get(BASE + "/unread").json() == {"unread": 0}


@pytest.mark.parametrize("who", ["pupil2", "other_pupil", "foreign_pupil"])
def test_someone_else_s_notification_answers_404_and_changes_nothing(world, client_for, who):
    own = post(world.teacher, [world.pupil], kind="homework.new")
    school = post(world.director, audience(world.tenant, "school", school=world.school))
    client = client_for(getattr(world, who))
    for n in (own, school):
        if who == "pupil2" and n == school:
            continue  # Hugo is in that school: it is his too
        answer = send(client, "post", f"/items/{n.pk}/read")
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
        assert answer.json()["detail"]
    assert Notification.objects.get(pk=own.pk).read_at is None
    assert not Seen.objects.filter(person=getattr(world, who)).exists()


def test_a_bearer_token_reads_only_its_tenant(world):
    post(world.teacher, [world.pupil], kind="homework.new", text="Devoir")
    _row, token = create_api_token(actor=actor(world.pupil), label="Application")
    app = Client(HTTP_HOST="testserver", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [i["text"] for i in app.get(BASE + "/feed").json()["items"]] == ["Devoir"]
    foreign = Client(HTTP_HOST="other.test", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert foreign.get(BASE + "/feed").status_code == 401


def test_preferences_get_and_put(world, client_for):
    client = client_for(world.guardian)
    got = client.get(BASE + "/preferences").json()
    assert got["email"] == world.guardian.email
    assert got["email_allowed"] is True
    assert {p["group"]: p["mode"] for p in got["preferences"]} == {
        "messages": "immediate",
        "news": "daily",
        "other": "daily",
    }
    put = send(
        client, "put", "/preferences", {"preferences": [{"group": "news", "mode": "weekly"}]}
    )
    assert put.status_code == 200
    assert {p["group"]: p["mode"] for p in put.json()["preferences"]}["news"] == "weekly"
    assert Preference.objects.get(person=world.guardian).mode == "weekly"
    assert AuditEntry.objects.filter(action="timeline.preferences_changed").count() == 1
    bad = send(client, "put", "/preferences", {"preferences": [{"group": "news", "mode": "x"}]})
    assert bad.status_code == 422


def test_a_pupil_is_refused_e_mail_modes_with_a_reason(world, client_for):
    client = client_for(world.pupil)
    assert client.get(BASE + "/preferences").json()["email_allowed"] is False
    answer = send(
        client, "put", "/preferences", {"preferences": [{"group": "news", "mode": "daily"}]}
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid"
    assert "news_mode" in answer.json()["fields"]
    assert not Preference.objects.exists()


def test_push_subscribe_and_unsubscribe(world, client_for):
    browser = Browser()
    client = client_for(world.guardian)
    body = {
        "endpoint": "https://push.example.com/send/1",
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
    }
    answer = send(client, "post", "/push/subscriptions", body)
    assert answer.status_code == 201
    assert PushSubscription.objects.get().person_id == world.guardian.pk
    refused = send(client, "post", "/push/subscriptions", {**body, "endpoint": "http://x.example/"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "bad_endpoint"
    other = client_for(world.guardian_b)
    gone = send(other, "post", "/push/unsubscribe", {"endpoint": body["endpoint"]})
    assert gone.status_code == 404  # not Marc's
    assert PushSubscription.objects.count() == 1
    assert (
        send(client, "post", "/push/unsubscribe", {"endpoint": body["endpoint"]}).status_code == 204
    )
    assert not PushSubscription.objects.exists()
