"""The provider's endpoints through Django's test client: discovery, PKCE, redirect addresses,
tenant isolation, disabled clients, blocked people, consent, userinfo and revocation."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from preau.core.models import AuditEntry
from preau.directory.models import Person
from preau.sso.oidc.queries import subject_for
from preau.sso.oidc.tests.conftest import REDIRECT_URI, location_params

pytestmark = pytest.mark.django_db


def test_discovery_names_this_hosts_issuer(world):
    data = Client().get("/oidc/.well-known/openid-configuration").json()
    assert data["issuer"] == "https://testserver/oidc"
    assert data["token_endpoint"] == "https://testserver/oidc/token/"
    assert data["jwks_uri"] == "https://testserver/oidc/.well-known/jwks.json"
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert data["response_types_supported"] == ["code"]
    assert {"profile", "schools", "classes", "api.read"} <= set(data["scopes_supported"])
    other = Client(HTTP_HOST="other.test").get("/oidc/.well-known/openid-configuration").json()
    assert other["issuer"] == "https://other.test/oidc"


def test_jwks_publishes_the_rs256_key(world):
    keys = Client().get("/oidc/.well-known/jwks.json").json()["keys"]
    assert len(keys) >= 1
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]  # the public half only


def test_code_flow_and_id_token_claims(world, register, flow):
    registered = register()
    tokens = flow(world.pupil, registered).tokens("openid profile schools classes")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["refresh_token"]
    # Tokens are stored hashed: the access token itself is not in the database.
    assert not AccessToken.objects.filter(token=tokens["access_token"]).exists()
    payload = tokens["id_token"].split(".")[1]
    claims = json.loads(_b64(payload))
    assert claims["iss"] == "https://testserver/oidc"
    assert claims["aud"] == registered.client_id
    assert claims["sub"] == subject_for(world.pupil)
    assert str(world.pupil.pk) != claims["sub"]
    assert claims["nonce"] == "n-0S6"
    assert claims["preferred_username"] == world.pupil.login
    assert claims["profiles"] == ["National_ELV"]
    assert claims["schools"] == [world.school.uai]
    assert claims["classes"] == [{"school": world.school.uai, "code": "6A", "name": "6e A"}]


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_teacher_classes_and_staff_profiles(world, register, flow):
    registered = register()
    tokens = flow(world.teacher, registered).tokens("openid profile classes")
    claims = (
        Client()
        .get("/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
        .json()
    )
    assert claims["profiles"] == ["National_ENS"]
    assert [c["code"] for c in claims["classes"]] == ["6A"]
    tokens = flow(world.director, registered).tokens("openid profile")
    claims = (
        Client()
        .get("/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
        .json()
    )
    assert claims["profiles"] == ["National_DIR"]
    assert "classes" not in claims  # not granted


def test_sub_is_stable_and_differs_between_people(world):
    assert subject_for(world.pupil) == subject_for(Person.objects.get(pk=world.pupil.pk))
    assert subject_for(world.pupil) != subject_for(world.pupil2)
    assert len(subject_for(world.pupil)) == 32


def test_scopes_are_limited_to_the_registered_ones(world, register, flow):
    registered = register(scopes=["openid", "profile"])
    response = flow(world.pupil, registered).authorize("openid profile api.read")
    assert location_params(response)["error"] == "invalid_scope"


# --- PKCE ---------------------------------------------------------------------------------


def test_missing_pkce_is_refused(world, register, flow):
    login = flow(world.pupil, register())
    response = login.authorize(code_challenge="", code_challenge_method="")
    params = location_params(response)
    assert params["error"] == "invalid_request"
    assert "code" not in params
    assert not Grant.objects.exists()


def test_plain_pkce_is_refused(world, register, flow):
    login = flow(world.pupil, register())
    response = login.authorize(code_challenge=login.verifier, code_challenge_method="plain")
    assert "code" not in location_params(response)


def test_wrong_verifier_is_refused(world, register, flow):
    login = flow(world.pupil, register())
    code = login.code()
    response = login.token(code, verifier="x" * 50)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()


def test_missing_verifier_is_refused(world, register, flow):
    login = flow(world.pupil, register())
    response = login.token(login.code(), verifier="")
    assert response.status_code == 400
    assert not AccessToken.objects.exists()


def test_code_is_single_use(world, register, flow):
    login = flow(world.pupil, register())
    code = login.code()
    assert login.token(code).status_code == 200
    assert login.token(code).status_code == 400


# --- redirect addresses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "https://evil.example/callback",
        "http://127.0.0.1:8765/other",
        "http://127.0.0.1:8765/callback#frag",
        "http://evil@127.0.0.1:8765/callback",
    ],
)
def test_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(world, register, flow, uri):
    login = flow(world.pupil, register())
    response = login.authorize(redirect_uri=uri)
    assert response.status_code == 400
    assert b'id="oidc-error"' in response.content
    assert not Grant.objects.exists()


def test_loopback_redirect_accepts_any_port(world, register, flow):
    login = flow(world.pupil, register())
    response = login.authorize(redirect_uri="http://127.0.0.1:50123/callback")
    assert "code" in location_params(response)


# --- tenant isolation -----------------------------------------------------------------------


def test_client_of_the_other_tenant_is_unknown_on_this_host(world, register, client_for):
    foreign_operator = Person.objects.create(
        tenant=world.other_tenant,
        login="op.autre",
        first_name="O",
        last_name="P",
        is_operator=True,
    )
    registered = register(operator=foreign_operator)
    assert registered.client.tenant_id == world.other_tenant.pk
    from preau.sso.oidc.tests.conftest import Flow

    login = Flow(client_for(world.pupil), registered)
    response = login.authorize()
    assert response.status_code == 400
    assert b'id="oidc-error"' in response.content
    assert not Grant.objects.exists()
    # The same client works on its own tenant's host, for its own people.
    home = Flow(client_for(world.foreign_pupil), registered)
    assert "code" in location_params(home.authorize())


def test_code_cannot_be_exchanged_on_the_other_tenants_host(world, register, flow):
    login = flow(world.pupil, register())
    response = login.token(login.code(), host="other.test")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()


def test_tokens_do_not_work_on_the_other_tenants_host(world, register, flow):
    tokens = flow(world.pupil, register()).tokens("openid profile api.read")
    bearer = f"Bearer {tokens['access_token']}"
    foreign = Client(HTTP_HOST="other.test")
    assert foreign.get("/oidc/userinfo/", HTTP_AUTHORIZATION=bearer).status_code == 401
    assert foreign.get("/api/v1/me", HTTP_AUTHORIZATION=bearer).status_code == 401
    refreshed = foreign.post(
        "/oidc/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "x",
        },
    )
    assert refreshed.status_code == 401
    # At home they still work.
    assert Client().get("/oidc/userinfo/", HTTP_AUTHORIZATION=bearer).status_code == 200


# --- disabled clients and blocked people ----------------------------------------------------


def test_disabled_client_is_refused_everywhere(world, register, flow):
    from preau.accounts.actions import acting_as
    from preau.sso.oidc import actions

    registered = register()
    login = flow(world.pupil, registered)
    tokens = login.tokens("openid profile api.read")
    code = login.code()
    actions.disable_client(actor=acting_as(world.operator, ip=None), client=registered.client)
    assert login.authorize().status_code == 400
    assert login.token(code).status_code in (400, 401)
    bearer = f"Bearer {tokens['access_token']}"
    assert Client().get("/oidc/userinfo/", HTTP_AUTHORIZATION=bearer).status_code == 401
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=bearer).status_code == 401
    assert not AccessToken.objects.exists()
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()


def test_blocked_person_gets_no_token_and_loses_the_api(world, register, flow):
    registered = register()
    login = flow(world.pupil, registered)
    tokens = login.tokens("openid profile api.read")
    code = login.code()
    Person.objects.filter(pk=world.pupil.pk).update(is_blocked=True)
    assert login.token(code).status_code == 400
    bearer = f"Bearer {tokens['access_token']}"
    assert Client().get("/oidc/userinfo/", HTTP_AUTHORIZATION=bearer).status_code == 401
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=bearer).status_code == 401
    refreshed = Client().post(
        "/oidc/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": registered.client_id,
            "client_secret": registered.secret,
        },
    )
    assert refreshed.status_code == 400
    # And the authorization page logs them out to the login page.
    response = login.authorize()
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- the API --------------------------------------------------------------------------------


def test_api_needs_the_api_read_scope(world, register, flow):
    registered = register()
    tokens = flow(world.teacher, registered).tokens("openid profile")
    bearer = f"Bearer {tokens['access_token']}"
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=bearer).status_code == 401
    tokens = flow(world.teacher, registered).tokens("openid api.read")
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert response.status_code == 200
    assert response.json()["id"] == world.teacher.pk


def test_api_read_token_does_not_authenticate_writes(world, register, flow):
    from django.http import HttpRequest

    from preau.core.api_auth import ActorTokenAuth

    tokens = flow(world.teacher, register()).tokens("openid api.read")
    request = HttpRequest()
    request.method = "POST"
    request.tenant = world.tenant  # type: ignore[attr-defined]
    assert ActorTokenAuth().authenticate(request, tokens["access_token"]) is None
    request.method = "GET"
    assert ActorTokenAuth().authenticate(request, tokens["access_token"]) is not None


def test_expired_access_token_is_refused(world, register, flow):
    from datetime import timedelta

    from django.utils import timezone

    tokens = flow(world.teacher, register()).tokens("openid api.read")
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    bearer = f"Bearer {tokens['access_token']}"
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=bearer).status_code == 401


def test_revoked_access_token_is_refused(world, register, flow):
    registered = register()
    tokens = flow(world.teacher, registered).tokens("openid api.read")
    response = Client().post(
        "/oidc/revoke/",
        {
            "token": tokens["access_token"],
            "client_id": registered.client_id,
            "client_secret": registered.secret,
        },
    )
    assert response.status_code == 200
    bearer = f"Bearer {tokens['access_token']}"
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=bearer).status_code == 401


# --- consent --------------------------------------------------------------------------------


def test_third_party_client_asks_consent_once(world, register, flow):
    registered = register(is_first_party=False, description="Réserver un livre au CDI")
    login = flow(world.pupil, registered)
    page = login.authorize("openid profile schools")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert 'id="oidc-consent"' in html
    assert "Réserver un livre au CDI" in html
    assert html.count("data-scope=") == 3
    form = page.context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["allow"] = "on"
    response = login.browser.post("/oidc/authorize/", data)
    params = location_params(response)
    assert params["state"] == login.state
    assert login.token(params["code"]).status_code == 200
    entry = AuditEntry.objects.get(action="oidc.authorized")
    assert entry.subject_id == world.pupil.pk
    assert entry.target_id == str(registered.client.pk)
    assert entry.data["consent"] == "given"
    # Remembered: the next login with the same scopes skips the screen.
    again = flow(world.pupil, registered)
    assert "code" in location_params(again.authorize("openid profile schools"))


def test_consent_denied_sends_access_denied_and_no_code(world, register, flow):
    registered = register(is_first_party=False)
    login = flow(world.pupil, registered)
    page = login.authorize()
    form = page.context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    response = login.browser.post("/oidc/authorize/", data)  # no "allow"
    params = location_params(response)
    assert params["error"] == "access_denied"
    assert "code" not in params
    assert not Grant.objects.exists()
    assert not AuditEntry.objects.filter(action="oidc.authorized").exists()


def test_first_party_login_is_audited(world, register, flow):
    registered = register()
    flow(world.pupil, registered).code()
    entry = AuditEntry.objects.get(action="oidc.authorized")
    assert entry.tenant_id == world.tenant.pk
    assert entry.actor_id == world.pupil.pk
    assert entry.data["scopes"] == ["openid", "profile"]


def test_anonymous_is_sent_to_the_login_page(world, register):
    from preau.sso.oidc.tests.conftest import Flow

    login = Flow(Client(), register())
    response = login.authorize()
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/oidc/authorize/")


def test_consent_page_in_english(world, register, flow):
    from django.utils import translation

    registered = register(is_first_party=False)
    with translation.override("en"):
        page = flow(world.pupil, registered).authorize(ui_locales="en")
    assert page.status_code == 200
    assert REDIRECT_URI not in page.content.decode().split("<form")[0]


def test_authorization_response_names_the_issuer(world, register, flow):
    params = location_params(flow(world.pupil, register()).authorize())
    assert params["iss"] == "https://testserver/oidc"
