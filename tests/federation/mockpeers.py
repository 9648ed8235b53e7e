"""Peers made of documents: the app's outbound client answers from a table of URLs
(httpx.MockTransport on the Runtime), and requests to the app are signed as those peers would.

For the proofs a peer must give (tests/federation/test_signers.py): each test makes peers on
origins of its own, so the per-process memory of key refetches never carries over between tests.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from fedihub import models
from fedihub.activitypub import signatures
from fedihub.runtime import Runtime
from fedihub.security import http, keys

AS_CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
NODE = "https://fedihub.test"


def fresh_origin(name: str = "peer") -> str:
    return f"https://{name}-{uuid.uuid4().hex[:8]}.example"


@dataclass
class Network:
    """URL → answer; every GET the app makes is recorded in `fetched`."""

    routes: dict[str, Callable[[httpx.Request], httpx.Response]] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url.copy_with(fragment=None))  # a fragment never goes on the wire
        if request.url.path.startswith("/.well-known/"):  # NodeInfo probes: not a peer we know
            return httpx.Response(404)
        self.fetched.append(url)
        answer = self.routes.get(url)
        return answer(request) if answer else httpx.Response(404)

    def serve(self, url: str, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.routes[url] = lambda _request: httpx.Response(
            200, content=body, headers={"Content-Type": "application/activity+json"}
        )

    def redirect(self, url: str, location: str, status: int = 302) -> None:
        self.routes[url] = lambda _request: httpx.Response(status, headers={"Location": location})

    def count(self, url: str) -> int:
        return self.fetched.count(url)


async def install(rt: Runtime) -> Network:
    """Route the Runtime's outbound client through a fresh Network."""
    network = Network()
    opened = rt.http
    rt.http = http.build_client(
        allow_private=True,
        max_connections=4,
        max_per_host=2,
        timeout=5.0,
        user_agent="test",
        inner=httpx.MockTransport(network.handle),
    )
    await opened.aclose()
    return network


def actor_document(
    uri: str, key: rsa.RSAPrivateKey, *, key_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    key_id = key_id or f"{uri}#main-key"
    return {
        "@context": AS_CONTEXT,
        "id": uri,
        "type": "Person",
        "preferredUsername": uri.rsplit("/", 1)[1],
        "inbox": f"{uri}/inbox",
        "followers": f"{uri}/followers",
        "publicKey": {"id": key_id, "owner": uri, "publicKeyPem": keys.public_pem(key)},
        **extra,
    }


async def stored_actor(uri: str, key: rsa.RSAPrivateKey, **extra: Any) -> models.Actor:
    """A remote actor the node already knows, with `key` as its key."""
    domain = httpx.URL(uri).netloc.decode()
    return await models.Actor.create(
        uri=uri,
        username=uri.rsplit("/", 1)[1],
        domain=domain,
        inbox=f"{uri}/inbox",
        followers_url=f"{uri}/followers",
        public_key_id=f"{uri}#main-key",
        public_key_pem=keys.public_pem(key),
        **extra,
    )


def create_note(actor: str, n: int = 1) -> bytes:
    origin = actor.split("/users/", 1)[0]
    ident = f"{origin}/activities/{uuid.uuid4().hex}"
    activity = {
        "@context": AS_CONTEXT[0],
        "id": ident,
        "type": "Create",
        "actor": actor,
        "to": [PUBLIC],
        "object": {
            "id": f"{ident}/note{n}",
            "type": "Note",
            "attributedTo": actor,
            "content": f"<p>note {n}</p>",
            "to": [PUBLIC],
        },
    }
    return json.dumps(activity).encode()


def signed_post(
    body: bytes,
    key: rsa.RSAPrivateKey,
    key_id: str,
    *,
    scheme: str = "cavage",
    path: str = "/inbox",
    date: str | None = None,
) -> dict[str, str]:
    headers = {"Content-Type": "application/activity+json", "Host": "fedihub.test"}
    if date is not None:
        headers["Date"] = date
    sign = signatures.sign_cavage if scheme == "cavage" else signatures.sign_rfc9421
    headers.update(sign("POST", f"{NODE}{path}", headers, body, key_id, key))
    return headers


def signed_get(
    path: str, key: rsa.RSAPrivateKey, key_id: str, *, date: str | None = None
) -> dict[str, str]:
    headers = {"Accept": "application/activity+json", "Host": "fedihub.test"}
    if date is not None:
        headers["Date"] = date
    headers.update(signatures.sign_cavage("GET", f"{NODE}{path}", headers, None, key_id, key))
    return headers
