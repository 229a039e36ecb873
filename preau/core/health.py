"""Health endpoints for the load balancer and the orchestrator, answered before any other
middleware: no tenant, no session, no host check.

- `/healthz`: the process answers (liveness). It touches nothing else.
- `/readyz`: the process can serve (readiness): the database answers `SELECT 1` and, when
  REDIS_URL is set, Redis answers PING. Otherwise 503 with which part failed, so the balancer
  takes this process out of rotation instead of sending it people.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

Handler = Callable[[HttpRequest], HttpResponse]


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ready"
        return f"error: {type(exc).__name__}"
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        client.ping()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def readiness() -> tuple[bool, dict[str, str]]:
    checks = {"database": _database(), "redis": _redis()}
    return not any(v.startswith("error") for v in checks.values()), checks


class HealthMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return _plain(200, {"status": "ok"})
        if request.path == "/readyz":
            ready, checks = readiness()
            return _plain(
                200 if ready else 503, {"status": "ok" if ready else "unavailable", **checks}
            )
        return self.get_response(request)


def _plain(status: int, body: dict[str, str]) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response
