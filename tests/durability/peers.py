"""Simulated remote servers on loopback for durability tests: each serves its actors' documents,
records every POST it receives (by activity id and inbox), and can be told to answer slowly, with
an error status, or not at all; and signs activities its actors send to a node's inbox.

A raw asyncio HTTP/1.1 server (keep-alive, Content-Length bodies, what httpx sends) costs far
less CPU than a framework, which matters on a 2-core machine where the node under test needs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from fedihub.activitypub import signatures
from fedihub.security import keys

AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
_REASONS = {200: "OK", 202: "Accepted", 404: "Not Found", 410: "Gone", 500: "Internal Server Error"}


@dataclass
class RemoteActor:
    peer: Peer
    name: str

    @property
    def uri(self) -> str:
        return f"{self.peer.base}/users/{self.name}"

    @property
    def key_id(self) -> str:
        return f"{self.uri}#main-key"

    @property
    def inbox(self) -> str:
        return f"{self.uri}/inbox"

    def document(self) -> dict[str, Any]:
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.uri,
            "type": "Person",
            "preferredUsername": self.name,
            "inbox": self.inbox,
            "outbox": f"{self.uri}/outbox",
            "followers": f"{self.uri}/followers",
            "publicKey": {
                "id": self.key_id,
                "owner": self.uri,
                "publicKeyPem": self.peer.public_pem,
            },
        }

    def note(self, n: int, *, cc: list[str]) -> dict[str, Any]:
        """A Create(Note) with a unique id, addressed publicly and to `cc`."""
        ident = f"{self.uri}/statuses/{n}"
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{ident}/activity",
            "type": "Create",
            "actor": self.uri,
            "to": [AS_PUBLIC],
            "cc": cc,
            "object": {
                "id": ident,
                "type": "Note",
                "attributedTo": self.uri,
                "content": f"<p>note {n}</p>",
                "to": [AS_PUBLIC],
                "cc": cc,
                "published": "2026-01-01T00:00:00Z",
            },
        }

    def follow(self, target: str) -> dict[str, Any]:
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{self.uri}/follows/1",
            "type": "Follow",
            "actor": self.uri,
            "object": target,
        }

    async def send(
        self,
        client: httpx.AsyncClient,
        node_base: str,
        activity: dict[str, Any],
        path: str = "/inbox",
    ) -> httpx.Response:
        """POST `activity` signed by this actor to the node's inbox."""
        body = json.dumps(activity).encode()
        headers = {"Content-Type": "application/activity+json"}
        headers.update(
            signatures.sign_cavage(
                "POST", f"{node_base}{path}", headers, body, self.key_id, self.peer.key
            )
        )
        try:
            return await client.post(f"{node_base}{path}", content=body, headers=headers)
        except httpx.RemoteProtocolError:
            # the server closed a kept-alive connection as the POST went out (seen under heavy
            # load); a real peer retries such a delivery, and the inbox deduplicates by id
            self.peer.resent += 1
            return await client.post(f"{node_base}{path}", content=body, headers=headers)


@dataclass(eq=False)  # peers are compared and hashed by identity
class Peer:
    """One simulated server. `answer` is the status POSTs get; `silent` makes it never answer."""

    key: Any = field(default_factory=keys.generate_private_key)
    delay: float = 0.0
    answer: int = 202
    silent: bool = False
    port: int = 0
    resent: int = 0  # POSTs its actors sent again after the connection closed under them
    host: str = "127.0.0.1"  # the address it listens on (the bridge address in tests/cluster)
    actors: dict[str, RemoteActor] = field(default_factory=dict)
    # every POST: (activity id, inbox URL, activity type, status answered or 0 for no answer)
    posts: list[tuple[str, str, str, int]] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.public_pem = keys.public_pem(self.key)

    @property
    def domain(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base(self) -> str:
        return f"http://{self.domain}"

    def actor(self, name: str) -> RemoteActor:
        return self.actors.setdefault(name, RemoteActor(self, name))

    def received(self, kind: str = "Create") -> Counter[tuple[str, str]]:
        """How often each (activity id, inbox) pair of `kind` arrived (answered or not)."""
        return Counter((ident, inbox) for ident, inbox, t, _ in self.posts if t == kind)

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._connection, self.host, self.port, backlog=512
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        # end the connections still open (keep-alive, or held by a silent peer) before the loop ends
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._server.wait_closed(), timeout=2)

    async def _answer(self, method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
        if method == "GET":
            name = path.split("?", 1)[0].removeprefix("/users/")
            if name in self.actors:
                return 200, json.dumps(self.actors[name].document()).encode()
            return 404, b"{}"
        try:
            doc = json.loads(body)
            record = (str(doc.get("id")), self.base + path, str(doc.get("type")))
        except ValueError:
            record = ("", self.base + path, "")
        # recorded on arrival: a POST counts as received even if the sender gives up waiting
        answer = 0 if self.silent else self.answer
        self.posts.append((*record, answer))
        if self.delay:
            await asyncio.sleep(self.delay)
        return (answer, b"{}") if answer else None

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                answer = await self._answer(method, path, body)
                if answer is None:
                    # say nothing: hold the connection until the client gives up
                    await reader.read()
                    return
                status, out = answer
                writer.write(
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\n"
                    "Content-Type: application/activity+json\r\n"
                    f"Content-Length: {len(out)}\r\n\r\n".encode()
                    + out
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            return
        finally:
            self._handlers.discard(task)
            writer.close()
