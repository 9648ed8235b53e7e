"""Two web processes and two workers on one PostgreSQL database: a burst of inbound activities,
with duplicates racing each other into different processes, is processed exactly once; a user's
posts reach every follower's inbox exactly once."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import pytest

from tests.durability.cluster import Cluster
from tests.durability.peers import Peer
from tests.durability.steps import create_uris, follow_from, send_all
from tests.federation.nodes import eventually

pytestmark = [pytest.mark.federation, pytest.mark.postgres]
BURST = 300


async def test_inbound_burst_with_racing_duplicates_is_processed_exactly_once(
    make_cluster: Callable[..., Awaitable[Cluster]], make_peer: Callable[..., Awaitable[Peer]]
) -> None:
    node = await make_cluster()
    node.add_worker()
    node.add_worker()
    alice = await node.account("alice")
    peers = [await make_peer() for _ in range(3)]
    actors = [peer.actor(f"user{i}") for peer in peers for i in range(4)]
    authors = [actors[n % len(actors)] for n in range(BURST)]
    activities = [(author, author.note(n, cc=[alice.uri])) for n, author in enumerate(authors)]
    # every tenth activity is sent twice at the same moment on two connections
    groups = [[pair, pair] if n % 10 == 0 else [pair] for n, pair in enumerate(activities)]
    started = time.monotonic()
    responses = await send_all(node.base, groups)
    posted = time.monotonic() - started

    assert [r.status_code for r in responses] == [202] * len(responses), {r.text for r in responses}
    answers = [r.json()["status"] for r in responses]
    # a POST sent again because the connection closed under it may have been accepted the first
    # time: its second answer is then "duplicate", which is right (the jobs below count once)
    resent = sum(peer.resent for peer in peers)
    assert BURST - resent <= answers.count("accepted") <= BURST, (answers.count("accepted"), resent)
    assert answers.count("accepted") + answers.count("duplicate") == len(responses)

    async def all_done() -> bool:
        return await node.jobs_by_state("inbox") == {"done": BURST}

    await eventually(all_done, timeout=90, what=f"{BURST} inbox jobs done")
    print(
        f"\n{len(responses)} POSTs in {posted:.1f}s; "
        f"all processed after {time.monotonic() - started:.1f}s"
    )
    per_note = await node.sql("SELECT uri, count(*) FROM statuses WHERE local = false GROUP BY uri")
    assert len(per_note) == BURST
    assert {row[1] for row in per_note} == {1}
    assert (
        await node.value("SELECT count(DISTINCT dedupe_key) FROM jobs WHERE kind = 'inbox'")
        == BURST
    )
    # each remote actor was fetched and stored once although both web processes met it at once
    assert await node.value("SELECT count(*) FROM actors WHERE domain IS NOT NULL") == len(actors)


async def test_posts_reach_every_follower_inbox_exactly_once(
    make_cluster: Callable[..., Awaitable[Cluster]], make_peer: Callable[..., Awaitable[Peer]]
) -> None:
    node = await make_cluster()
    node.add_worker()
    node.add_worker()
    alice = await node.account("alice")
    peers = [await make_peer() for _ in range(4)]
    followers = [peer.actor(f"reader{i}") for peer in peers for i in range(10)]
    started = time.monotonic()
    await follow_from(node, alice, followers)
    print(f"\n{len(followers)} follows accepted in {time.monotonic() - started:.1f}s")
    started = time.monotonic()
    for n in range(5):
        await alice.post(f"post {n} to everyone")

    async def delivered() -> bool:
        return await node.jobs_by_state("deliver") == {"done": len(followers) * 6}

    await eventually(delivered, timeout=60, what="every delivery done")
    print(f"\n{len(followers) * 5} deliveries in {time.monotonic() - started:.1f}s")
    creates = await create_uris(node)
    assert len(creates) == 5
    expected = {(uri, actor.inbox) for uri in creates for actor in followers}
    received = sum((peer.received("Create") for peer in peers), start=peers[0].received("nothing"))
    assert set(received) == expected
    assert max(received.values()) == 1
