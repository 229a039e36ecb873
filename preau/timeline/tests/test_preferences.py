"""The preferences page (keeps what was typed, audits changes, the pupils' policy, bounced
addresses) and the mail relay's bounce webhook (token checked, tenant kept)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from preau.core.models import AuditEntry
from preau.timeline.models import Bounce, Preference

pytestmark = pytest.mark.django_db

FORM = {
    "messages_mode": "immediate",
    "news_mode": "weekly",
    "news_push": "on",
    "other_mode": "feed",
}


def test_the_page_shows_my_address_and_the_defaults(world, client_for):
    page = client_for(world.guardian).get("/timeline/preferences")
    body = page.content.decode()
    assert world.guardian.email in body
    form = page.context["form"]
    assert (form["messages_mode"].value(), form["news_mode"].value()) == ("immediate", "daily")
    assert 'data-vapid-key="' in body
    assert "/api/v1/timeline/push/subscriptions" in body
    assert "bounce-warning" not in body


def test_saving_stores_and_audits_the_change(world, client_for):
    client = client_for(world.guardian)
    response = client.post("/timeline/preferences", FORM)
    assert response.status_code == 302
    stored = {p.group: (p.mode, p.push) for p in Preference.objects.filter(person=world.guardian)}
    assert stored == {
        "messages": ("immediate", False),
        "news": ("weekly", True),
        "other": ("feed", False),
    }
    entry = AuditEntry.objects.get(action="timeline.preferences_changed")
    assert entry.subject_id == world.guardian.pk
    assert "news" in entry.data
    client.post("/timeline/preferences", FORM)  # the same again: no new entry
    assert AuditEntry.objects.filter(action="timeline.preferences_changed").count() == 1


def test_a_wrong_value_keeps_what_was_typed(world, client_for):
    page = client_for(world.guardian).post("/timeline/preferences", {**FORM, "other_mode": "x"})
    assert page.status_code == 200
    assert page.context["form"]["news_mode"].value() == "weekly"
    assert page.context["form"].errors["other_mode"]
    assert not Preference.objects.exists()


def test_a_pupil_sees_the_e_mail_modes_disabled_and_cannot_choose_them(world, client_for):
    client = client_for(world.pupil)
    body = client.get("/timeline/preferences").content.decode()
    assert 'id="pupil-email-policy"' in body
    assert 'value="daily"' in body
    assert "disabled" in body
    page = client.post("/timeline/preferences", FORM)
    assert page.status_code == 200
    assert page.context["form"].errors["news_mode"]
    assert not Preference.objects.exists()
    feed_only = dict.fromkeys(("messages_mode", "news_mode", "other_mode"), "feed")
    assert client.post("/timeline/preferences", feed_only).status_code == 302
    world.tenant.options = {"pupil_email": True}
    world.tenant.save()
    cache.clear()  # the host's tenant is cached by the middleware
    assert 'id="pupil-email-policy"' not in client.get("/timeline/preferences").content.decode()
    assert client.post("/timeline/preferences", FORM).status_code == 302


def test_a_bounced_address_is_shown_with_the_date_and_the_way_out(world, client_for):
    Bounce.objects.create(
        tenant=world.tenant, person=world.guardian, address=world.guardian.email, reason="550"
    )
    body = client_for(world.guardian).get("/timeline/preferences").content.decode()
    assert 'id="bounce-warning"' in body
    assert 'href="/profile/"' in body
    world.guardian.email = "nouvelle@example.org"
    world.guardian.save()
    body = client_for(world.guardian).get("/timeline/preferences").content.decode()
    assert 'id="bounce-warning"' not in body


# --- the bounce webhook ----------------------------------------------------------------------


def report(client, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(
        "/timeline/bounces", json.dumps(body), content_type="application/json", **headers
    )


def test_the_webhook_is_absent_without_a_token(world, client, settings):
    settings.PREAU_BOUNCE_TOKEN = ""
    assert report(client, {"address": world.guardian.email}, "x").status_code == 404
    assert not Bounce.objects.exists()


def test_the_webhook_checks_its_token_and_flags_the_tenant_s_people(world, client, settings):
    settings.PREAU_BOUNCE_TOKEN = "s3cret-relay-token"
    world.foreign_pupil.email = world.guardian.email  # the same address in another tenant
    world.foreign_pupil.save()
    assert report(client, {"address": world.guardian.email}).status_code == 401
    assert report(client, {"address": world.guardian.email}, "wrong").status_code == 401
    assert not Bounce.objects.exists()
    assert report(client, {"nothing": 1}, "s3cret-relay-token").status_code == 400
    answer = report(
        client,
        {"address": world.guardian.email.upper(), "reason": "mailbox full"},
        "s3cret-relay-token",
    )
    assert answer.status_code == 200
    assert answer.json() == {"flagged": 1}
    bounce = Bounce.objects.get()
    assert (bounce.person_id, bounce.reason) == (world.guardian.pk, "mailbox full")
