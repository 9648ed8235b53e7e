"""A Web Push receiver for tests (imported as `pushkit`): a push service on 127.0.0.1 that keeps
what it is sent, and the browser's side of a subscription, which decrypts it (RFC 8291) and checks
the VAPID signature (RFC 8292) against the node's public key."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Pushed:
    path: str
    headers: dict[str, str]
    body: bytes


class PushService(ThreadingHTTPServer):
    """Answers `status` to every POST (201 as push services do, or 410 once gone)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Receive)
        self.received: list[Pushed] = []
        self.status = 201

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _Receive(BaseHTTPRequestHandler):
    server: PushService

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        size = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(size)
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.received.append(Pushed(self.path, headers, body))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serving() -> Iterator[PushService]:
    server = PushService()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Browser:
    """The subscriber's keys: what a browser hands an app for `subscription[keys]`."""

    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    @property
    def auth_b64(self) -> str:
        return b64url(self.auth)

    def open(self, pushed: Pushed, server_key: str) -> dict[str, Any]:
        """The payload of a push: its VAPID signature checked, then decrypted."""
        assert pushed.headers["content-encoding"] == "aes128gcm"
        assert int(pushed.headers["ttl"]) > 0
        check_vapid(pushed.headers["authorization"], server_key)
        plain = http_ece.decrypt(
            pushed.body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        found: dict[str, Any] = json.loads(plain)
        return found


def check_vapid(header: str, server_key: str) -> dict[str, Any]:
    """RFC 8292's `vapid t=<JWT>, k=<key>`: the key is the node's, the JWT signed by it."""
    scheme, _, rest = header.partition(" ")
    assert scheme == "vapid", header
    parts = dict(p.strip().split("=", 1) for p in rest.split(","))
    assert unb64url(parts["k"]) == unb64url(server_key.rstrip("="))
    head, claims, signature = parts["t"].split(".")
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    found: dict[str, Any] = json.loads(unb64url(claims))
    return found
