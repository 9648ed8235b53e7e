"""One node on two machines behind one front address, driven by a real Mastodon client library
and a remote ActivityPub peer; then one machine dies (SIGKILL to everything on it).

What a user depends on: every activity a peer sent is processed once, every post delivered to
each follower (duplicates only for deliveries in flight on the dead machine), streaming reaches
the client whichever machine it is connected to and whichever machine did the work, uploads made
through one machine are served through the other, rate limits are counted once for the cluster,
and nothing accepted or confirmed before the kill is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from mastodon import Mastodon, MastodonError, StreamListener

from tests.api.mediakit import png
from tests.cluster.conftest import WORKER_CONCURRENCY, TwoHostNode
from tests.durability.peers import Peer, RemoteActor
from tests.federation.nodes import PASSWORD, eventually

pytestmark = [pytest.mark.federation, pytest.mark.postgres]

BURST = 40  # mentions the peer sends while a host dies
POSTS = 8  # statuses the client posts meanwhile


class Notifications(StreamListener):  # type: ignore[misc]
    """Mastodon.py's user stream, through the front: the texts of the mentions it heard."""

    def __init__(self) -> None:
        super().__init__()
        self.opened = threading.Event()
        self.texts: list[str] = []

    def handle_heartbeat(self) -> None:
        self.opened.set()

    def on_notification(self, notification: Any) -> None:
        if notification["type"] == "mention":
            self.texts.append(notification["status"]["content"])


class EventStream:
    """A raw server-sent-events reader of /api/v1/streaming/user on one host's own address."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.opened = asyncio.Event()
        self.mentions: list[str] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=None)) as client:
            async with client.stream(
                "GET",
                f"{self.base}/api/v1/streaming/user",
                headers={"Authorization": f"Bearer {self.token}"},
            ) as response:
                assert response.status_code == 200
                event = ""
                async for line in response.aiter_lines():
                    self.opened.set()
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event == "notification":
                        payload = json.loads(line.split(":", 1)[1])
                        if payload["type"] == "mention":
                            self.mentions.append(payload["status"]["content"])

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await self.task


def mention(actor: RemoteActor, n: int, target: str, handle: str) -> dict[str, Any]:
    activity = actor.note(n, cc=[target])
    note = activity["object"]
    note["content"] = f"<p>mention {n}</p>"
    note["tag"] = [{"type": "Mention", "href": target, "name": f"@{handle}"}]
    return activity


async def send_with_retries(actor: RemoteActor, base: str, activity: dict[str, Any]) -> int:
    """POST as a real peer does: a 5xx or a dropped connection (the host behind the front died
    under the request) is tried again; the inbox deduplicates by activity id."""
    async with httpx.AsyncClient(timeout=20) as client:
        for _ in range(20):
            try:
                response = await actor.send(client, base, activity)
            except httpx.HTTPError:
                await asyncio.sleep(0.5)
                continue
            if response.status_code < 500:
                return response.status_code
            await asyncio.sleep(0.5)
    raise AssertionError(f"{activity['id']} was never accepted")


def post_with_retries(api: Mastodon, text: str) -> dict[str, Any]:
    """Post as an app does: on a failure it retries with the same Idempotency-Key."""
    key = f"cluster-{text}"
    for _ in range(20):
        try:
            result: dict[str, Any] = api.status_post(text, idempotency_key=key)
            return result
        except MastodonError:
            time.sleep(0.5)
    raise AssertionError(f"posting {text!r} never succeeded")


def mastodon_client(base: str) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "cluster test", scopes=["read", "write", "follow"], api_base_url=base
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    # sign-in with the e-mail address, as people type it
    api.log_in("ada@example.org", PASSWORD, scopes=["read", "write", "follow"], allow_http=True)
    return api


async def test_a_node_on_two_hosts_loses_nothing_when_one_dies(two_hosts: TwoHostNode) -> None:
    node = two_hosts
    assert node.network is not None
    ada = await node.account("ada")
    peer = Peer(host=node.network.gateway)
    await peer.start()
    streams: list[EventStream] = []
    handle = None
    try:
        readers = [peer.actor(f"reader{i}") for i in range(3)]
        # follows arrive through the front: round robin puts them on both hosts
        for reader in readers:
            assert await send_with_retries(reader, node.base, reader.follow(ada.uri)) == 202

        async def accepted() -> bool:
            follows = await node.value("SELECT count(*) FROM follows WHERE state = 'accepted'")
            return follows == len(readers) and len(peer.received("Accept")) == len(readers)

        await eventually(
            accepted, timeout=60, what="three follows accepted and their Accepts delivered"
        )
        assert max(peer.received("Accept").values()) == 1

        api = await asyncio.to_thread(mastodon_client, node.base)
        token = api.access_token

        # shared rate limits: requests to A and to B draw on one budget
        remaining = []
        async with httpx.AsyncClient(timeout=10) as client:
            for label in ("a", "b", "a", "b"):
                response = await client.get(
                    f"{node.host_base(label)}/api/v1/accounts/verify_credentials",
                    headers={"Authorization": f"Bearer {token}"},
                )
                remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        assert remaining == sorted(remaining, reverse=True) and len(set(remaining)) == 4, remaining

        # invalidations reach every host at once: a key rotation, a disabled account
        async with httpx.AsyncClient(
            timeout=10, headers={"Accept": "application/activity+json"}
        ) as client:
            before = (await client.get(f"{node.host_base('a')}/users/ada")).json()["publicKey"][
                "publicKeyPem"
            ]
            await asyncio.to_thread(node.cli, "user", "rotate-key", "ada")
            for label in ("a", "b"):
                after = (await client.get(f"{node.host_base(label)}/users/ada")).json()["publicKey"]
                assert after["publicKeyPem"] != before, f"host {label} still serves the old key"
            bob = await node.account("bob")
            assert (
                await client.get(
                    f"{node.host_base('b')}/api/v1/accounts/verify_credentials",
                    headers={"Authorization": f"Bearer {bob.token}"},
                )
            ).status_code == 200
            await asyncio.to_thread(node.cli, "user", "disable", "bob")
            for label in ("a", "b"):
                refused = await client.get(
                    f"{node.host_base(label)}/api/v1/accounts/verify_credentials",
                    headers={"Authorization": f"Bearer {bob.token}"},
                )
                assert refused.status_code in (401, 403), (
                    f"host {label} still takes a disabled account's token"
                )

        # media uploaded through one host is served whichever host answers (object storage)
        media = await asyncio.to_thread(
            api.media_post, png(4, 4), mime_type="image/png", description="a tile"
        )
        async with httpx.AsyncClient(timeout=10) as client:
            for label in ("a", "b"):
                seen = (
                    await client.get(
                        f"{node.host_base(label)}/api/v1/media/{media['id']}",
                        headers={"Authorization": f"Bearer {token}"},
                    )
                ).json()
                assert seen["url"] == media["url"] and seen["description"] == "a tile"
                assert (await client.get(seen["url"])).content == png(4, 4)

        # streaming on each host's own address, and Mastodon.py's through the front
        streams = [EventStream(node.host_base(label), token) for label in ("a", "b")]
        for stream in streams:
            await asyncio.wait_for(stream.opened.wait(), timeout=20)
        listener = Notifications()
        handle = api.stream_user(
            listener, run_async=True, reconnect_async=True, reconnect_async_wait_sec=1
        )
        assert await asyncio.to_thread(listener.opened.wait, 20), (
            "Mastodon.py's stream did not open"
        )

        sent_at = time.monotonic()
        await send_with_retries(readers[0], node.base, mention(readers[0], 0, ada.uri, ada.handle))

        async def everyone_heard() -> bool:
            return all(s.mentions for s in streams) and bool(listener.texts)

        await eventually(
            everyone_heard, timeout=10, what="the mention on both hosts' streams and the client's"
        )
        print(f"\nmention heard on every stream {time.monotonic() - sent_at:.2f}s after the POST")

        first = await asyncio.to_thread(
            api.status_post, "hello from the cluster", visibility="public", media_ids=[media["id"]]
        )

        # the burst, during which host A dies
        victim = node.hosts["a"]
        mentions = [
            mention(readers[n % len(readers)], n, ada.uri, ada.handle) for n in range(1, BURST + 1)
        ]
        limit = asyncio.Semaphore(6)

        async def send(n: int, activity: dict[str, Any]) -> int:
            async with limit:
                return await send_with_retries(readers[n % len(readers)], node.base, activity)

        inbound = asyncio.gather(*(send(n, a) for n, a in enumerate(mentions, start=1)))
        outbound = asyncio.gather(
            *(asyncio.to_thread(post_with_retries, api, f"post {n}") for n in range(POSTS))
        )

        async def burst_under_way() -> bool:
            done = await node.value("SELECT count(*) FROM statuses WHERE local = false")
            return done >= 1 + BURST // 3

        await eventually(burst_under_way, timeout=60, what="a third of the burst processed")
        await asyncio.to_thread(victim.kill)
        killed_at = time.monotonic()
        assert set(await inbound) == {202}
        posts = await outbound
        assert len({p["id"] for p in posts}) == POSTS

        async def drained() -> bool:
            left = await node.value(
                "SELECT count(*) FROM jobs WHERE kind IN ('inbox', 'deliver') AND state <> 'done'"
            )
            return left == 0

        await eventually(drained, timeout=90, what="every inbox and delivery job done by host B")
        print(f"all work done {time.monotonic() - killed_at:.1f}s after host A died")

        # every inbound activity processed once
        per_note = await node.sql(
            "SELECT uri, count(*) FROM statuses WHERE local = false GROUP BY uri"
        )
        assert len(per_note) == BURST + 1 and {row[1] for row in per_note} == {1}
        notified = await node.value("SELECT count(*) FROM notifications WHERE kind = 'mention'")
        assert notified == BURST + 1
        # every confirmed post stored once and delivered to each follower
        texts = Counter(
            row[0] for row in await node.sql("SELECT source FROM statuses WHERE local = true")
        )
        assert texts == Counter(["hello from the cluster", *(f"post {n}" for n in range(POSTS))])
        creates = {
            row[0]
            for row in await node.sql(
                'SELECT uri FROM outbox_activities WHERE body LIKE \'%"type":"Create"%\''
            )
        }
        received = peer.received("Create")
        assert set(received) == {(uri, reader.inbox) for uri in creates for reader in readers}
        duplicates = sum(received.values()) - len(received)
        print(f"deliveries sent twice (in flight on the dead host): {duplicates}")
        assert duplicates <= WORKER_CONCURRENCY
        assert str(first["id"]) in {
            p["id"] for p in await ada.api("GET", f"/api/v1/accounts/{ada.id}/statuses")
        }

        # after the death: the front sends everything to B, and streaming still works there and
        # for the client, which reconnected through the front
        heard_before = len(listener.texts)
        await send_with_retries(
            readers[1], node.base, mention(readers[1], 999, ada.uri, ada.handle)
        )

        async def heard_after() -> bool:
            return (
                "<p>mention 999</p>" in streams[1].mentions
                and "<p>mention 999</p>" in listener.texts[heard_before:]
            )

        await eventually(
            heard_after, timeout=30, what="a mention after the death on B's stream and the client's"
        )
        assert "<p>mention 999</p>" not in streams[0].mentions  # A is gone, its stream with it
    finally:
        if handle is not None:
            handle.close()
        for stream in streams:
            await stream.close()
        await peer.stop()
