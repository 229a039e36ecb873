"""Web push against a real loopback HTTP server standing in for the push service: it receives
the POST, the VAPID JWT verifies with our public key for the right audience, and the aes128gcm
payload decrypts with the browser's keys to the notification's text and address."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.exceptions import ValidationError

from preau.timeline import actions
from preau.timeline.models import Group, Mode, Preference, PushSubscription, Sent
from preau.timeline.tests.conftest import actor, audience, post

pytestmark = pytest.mark.django_db


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """What a browser makes when it subscribes: a P-256 key pair and a 16-byte auth secret."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.p256dh = b64(point)
        self.secret = b"0123456789abcdef"
        self.auth = b64(self.secret)

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.secret, version="aes128gcm"
        )
        return json.loads(plain)


@pytest.fixture
def push_service(monkeypatch):
    """A threaded HTTP server on 127.0.0.1 recording each POST; `status` is what it answers."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # never through a proxy of the machine
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "headers": self.headers, "body": body})
            self.send_response(server.status)  # type: ignore[attr-defined]
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.status = 201  # type: ignore[attr-defined]
    server.received = received  # type: ignore[attr-defined]
    server.base = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def subscribe(person, server, browser, path="/push/abc"):
    return actions.subscribe_push(
        actor=actor(person), endpoint=server.base + path, p256dh=browser.p256dh, auth=browser.auth
    )


def verify_vapid(authorization: str, audience_url: str, settings) -> dict[str, Any]:
    """Check the `vapid t=<jwt>, k=<key>` header: ES256 signature by our key, claims."""
    assert authorization.startswith("vapid ")
    parts = dict(p.strip().split("=", 1) for p in authorization[len("vapid ") :].split(","))
    assert parts["k"] == settings.PREAU_VAPID_PUBLIC_KEY
    header, claims, signature = parts["t"].split(".")
    assert json.loads(unb64(header))["alg"] == "ES256"
    public = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), unb64(settings.PREAU_VAPID_PUBLIC_KEY)
    )
    raw = unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    body = json.loads(unb64(claims))
    assert body["aud"] == audience_url
    assert body["sub"] == settings.PREAU_VAPID_SUBJECT
    with pytest.raises(InvalidSignature):
        public.verify(der, f"{header}.{claims}x".encode(), ec.ECDSA(hashes.SHA256()))
    return body


def test_a_notification_is_pushed_encrypted_and_signed(world, push_service, delivered, settings):
    browser = Browser()
    subscription = subscribe(world.guardian, push_service, browser)
    Preference.objects.create(
        tenant=world.tenant, person=world.guardian, group=Group.NEWS, mode=Mode.FEED, push=True
    )
    n = delivered(
        world.director,
        audience(world.tenant, "school", school=world.school),
        text="Collège fermé demain",
    )
    assert len(push_service.received) == 1
    request = push_service.received[0]
    assert request["path"] == "/push/abc"
    assert request["headers"]["Content-Encoding"] == "aes128gcm"
    assert int(request["headers"]["TTL"]) > 0
    verify_vapid(request["headers"]["Authorization"], push_service.base, settings)
    payload = browser.decrypt(request["body"])
    assert payload["body"] == "Collège fermé demain"
    assert payload["url"] == f"/timeline/{n.pk}/open"
    subscription.refresh_from_db()
    assert subscription.last_ok_at is not None
    assert Sent.objects.filter(notification=n, channel="push").count() == 1
    actions.deliver([n.pk])  # a re-run pushes nothing twice
    assert len(push_service.received) == 1


def test_push_can_be_switched_off_per_group(world, push_service, delivered):
    subscribe(world.guardian, push_service, Browser())
    Preference.objects.create(
        tenant=world.tenant, person=world.guardian, group=Group.NEWS, mode=Mode.FEED, push=False
    )
    delivered(world.director, audience(world.tenant, "school", school=world.school))
    assert push_service.received == []


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(world, push_service, delivered, status):
    push_service.status = status
    subscribe(world.guardian, push_service, Browser())
    delivered(world.teacher, [world.guardian], kind="homework.new", text="Devoir")
    assert len(push_service.received) == 1
    assert not PushSubscription.objects.exists()


def test_another_refusal_counts_a_failure_and_keeps_the_subscription(
    world, push_service, delivered
):
    push_service.status = 500
    subscribe(world.guardian, push_service, Browser())
    delivered(world.teacher, [world.guardian], kind="homework.new")
    assert PushSubscription.objects.get().failures == 1


def test_subscribing_refuses_plain_http_except_loopback_and_bad_keys(world, settings):
    browser = Browser()
    me = actor(world.guardian)
    for endpoint in ("http://push.example.com/x", "ftp://127.0.0.1/x", "not a url"):
        with pytest.raises(ValidationError):
            actions.subscribe_push(
                actor=me, endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth
            )
    with pytest.raises(ValidationError):
        actions.subscribe_push(
            actor=me, endpoint="https://push.example.com/x", p256dh="abc", auth=browser.auth
        )
    actions.subscribe_push(
        actor=me, endpoint="https://push.example.com/x", p256dh=browser.p256dh, auth=browser.auth
    )
    actions.subscribe_push(
        actor=me, endpoint="http://127.0.0.1:9/x", p256dh=browser.p256dh, auth=browser.auth
    )
    settings.PREAU_PUSH_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError):
        actions.subscribe_push(
            actor=me, endpoint="http://127.0.0.1:9/y", p256dh=browser.p256dh, auth=browser.auth
        )
    assert PushSubscription.objects.filter(person=world.guardian).count() == 2


def test_only_my_own_subscriptions_get_my_pushes(world, push_service, delivered):
    subscribe(world.guardian, push_service, Browser(), path="/sophie")
    subscribe(world.guardian_b, push_service, Browser(), path="/marc")
    post_ = delivered(world.teacher, [world.guardian], kind="homework.new")
    assert [r["path"] for r in push_service.received] == ["/sophie"]
    assert post_.recipient_id == world.guardian.pk
    assert post is not None
