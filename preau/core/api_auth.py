"""API authentication: the browser session (with CSRF) or a personal bearer token.

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
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        actor = build_actor(
            row.person,
            tenant=row.tenant,
            ip=request.META.get("REMOTE_ADDR"),
        )
        request.actor = actor  # type: ignore[attr-defined]
        return actor


api_auth: list[APIKeyCookie | HttpBearer] = [ActorSessionAuth(), ActorTokenAuth()]
