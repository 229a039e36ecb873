"""Admission control: under overload, shed new arrivals early and cheaply so that people
already logged in carry on (DESIGN.md, "Production topology").

Two signals, each off when its setting is 0:

- in flight: requests this process is serving at once (`PREAU_SHED_MAX_IN_FLIGHT`);
- queue time: how long the request waited before reaching the app, from the reverse proxy's
  `X-Request-Start: t=<seconds since the epoch>` header (`PREAU_SHED_MAX_QUEUE_MS`).

Past either limit, a request without a session cookie (a new arrival: the login page, the
portal's first load) gets a 503 with `Retry-After` and a light waiting page built without the
database, templates or the session. A request with a session cookie always passes: people
already logged in carry on, and when even they are too many they wait in line (the proxy's
timeouts bound the wait). Turning them away past twice the in-flight limit, as a first version
did, refused 11 % of their requests at a load the machine could serve (`make bench`,
docs/performance.md). The middleware sits right after the health endpoints, before sessions and
tenants: refusing costs almost nothing. Each refusal is counted (`preau_http_shed_total{reason}`
on /metrics).

The operator's login windows per profile (core.windows, `PREAU_LOGIN_WINDOWS`) are the other,
planned, way to spread a rush: they are applied at login (accounts.actions), not here, since
only the login knows who is arriving.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from preau.core.metrics import SHED

Handler = Callable[[HttpRequest], HttpResponse]

WAITING_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{seconds}">
<title>Un instant… · Préau</title>
<style>body{{font-family:system-ui,sans-serif;margin:0;display:grid;place-items:center;
min-height:100vh;background:#f4f6f9;color:#1b1f24}}main{{max-width:32rem;padding:2rem;
text-align:center}}h1{{font-size:1.5rem}}p{{line-height:1.5}}</style></head>
<body><main><h1>Beaucoup de monde se connecte en ce moment</h1>
<p>Votre page s'ouvrira d'elle-même dans {seconds} secondes. Inutile de recharger&nbsp;:
vous gardez votre place.</p>
<p lang="en">Many people are connecting right now: this page will open by itself in
{seconds} seconds.</p></main></body></html>"""


class _InFlight:
    """A per-process counter of the requests being served."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def enter(self) -> int:
        with self._lock:
            self.value += 1
            return self.value

    def leave(self) -> None:
        with self._lock:
            self.value -= 1


IN_FLIGHT = _InFlight()


def queue_ms(request: HttpRequest, now: float) -> float:
    """Milliseconds since the proxy received the request (0 without the header)."""
    raw = request.META.get("HTTP_X_REQUEST_START", "")
    try:
        start = float(raw.removeprefix("t="))
    except ValueError:
        return 0.0
    if start > 1e11:  # some proxies send microseconds or milliseconds
        start /= 1e6 if start > 1e14 else 1e3
    return max(0.0, (now - start) * 1000)


def waiting_response(seconds: int) -> HttpResponse:
    response = HttpResponse(
        WAITING_PAGE.format(seconds=seconds), status=503, content_type="text/html; charset=utf-8"
    )
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    # A refusal is not a server error: counted on /metrics, not logged as an ERROR line each
    # (Django's request logger would write one per refused arrival, thousands a minute).
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class AdmissionMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.PREAU_SHED_MAX_IN_FLIGHT
        max_queue = settings.PREAU_SHED_MAX_QUEUE_MS
        if not (limit or max_queue):
            return self.get_response(request)
        in_flight = IN_FLIGHT.enter()
        try:
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                return self.get_response(request)
            busy = bool(limit) and in_flight > limit
            waited = bool(max_queue) and queue_ms(request, time.time()) > max_queue
            if busy or waited:
                SHED.labels("in_flight" if busy else "queue_time").inc()
                return waiting_response(settings.PREAU_SHED_RETRY_SECONDS)
            return self.get_response(request)
        finally:
            IN_FLIGHT.leave()
