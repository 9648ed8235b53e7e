"""A minimal ActivityPub actor on a loopback port, to check bovine's behaviour on the wire.

It serves one actor document (a throwaway RSA key, publicKey.id = actor id + "#main-key"), records
every POST to its inbox or shared inbox with the verdict of a draft-cavage signature check, and
can send signed GETs and POSTs. Signing and verifying use the cryptography library directly, so
this stays independent of fedihub's own signature code (which it is meant to check against).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart, request

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
ACTIVITY_JSON = "application/activity+json"


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    key_id: str | None
    verified: bool
    problem: str | None = None


def _sign(key: rsa.RSAPrivateKey, key_id: str, headers: dict[str, str], names: list[str]) -> str:
    text = "\n".join(f"{name}: {headers[name]}" for name in names)
    signature = key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    return (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )


def _parse_signature(header: str) -> dict[str, str]:
    parts = {}
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        parts[name] = value.strip('"')
    return parts


@dataclass
class StubActor:
    port: int
    username: str = "stub"
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    deliveries: list[Delivery] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def actor_id(self) -> str:
        return f"{self.base_url}/actor"

    @property
    def key_id(self) -> str:
        return f"{self.actor_id}#main-key"

    def document(self) -> dict[str, Any]:
        pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "@context": [AS_CONTEXT, SECURITY_CONTEXT],
            "id": self.actor_id,
            "type": "Person",
            "preferredUsername": self.username,
            "inbox": f"{self.base_url}/inbox",
            "outbox": f"{self.base_url}/outbox",
            "followers": f"{self.base_url}/followers",
            "following": f"{self.base_url}/following",
            "endpoints": {"sharedInbox": f"{self.base_url}/shared-inbox"},
            "publicKey": {"id": self.key_id, "owner": self.actor_id, "publicKeyPem": pem.decode()},
        }

    def _app(self) -> Quart:
        app = Quart(__name__)

        @app.get("/actor")
        async def actor() -> Any:
            return self.document(), 200, {"content-type": ACTIVITY_JSON}

        @app.get("/<name>")
        async def empty_collection(name: str) -> Any:
            doc = {"@context": AS_CONTEXT, "id": f"{self.base_url}/{name}",
                   "type": "OrderedCollection", "totalItems": 0, "orderedItems": []}  # fmt: skip
            return doc, 200, {"content-type": ACTIVITY_JSON}

        @app.post("/inbox")
        @app.post("/shared-inbox")
        async def inbox() -> Any:
            body = await request.get_data()
            headers = {k.lower(): v for k, v in request.headers.items()}
            delivery = await self._verify(request.method, request.path, headers, body)
            self.deliveries.append(delivery)
            return "", 202

        return app

    async def start(self) -> None:
        config = Config()
        config.bind = [f"127.0.0.1:{self.port}"]
        config.accesslog = None
        ready = asyncio.Event()
        self._task = asyncio.create_task(
            serve(self._app(), config, shutdown_trigger=self._stop.wait),  # type: ignore[arg-type]
        )
        async with httpx.AsyncClient() as client:
            for _ in range(200):
                try:
                    await client.get(self.actor_id)
                    ready.set()
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.02)
        assert ready.is_set(), "stub actor did not start"

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    # -- signed requests ----------------------------------------------------------------------

    def _headers(self, method: str, url: str, body: bytes | None) -> dict[str, str]:
        parts = urlsplit(url)
        headers = {
            "(request-target)": f"{method} {parts.path}",
            "host": parts.netloc,
            "date": formatdate(usegmt=True),
            "accept": ACTIVITY_JSON,
        }
        names = ["(request-target)", "host", "date"]
        if body is not None:
            headers["digest"] = (
                "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
            )
            headers["content-type"] = ACTIVITY_JSON
            names += ["digest", "content-type"]
        headers["signature"] = _sign(self.key, self.key_id, headers, names)
        del headers["(request-target)"]
        return headers

    async def get(self, url: str, signed: bool = True) -> httpx.Response:
        headers = self._headers("get", url, None) if signed else {"accept": ACTIVITY_JSON}
        async with httpx.AsyncClient() as client:
            return await client.get(url, headers=headers)

    async def post(self, url: str, activity: dict[str, Any]) -> httpx.Response:
        body = json.dumps(activity).encode()
        async with httpx.AsyncClient() as client:
            return await client.post(url, content=body, headers=self._headers("post", url, body))

    # -- verifying what arrives ---------------------------------------------------------------

    async def _verify(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> Delivery:
        doc = json.loads(body)
        if "signature" not in headers:
            return Delivery(path, headers, doc, None, False, "no Signature header")
        sig = _parse_signature(headers["signature"])
        key_id = sig.get("keyId")
        names = sig.get("headers", "date").split()
        algorithm, _, digest = headers.get("digest", "").partition("=")
        if (
            algorithm.lower() != "sha-256"
            or digest != base64.b64encode(hashlib.sha256(body).digest()).decode()
        ):
            return Delivery(path, headers, doc, key_id, False, "digest missing or wrong")
        response = await self.get(str(key_id).split("#")[0])
        if response.status_code != 200:
            return Delivery(path, headers, doc, key_id, False, f"key fetch {response.status_code}")
        public_key = response.json().get("publicKey", {})
        if public_key.get("id") != key_id:
            return Delivery(path, headers, doc, key_id, False, "keyId is not publicKey.id")
        values = {**headers, "(request-target)": f"{method.lower()} {path}"}
        text = "\n".join(f"{name}: {values[name]}" for name in names)
        key = serialization.load_pem_public_key(public_key["publicKeyPem"].encode())
        try:
            assert isinstance(key, rsa.RSAPublicKey)
            key.verify(
                base64.b64decode(sig["signature"]), text.encode(), padding.PKCS1v15(),
                hashes.SHA256(),
            )  # fmt: skip
        except InvalidSignature:
            return Delivery(path, headers, doc, key_id, False, "signature does not verify")
        return Delivery(path, headers, doc, key_id, True)

    async def wait_for_delivery(self, predicate: Any, timeout: float = 20.0) -> Delivery:
        """Poll the recorded deliveries until one matches, at most `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for delivery in self.deliveries:
                if predicate(delivery.body):
                    return delivery
            if loop.time() > deadline:
                seen = [d.body for d in self.deliveries]
                raise AssertionError(f"no matching delivery within {timeout} s; got {seen}")
            await asyncio.sleep(0.05)
