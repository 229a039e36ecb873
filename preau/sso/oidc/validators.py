"""django-oauth-toolkit made tenant-aware.

`PreauOAuthLibCore` passes the request's tenant and issuer to oauthlib (as two server-side
header entries no client can send: request headers reach Django's META prefixed with HTTP_).
`PreauOAuth2Validator` then refuses, on every endpoint:

- a client registered by another tenant, or disabled, or with no registration of ours;
- a code, refresh token or access token whose person is blocked or of another tenant;

and releases Préau's claims (`queries.claims_for`) under a per-host issuer.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import HttpRequest
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.common import Request as OauthlibRequest

from preau.sso.oidc import queries
from preau.sso.oidc.scopes import Scope

TENANT_HEADER = "PREAU_TENANT_ID"
ISSUER_HEADER = "PREAU_ISSUER"


class PreauOAuthLibCore(OAuthLibCore):
    def create_authorization_response(
        self, request: HttpRequest, scopes: list[str], credentials: dict[str, Any], allow: bool
    ) -> tuple[Any, Any, Any, Any]:
        """DOT's response, plus the RFC 9207 `iss` parameter with this host's issuer (DOT's own
        gate derives the issuer from a URL name we do not mount)."""
        uri, headers, body, status = super().create_authorization_response(
            request, scopes, credentials, allow
        )
        if uri is not None:
            uri = _with_issuer(uri, queries.issuer_for(request))
            headers["Location"] = uri
        return uri, headers, body, status

    def extract_headers(self, request: HttpRequest) -> dict[str, Any]:
        headers: dict[str, Any] = super().extract_headers(request)
        headers.pop(TENANT_HEADER, None)
        headers.pop(ISSUER_HEADER, None)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            headers[TENANT_HEADER] = str(tenant.pk)
            headers[ISSUER_HEADER] = queries.issuer_for(request)
        return headers


def _with_issuer(uri: str, issuer: str) -> str:
    """`uri` with `iss=<issuer>` in its query (replacing any there)."""
    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "iss"]
    query.append(("iss", issuer))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _tenant_id(request: Any) -> int | None:
    if isinstance(request, HttpRequest):
        tenant = getattr(request, "tenant", None)
        return tenant.pk if tenant is not None else None
    headers = getattr(request, "headers", None) or {}
    value = headers.get(TENANT_HEADER)
    return int(value) if value and str(value).isdigit() else None


class PreauOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "locale": Scope.PROFILE.value,
        "profiles": Scope.PROFILE.value,
        "schools": Scope.SCHOOLS.value,
        "classes": Scope.CLASSES.value,
    }

    # --- clients: only the enabled ones of the request's tenant ---

    def _load_application(self, client_id: str, request: OauthlibRequest) -> Application | None:
        tenant_id = _tenant_id(request)
        cached = request.client
        if (
            isinstance(cached, Application)
            and cached.client_id == client_id
            and queries.application_usable(cached, tenant_id)
        ):
            return cached
        request.client = queries.tenant_application(tenant_id, client_id)
        return request.client

    # --- people: of this tenant, not blocked ---

    def validate_code(
        self,
        client_id: str,
        code: str,
        client: Any,
        request: OauthlibRequest,
        *args: Any,
        **kw: Any,
    ) -> bool:
        if not super().validate_code(client_id, code, client, request, *args, **kw):
            return False
        return queries.person_usable(request.user, _tenant_id(request))

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: OauthlibRequest, *args: Any, **kw: Any
    ) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kw):
            return False
        return queries.application_usable(client, _tenant_id(request)) and queries.person_usable(
            request.user, _tenant_id(request)
        )

    def _load_access_token(self, token: str) -> AccessToken | None:
        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        return (
            AccessToken.objects.select_related("application__oidc_client", "user")
            .filter(token_checksum=checksum)
            .first()
        )

    def validate_bearer_token(self, token: str, scopes: list[str], request: Any) -> bool:
        if not super().validate_bearer_token(token, scopes, request):
            return False
        tenant_id = _tenant_id(request)
        if queries.application_usable(request.client, tenant_id) and queries.person_usable(
            request.user, tenant_id
        ):
            return True
        request.oauth2_error = {
            "error": "invalid_token",
            "error_description": "The access token is invalid.",
        }
        return False

    # --- prompt=none: the person is logged in (the view requires it); only a first-party
    # client is authorized silently, a third-party one gets consent_required ---

    def validate_silent_login(self, request: OauthlibRequest) -> bool:
        return True

    def validate_silent_authorization(self, request: OauthlibRequest) -> bool:
        registration = getattr(request.client, "oidc_client", None)
        return bool(registration and registration.is_first_party)

    # --- claims and issuer ---

    def get_oidc_issuer_endpoint(self, request: Any) -> str:
        if isinstance(request, HttpRequest):
            return queries.issuer_for(request)
        return str(request.headers.get(ISSUER_HEADER, ""))

    def get_oidc_claims(self, token: Any, token_handler: Any, request: OauthlibRequest) -> dict:
        return queries.claims_for(request.user, list(request.scopes or []))

    def get_discovery_claims(self, request: Any) -> list[str]:
        return list(queries.SUPPORTED_CLAIMS)
