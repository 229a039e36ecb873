"""A connected app for the CAS tests: a real HTTP server on loopback that records what it
receives (proxy callbacks, single-logout posts) and, given a CAS server, validates the ticket
it is sent to with python-cas like a real app would."""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cas import CASClientV3

from preau.portal.models import AttributeProfile
from preau.portal.tests.factories import ConnectedAppFactory


@dataclass
class Hit:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]] = field(default_factory=dict)


class Receiver:
    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.cas_server = ""  # e.g. http://localhost:1234/cas/ to validate tickets
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _record(self, form: dict[str, list[str]]) -> Hit:
                parts = urlsplit(self.path)
                hit = Hit(self.command, parts.path, parse_qs(parts.query), form)
                receiver.hits.append(hit)
                return hit

            def do_GET(self) -> None:
                hit = self._record({})
                body = "ok"
                client = CASClientV3(
                    service_url=f"{receiver.url}/app/", server_url=receiver.cas_server
                )
                if (
                    hit.path.startswith("/app/")
                    and receiver.cas_server
                    and "ticket" not in hit.query
                ):
                    # Not logged in to the app: it sends the person to Préau's CAS login.
                    self.send_response(302)
                    self.send_header("Location", client.get_login_url())
                    self.end_headers()
                    return
                if hit.path.startswith("/app/") and receiver.cas_server:
                    user, attributes, _iou = client.verify_ticket(hit.query["ticket"][0])
                    name = (attributes or {}).get("displayName", user)
                    body = (
                        '<!doctype html><html lang="fr"><head><title>Appli</title></head>'
                        f"<body><main><h1>Bonjour {html.escape(str(name))}</h1></main>"
                        "</body></html>"
                    )
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body.encode())

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self._record(parse_qs(self.rfile.read(length).decode()))
                self.send_response(200)
                self.end_headers()

        return Handler

    def posts(self) -> list[Hit]:
        return [h for h in self.hits if h.method == "POST"]


@pytest.fixture
def receiver() -> Any:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def cas_app(world: Any, receiver: Receiver) -> Any:
    """A CAS app of the world tenant offered to everyone, whose service is the receiver."""
    return ConnectedAppFactory(
        tenant=world.tenant,
        name="Moodle",
        url="https://moodle.example.org/",
        cas_enabled=True,
        service_patterns=f"{receiver.url}/app/\n{receiver.url}/proxied/*\nhttps://moodle.example.org/",
        allow_proxy=True,
    )


@pytest.fixture
def pronote(world: Any, receiver: Receiver) -> Any:
    """Pronote for the world's first school only, with the Pronote attribute profile."""
    return ConnectedAppFactory(
        tenant=world.tenant,
        name="Pronote",
        url="https://0000001a.index-education.net/pronote/",
        cas_enabled=True,
        service_patterns=f"{receiver.url}/pronote/\nhttps://0000001a.index-education.net/pronote/*",
        attribute_profile=AttributeProfile.PRONOTE,
        schools=[world.school],
    )
