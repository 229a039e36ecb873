"""Logs: a request id on every request, the request's context on every record, one access
line per request, and a JSON formatter (`PREAU_LOG_FORMAT=json`) for log collectors.

A JSON record is one line: `time` (UTC, ISO 8601), `level`, `logger`, `message`, and, inside a
request, `request_id`, `tenant` (slug), `person` (id, once the session has named them) and
`path`; the access line adds `method`, `view`, `status` and `duration_ms`. No personal data
beyond ids: the path is logged without its query string (a search may hold a pupil's name),
and nothing reads the session or the database to fill a record.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest

# The request being served by this thread or task (set by the metrics middleware).
CURRENT_REQUEST: ContextVar[HttpRequest | None] = ContextVar("preau_request", default=None)
ACCESS = logging.getLogger("preau.access")
# A request id from the proxy is kept when it looks like one (no spaces, quotes or controls).
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:@+=-]{1,128}")
CONTEXT_FIELDS = ("request_id", "tenant", "person", "path")
ACCESS_FIELDS = ("method", "view", "status", "duration_ms")


def request_id_for(request: HttpRequest) -> str:
    """The request's id: the proxy's `X-Request-Id` when well-formed, else a new one."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if given and REQUEST_ID_RE.fullmatch(given):
        return str(given)
    return os.urandom(16).hex()


def person_id(request: HttpRequest) -> int | None:
    """The logged-in person's id if the authentication middleware already loaded them (never
    loads them: a log line costs no query)."""
    user = request.__dict__.get("_cached_user")
    if user is not None and user.is_authenticated:
        return int(user.pk)
    return None


def request_context(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    return {
        "request_id": getattr(request, "request_id", None),
        "tenant": tenant.slug if tenant is not None else None,
        "person": person_id(request),
        "path": request.path,
    }


class RequestContextFilter(logging.Filter):
    """Adds the current request's context to each record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = CURRENT_REQUEST.get()
        context = request_context(request) if request is not None else {}
        for field in CONTEXT_FIELDS:
            if not hasattr(record, field):
                setattr(record, field, context.get(field))
        return True


_second: list[Any] = [None, ""]


def _utc_time(created: float) -> str:
    """ISO 8601 in UTC with milliseconds; the part up to the second is kept from the previous
    record (records come many per second)."""
    second = int(created)
    if _second[0] != second:
        stamp = dt.datetime.fromtimestamp(second, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        _second[0], _second[1] = second, stamp
    return f"{_second[1]}.{int((created - second) * 1000):03d}+00:00"


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the fields of the module's docstring."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": _utc_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in (*CONTEXT_FIELDS, *ACCESS_FIELDS):
            value = getattr(record, field, None)
            if value is not None:
                data[field] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The readable default: time, level, logger, message, and the request id when there is
    one."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{line} [{request_id}]" if request_id else line

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


def log_access(request: HttpRequest, *, view: str, status: int, duration_ms: float) -> None:
    """The access line of a request (logger `preau.access`, level INFO)."""
    ACCESS.info(
        f"{request.method} {request.path} {status} {duration_ms:.1f}ms",
        extra={
            **request_context(request),
            "method": request.method,
            "view": view,
            "status": status,
            "duration_ms": round(duration_ms, 2),
        },
    )
