"""A person's own page: the applications that hold a token of theirs, and ending their access."""

from __future__ import annotations

from django.test import Client
from oauth2_provider.models import AccessToken, RefreshToken

from preau.core.models import AuditEntry


def test_the_page_lists_the_apps_holding_a_token_and_nobody_else_s(
    world, register, flow, client_for
):
    cantine = register(name="Cantine en ligne")
    flow(world.guardian, cantine).tokens("openid profile schools")
    flow(world.teacher, register(name="Appli des profs")).tokens()
    page = client_for(world.guardian).get("/oidc/authorized/")
    assert page.status_code == 200
    [authorization] = page.context["authorizations"]
    assert authorization.client == cantine.client
    assert authorization.scopes == ["openid", "profile", "schools"]
    assert "Appli des profs" not in page.content.decode()


def test_ending_an_access_revokes_the_person_s_tokens_only(world, register, flow, client_for):
    registered = register(name="Cantine en ligne")
    guardian_tokens = flow(world.guardian, registered).tokens("openid profile api.read")
    flow(world.teacher, registered).tokens("openid profile api.read")
    response = client_for(world.guardian).post(f"/oidc/authorized/{registered.client.pk}/revoke")
    assert response["Location"] == "/oidc/authorized/"
    assert not AccessToken.objects.filter(user=world.guardian).exists()
    assert not RefreshToken.objects.filter(user=world.guardian, revoked__isnull=True).exists()
    assert AccessToken.objects.filter(user=world.teacher).exists()
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {guardian_tokens['access_token']}")
    assert me.status_code == 401
    entry = AuditEntry.objects.get(action="oidc.authorization_revoked")
    assert (entry.actor, entry.subject) == (world.guardian, world.guardian)


def test_another_tenant_s_client_answers_404(world, register, client_for):
    registered = register()
    client = Client(HTTP_HOST="other.test")
    client.force_login(world.foreign_admin)
    assert client.post(f"/oidc/authorized/{registered.client.pk}/revoke").status_code == 404
    assert not AuditEntry.objects.filter(action="oidc.authorization_revoked").exists()


def test_anonymous_is_sent_to_log_in(world):
    assert Client().get("/oidc/authorized/")["Location"].startswith("/accounts/login/")


def test_empty_state_and_fixed_queries(
    world, register, flow, client_for, django_assert_num_queries
):
    client = client_for(world.pupil)
    assert b"empty-state" in client.get("/oidc/authorized/").content
    for name in ("A", "B", "C"):
        flow(world.pupil, register(name=f"Appli {name}")).tokens()
    with django_assert_num_queries(7):
        page = client.get("/oidc/authorized/")
    assert len(page.context["authorizations"]) == 3
