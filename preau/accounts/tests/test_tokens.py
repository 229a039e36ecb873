"""The API tokens page: create one (shown once), list one's own, revoke; nobody else's."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from preau.accounts import actions
from preau.accounts.models import ApiToken
from preau.accounts.tests.helpers import anonymous, text
from preau.core.models import AuditEntry

TOKENS = "/accounts/tokens/"
ME = "/api/v1/me"
# the session, the person, the actor's rights, then one query for the tokens however many
EXPECTED_QUERIES = 5
TOKEN_RE = re.compile(r'<code class="token" id="new-token">([^<]+)</code>')


def create(client: Client, label: str = "Export des notes") -> str:
    response = client.post(TOKENS, {"label": label})
    assert response.status_code == 200, text(response)
    match = TOKEN_RE.search(text(response))
    assert match, text(response)
    return match.group(1)


def test_anonymous_is_sent_to_the_login_page(world):
    response = anonymous().get(TOKENS)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/tokens/"


def test_empty_state_and_link_from_the_sessions_page(world, login_client):
    client = login_client(world.pupil)
    response = client.get(TOKENS)
    assert response.status_code == 200
    assert "empty-state" in text(response)
    assert response.context["rows"] == []
    assert 'href="/accounts/tokens/"' in text(client.get("/accounts/sessions/"))


def test_created_token_is_shown_once_and_works_until_revoked(world, login_client):
    client = login_client(world.teacher)
    response = client.post(TOKENS, {"label": "  Export   des notes "})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = TOKEN_RE.search(text(response)).group(1)  # type: ignore[union-attr]
    row = ApiToken.objects.get(person=world.teacher)
    assert row.label == "Export des notes"
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ApiToken.objects.values_list()))
    assert response.context["form"]["label"].value() in (None, "")  # a fresh form

    listing = client.get(TOKENS)
    assert token not in text(listing)
    assert "no-store" in listing["Cache-Control"]

    api = Client(HTTP_HOST="testserver")
    answer = api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200
    assert answer.json()["id"] == world.teacher.pk
    row.refresh_from_db()
    assert row.last_used_at is not None

    response = client.post(f"/accounts/tokens/{row.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == TOKENS
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401

    created = AuditEntry.objects.get(action="accounts.api_token_created")
    revoked = AuditEntry.objects.get(action="accounts.api_token_revoked")
    for entry in (created, revoked):
        assert entry.actor_id == entry.subject_id == world.teacher.pk


def test_token_works_only_on_its_own_tenants_host(world, login_client):
    token = create(login_client(world.teacher))
    foreign = Client(HTTP_HOST="other.test")
    assert foreign.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


@pytest.mark.parametrize("label", ["", "   "])
def test_label_is_required(world, login_client, label):
    client = login_client(world.pupil)
    response = client.post(TOKENS, {"label": label})
    assert response.status_code == 200
    assert response.context["new_token"] is None
    assert response.context["form"].errors.as_data()["label"][0].code == "required"
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action="accounts.api_token_created").exists()


def test_too_long_label_is_refused_and_kept(world, login_client):
    client = login_client(world.pupil)
    label = "Script de sauvegarde " * 4 + "!"
    assert len(label) > 80
    response = client.post(TOKENS, {"label": label})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["label"][0].code == "max_length"
    assert f'value="{label}"' in text(response)
    assert not ApiToken.objects.exists()


def test_lists_own_tokens_newest_first(world, login_client, actor_of):
    client = login_client(world.pupil)
    first, _ = actions.create_api_token(actor=actor_of(world.pupil), label="Premier")
    second, _ = actions.create_api_token(actor=actor_of(world.pupil), label="Second")
    actions.revoke_api_token(actor=actor_of(world.pupil), token_id=first.pk)
    actions.create_api_token(actor=actor_of(world.teacher), label="Celui du professeur")
    actions.create_api_token(actor=actor_of(world.foreign_pupil), label="Étranger")
    response = client.get(TOKENS)
    assert [row.pk for row in response.context["rows"]] == [second.pk, first.pk]
    html = text(response)
    assert "Celui du professeur" not in html
    assert "Étranger" not in html
    assert html.count('action="/accounts/tokens/') == 2  # the create form + one revoke button
    assert f'action="/accounts/tokens/{second.pk}/revoke/"' in html


def test_page_queries_are_fixed(world, login_client, actor_of):
    client = login_client(world.pupil)
    actions.create_api_token(actor=actor_of(world.pupil), label="Un")
    client.get(TOKENS)
    with CaptureQueriesContext(connection) as one:
        client.get(TOKENS)
    for label in ("Deux", "Trois", "Quatre"):
        actions.create_api_token(actor=actor_of(world.pupil), label=label)
    with CaptureQueriesContext(connection) as four:
        response = client.get(TOKENS)
    assert len(response.context["rows"]) == 4
    assert len(one) == len(four) == EXPECTED_QUERIES, [q["sql"] for q in four.captured_queries]


def test_revoke_needs_a_post(world, login_client, actor_of):
    client = login_client(world.pupil)
    row, _ = actions.create_api_token(actor=actor_of(world.pupil), label="Script")
    assert client.get(f"/accounts/tokens/{row.pk}/revoke/").status_code == 405
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None


@pytest.mark.parametrize("owner", ["teacher", "other_pupil", "foreign_pupil"])
def test_someone_elses_token_is_404_and_untouched(world, login_client, actor_of, owner):
    person = getattr(world, owner)
    row, token = actions.create_api_token(actor=actor_of(person), label="Le leur")
    mine = login_client(world.pupil)
    response = mine.post(f"/accounts/tokens/{row.pk}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None
    assert not AuditEntry.objects.filter(action="accounts.api_token_revoked").exists()
    api = Client(HTTP_HOST=person.tenant.hosts.first().host)
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_other_tenants_host_cannot_revoke_a_token_here(world, login_client, actor_of):
    row, token = actions.create_api_token(actor=actor_of(world.pupil), label="Le mien")
    foreign = login_client(world.foreign_pupil)
    response = foreign.post(f"/accounts/tokens/{row.pk}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None
    assert not AuditEntry.objects.filter(action="accounts.api_token_revoked").exists()
    api = Client(HTTP_HOST="testserver")
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
