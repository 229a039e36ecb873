"""Web push transport (RFC 8030 + RFC 8291 encryption + RFC 8292 VAPID) through pywebpush.

The keys come from settings (PREAU_VAPID_PRIVATE_KEY as PEM, PREAU_VAPID_PUBLIC_KEY as the
base64url point the browser subscribes with). An endpoint must be https; http is accepted only
for loopback hosts when PREAU_PUSH_ALLOW_LOOPBACK is set (the tests' stand-in push service).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from functools import cache
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from py_vapid import Vapid, Vapid01
from pywebpush import WebPushException, webpush

GONE = (404, 410)


@cache
def _vapid(private_pem: str) -> Vapid01:
    return Vapid.from_pem(private_pem.encode())


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_allowed(endpoint: str) -> bool:
    """An https endpoint, or an http one on a loopback host where the setting allows it."""
    try:
        url = urlparse(endpoint)
    except ValueError:
        return False
    if not url.hostname or len(endpoint) > 1000:
        return False
    if url.scheme == "https":
        return True
    return (
        url.scheme == "http"
        and bool(settings.PREAU_PUSH_ALLOW_LOOPBACK)
        and _is_loopback(url.hostname)
    )


def _b64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def keys_valid(p256dh: str, auth: str) -> bool:
    """The browser's P-256 public key (65 bytes, uncompressed) and 16-byte auth secret."""
    try:
        point, secret = _b64(p256dh), _b64(auth)
    except (binascii.Error, ValueError):
        return False
    return len(point) == 65 and point[0] == 4 and len(secret) == 16


class PushGoneError(Exception):
    """The push service says the subscription no longer exists (404 or 410)."""


def send_push(*, endpoint: str, p256dh: str, auth: str, payload: dict[str, Any]) -> None:
    """Encrypt `payload` (JSON) for the subscription and POST it to its push service.

    Raises PushGoneError for 404/410, WebPushException for another refusal, and the transport's
    exceptions (connection refused, timeout) as they come.
    """
    try:
        webpush(
            subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=_vapid(settings.PREAU_VAPID_PRIVATE_KEY),
            vapid_claims={"sub": settings.PREAU_VAPID_SUBJECT},  # a fresh dict: webpush fills aud
            timeout=float(settings.PREAU_PUSH_TIMEOUT),
            ttl=24 * 60 * 60,
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in GONE:
            raise PushGoneError(str(status)) from exc
        raise
