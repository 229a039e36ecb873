"""Prometheus metrics and the per-request bookkeeping (request id, access line).

`RequestMetricsMiddleware` is the first of the stack. For each request it takes the request
id (`X-Request-Id` from the proxy, or a new one, echoed in the response), counts it and times
it by view (URL name, never the raw path), method and status class, keeps the in-flight gauge,
and writes the access line (preau.core.logs). It costs no query and no Redis call: counters
live in the process (or, with several worker processes, in memory-mapped files under
`PROMETHEUS_MULTIPROC_DIR`, prometheus_client's multiprocess mode).

`/metrics` is answered here, before hosts, tenants and sessions, in Prometheus' text format,
to a scraper presenting `Authorization: Bearer <PREAU_METRICS_TOKEN>` or coming from one of
`PREAU_METRICS_ALLOWED_NETWORKS`. When neither is configured, or for anyone else, it does
not exist (404).

Behind reverse proxies (`PREAU_TRUSTED_PROXIES`), the middleware also puts the client's own
address (from `X-Forwarded-For`) in `REMOTE_ADDR` before anything reads it.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from preau.core import logs

Handler = Callable[[HttpRequest], HttpResponse]

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; the read target is p99 ≤ 250 ms (DESIGN.md), the floor is well under 5 ms.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Paths answered without a view, before URL resolution (health, shedding).
UNRESOLVED = "<unresolved>"

REQUESTS = Counter(
    "preau_http_requests",
    "HTTP requests answered, by view, method and status class.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "preau_http_request_duration_seconds",
    "Time to build the response (streamed bodies excluded), by view, method and status class.",
    ["view", "method", "status"],
    buckets=BUCKETS,
)
IN_FLIGHT = Gauge(
    "preau_http_requests_in_flight",
    "Requests being served (summed over the live processes).",
    multiprocess_mode="livesum",
)
SHED = Counter(
    "preau_http_shed", "Requests turned away by admission control, by reason.", ["reason"]
)
LOGINS_DEFERRED = Counter(
    "preau_logins_deferred", "Logins refused for now by the operator's login windows."
)
TASKS = Counter(
    "preau_celery_tasks", "Celery tasks finished, by task name and state.", ["task", "state"]
)


def view_label(request: HttpRequest) -> str:
    """The URL name ("messaging:inbox"), else the route pattern, else `<unresolved>`: a
    bounded set of values whatever paths people type."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        if request.path in {"/healthz", "/readyz"}:
            return request.path.lstrip("/")
        return UNRESOLVED
    return match.view_name or match.route or UNRESOLVED


def render() -> bytes:
    """Every metric in the text exposition format; merged over the worker processes in
    multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@cache
def _networks(spec: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(ipaddress.ip_network(net, strict=False) for net in spec)


def scraper_allowed(request: HttpRequest) -> bool:
    token = settings.PREAU_METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    networks = _networks(tuple(settings.PREAU_METRICS_ALLOWED_NETWORKS))
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in networks)


def metrics_response(request: HttpRequest) -> HttpResponse:
    if request.method not in {"GET", "HEAD"} or not scraper_allowed(request):
        return HttpResponseNotFound(b"", content_type="text/plain")
    response = HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def client_address(request: HttpRequest, proxies: tuple[str, ...]) -> str | None:
    """The client's address behind our reverse proxies: the last `X-Forwarded-For` entry not
    one of `proxies`, when the request comes from one of them (None: keep REMOTE_ADDR)."""
    networks = _networks(proxies)
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or not any(peer in network for network in networks):
        return None
    for hop in reversed(forwarded.split(",")):
        try:
            address = ipaddress.ip_address(hop.strip())
        except ValueError:
            return None
        if not any(address in network for network in networks):
            return str(address)
    return None


# The labelled children already used, by (view, method, status class): labels() takes a lock
# and builds its key each time, this is one dictionary read.
_CHILDREN: dict[tuple[str, str, int], tuple[Any, Any]] = {}


class RequestMetricsMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.PREAU_TRUSTED_PROXIES:
            # Behind nginx every peer is the proxy: lock-outs, audits and /metrics need the
            # client's own address, which the proxy forwards.
            client = client_address(request, tuple(settings.PREAU_TRUSTED_PROXIES))
            if client:
                request.META["REMOTE_ADDR"] = client
        if request.path == "/metrics":
            return metrics_response(request)
        start = time.perf_counter()
        request.request_id = logs.request_id_for(request)  # type: ignore[attr-defined]
        token = logs.CURRENT_REQUEST.set(request)
        IN_FLIGHT.inc()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-Id"] = request.request_id  # type: ignore[attr-defined]
            return response
        finally:
            IN_FLIGHT.dec()
            elapsed = time.perf_counter() - start
            view = view_label(request)
            method = request.method if request.method in METHODS else "other"
            key = (view, method, status // 100)
            children = _CHILDREN.get(key)
            if children is None:
                labels = (view, method, f"{status // 100}xx")
                children = _CHILDREN[key] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
            children[0].inc()
            children[1].observe(elapsed)
            if logs.ACCESS.isEnabledFor(logging.INFO) and view not in {"healthz", "readyz"}:
                logs.log_access(request, view=view, status=status, duration_ms=elapsed * 1000)
            logs.CURRENT_REQUEST.reset(token)


def count_celery_tasks() -> None:
    """Count finished Celery tasks by name and state (success, failure, retry: Celery's
    `task_postrun` state). Call it once in the worker process (config/celery.py); in
    multiprocess mode, on the same host, its counts join the web's on /metrics."""
    from celery import signals

    def finished(sender: Any = None, state: str | None = None, **_: Any) -> None:
        TASKS.labels(getattr(sender, "name", None) or "unknown", (state or "unknown").lower()).inc()

    signals.task_postrun.connect(finished, weak=False, dispatch_uid="preau.core.metrics.tasks")
