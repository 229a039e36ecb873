"""API authentication: the browser session (with CSRF), a personal bearer token, or an OAuth
access token issued by Préau's OpenID Connect provider with the scope `api.read`.

Either way the request ends up with `request.actor`, scoped to the host's tenant.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.session import SessionAuth


class ActorSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated and getattr(request, "actor", None) is not None:
            return request.actor  # type: ignore[attr-defined]
        return None


class ActorTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from preau.accounts.models import ApiToken
        from preau.directory.queries import build_actor

        digest = hashlib.sha256(token.encode()).hexdigest()
        row = (
            ApiToken.objects.filter(
                tenant=request.tenant,  # type: ignore[attr-defined]
                key_hash=digest,
                revoked_at__isnull=True,
                person__is_blocked=False,
            )
            .select_related("person", "tenant")
            .first()
        )
        if row is None:
            # Not a personal token: perhaps an access token of the OpenID Connect provider.
            return _oauth_actor(request, token)
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        actor = build_actor(
            row.person,
            tenant=row.tenant,
            ip=request.META.get("REMOTE_ADDR"),
        )
        request.actor = actor  # type: ignore[attr-defined]
        return actor


def _oauth_actor(request: HttpRequest, token: str) -> Any:
    """The actor of a live OIDC access token with scope api.read, issued by an enabled client of
    this host's tenant to a person of this tenant who is not blocked; None otherwise.
    The scope reads: such a token never authenticates a write (POST, PUT, PATCH, DELETE)."""
    from preau.directory.queries import build_actor
    from preau.sso.oidc.queries import api_access_token

    if request.method not in {"GET", "HEAD", "OPTIONS"}:
        return None
    tenant = request.tenant  # type: ignore[attr-defined]
    row = api_access_token(tenant, token)
    if row is None:
        return None
    actor = build_actor(row.user, tenant=tenant, ip=request.META.get("REMOTE_ADDR"))
    request.actor = actor  # type: ignore[attr-defined]
    return actor


api_auth: list[APIKeyCookie | HttpBearer] = [ActorSessionAuth(), ActorTokenAuth()]
