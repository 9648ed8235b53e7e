"""Workers that die (SIGKILL) or are stopped (SIGTERM) in the middle of a burst lose nothing.

Delivery is at-least-once: a worker killed after the receiver got a POST but before it marked
the job done re-delivers it when its lease expires, so receivers may see a few duplicates (never
more than the jobs the killed worker held) and must deduplicate by activity id, as fedihub does.
The lease is 3 s here (job_lease_seconds) so that expiry happens within the test.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.durability.cluster import Cluster
from tests.durability.peers import Peer, RemoteActor
from tests.durability.steps import create_uris, follow_from, send_all
from tests.federation.nodes import Account, Node, eventually, free_port

pytestmark = [pytest.mark.federation, pytest.mark.postgres]
LEASE = "3"
CONCURRENCY = 4
POSTS = 5


async def _delivery_setup(
    node: Cluster, make_peer: Callable[..., Awaitable[Peer]]
) -> tuple[Account, list[Peer], list[RemoteActor]]:
    """alice, with 40 followers on 4 slow simulated servers."""
    alice = await node.account("alice")
    peers = [await make_peer() for _ in range(4)]
    followers = [peer.actor(f"reader{i}") for peer in peers for i in range(10)]
    await follow_from(node, alice, followers)
    for peer in peers:
        peer.delay = 0.2  # slow receivers: deliveries are in flight when the worker goes
    return alice, peers, followers


async def _exited(process: subprocess.Popen[bytes]) -> int:
    # waited for in a thread: the simulated peers share this event loop and must keep answering
    return await asyncio.to_thread(process.wait, 30)


def _received(peers: list[Peer]) -> Counter[tuple[str, str]]:
    total = peers[0].received("none")
    for peer in peers:
        total += peer.received("Create")
    return total


async def test_deliveries_survive_a_killed_worker_and_fedihub_receivers_store_each_post_once(
    make_cluster: Callable[..., Awaitable[Cluster]],
    make_peer: Callable[..., Awaitable[Peer]],
    tmp_path: Path,
) -> None:
    node = await make_cluster(job_lease_seconds=LEASE)
    victim = node.add_worker(CONCURRENCY)
    node.add_worker(CONCURRENCY)
    alice, peers, followers = await _delivery_setup(node, make_peer)
    # a real fedihub node as one more receiver: it must deduplicate what it is sent twice
    other = Node(tmp_path / "other", free_port())
    try:
        await other.start()
        bob = await other.account("bob")
        found = await bob.lookup(alice.handle)
        await bob.api("POST", f"/api/v1/accounts/{found['id']}/follow")

        async def bob_follows() -> bool:
            relation = await bob.api(
                "GET", "/api/v1/accounts/relationships", params={"id[]": found["id"]}
            )
            return bool(relation[0]["following"])

        await eventually(bob_follows, timeout=60, what="bob's follow accepted")

        for n in range(POSTS):
            await alice.post(f"post {n}")
        expected_jobs = (len(followers) + 1) * POSTS

        async def some_delivered() -> bool:
            return sum(_received(peers).values()) >= expected_jobs // 4

        await eventually(some_delivered, timeout=60, what="a quarter of the deliveries")
        victim.send_signal(signal.SIGKILL)
        await _exited(victim)
        killed_at = time.monotonic()
        node.add_worker(CONCURRENCY)

        async def all_done() -> bool:
            states = await node.jobs_by_state("deliver")
            return states.get("done", 0) == len(followers) + 1 + expected_jobs and len(states) == 1

        await eventually(all_done, timeout=60, what="every delivery done after the kill")
        print(f"\nall deliveries done {time.monotonic() - killed_at:.1f}s after the kill")
        creates = await create_uris(node)
        assert len(creates) == POSTS
        received = _received(peers)
        expected = {(uri, actor.inbox) for uri in creates for actor in followers}
        assert set(received) == expected  # nothing lost
        duplicates = sum(received.values()) - len(expected)
        print(f"duplicates at the recorders: {duplicates}")
        # only the jobs the killed worker held can be delivered twice
        assert duplicates <= CONCURRENCY

        async def bob_has_all() -> list[dict[str, Any]] | None:
            posts = await bob.api("GET", f"/api/v1/accounts/{found['id']}/statuses")
            return posts if len(posts) >= POSTS else None

        posts = await eventually(bob_has_all, timeout=30, what="bob's node to store alice's posts")
        assert sorted(p["content"] for p in posts) == [f"<p>post {n}</p>" for n in range(POSTS)]
    finally:
        other.stop()


async def test_inbox_burst_survives_a_killed_worker(
    make_cluster: Callable[..., Awaitable[Cluster]], make_peer: Callable[..., Awaitable[Peer]]
) -> None:
    node = await make_cluster(job_lease_seconds=LEASE)
    victim = node.add_worker(CONCURRENCY)
    node.add_worker(CONCURRENCY)
    alice = await node.account("alice")
    peers = [await make_peer() for _ in range(2)]
    actors = [peer.actor(f"user{i}") for peer in peers for i in range(3)]
    burst = 150
    authors = [actors[n % len(actors)] for n in range(burst)]
    sends = [[(author, author.note(n, cc=[alice.uri]))] for n, author in enumerate(authors)]
    responses = await send_all(node.base, sends)
    assert {r.status_code for r in responses} == {202}

    async def some_done() -> bool:
        return (await node.jobs_by_state("inbox")).get("done", 0) >= burst // 5

    await eventually(some_done, timeout=60, what="a fifth of the inbox jobs")
    victim.send_signal(signal.SIGKILL)
    await _exited(victim)
    node.add_worker(CONCURRENCY)

    async def all_done() -> bool:
        return await node.jobs_by_state("inbox") == {"done": burst}

    await eventually(all_done, timeout=60, what="every inbox job done after the kill")
    per_note = await node.sql("SELECT uri, count(*) FROM statuses WHERE local = false GROUP BY uri")
    assert len(per_note) == burst and {row[1] for row in per_note} == {1}
    # a Create run again after the kill is not an edit (test_replayed_jobs.py: deterministically)
    assert await node.value("SELECT count(*) FROM status_edits") == 0


async def test_sigterm_hands_back_or_finishes_every_job(
    make_cluster: Callable[..., Awaitable[Cluster]], make_peer: Callable[..., Awaitable[Peer]]
) -> None:
    node = await make_cluster(job_lease_seconds="60")
    stopping = node.add_worker(CONCURRENCY)
    alice, peers, followers = await _delivery_setup(node, make_peer)
    for n in range(POSTS):
        await alice.post(f"post {n}")
    expected_jobs = len(followers) * POSTS

    async def some_delivered() -> bool:
        return sum(_received(peers).values()) >= expected_jobs // 4

    await eventually(some_delivered, timeout=60, what="a quarter of the deliveries")
    stopping.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert await _exited(stopping) == 0
    print(f"\nworker stopped {time.monotonic() - started:.1f}s after SIGTERM")
    # the lease is a minute: a job it kept would block for that long, so none may be left running
    assert await node.value("SELECT count(*) FROM jobs WHERE state = 'running'") == 0
    node.add_worker(CONCURRENCY)

    async def all_done() -> bool:
        states = await node.jobs_by_state("deliver")
        return states.get("done", 0) == len(followers) + expected_jobs and len(states) == 1

    await eventually(all_done, timeout=60, what="every delivery done by the next worker")
    received = _received(peers)
    creates = await create_uris(node)
    assert set(received) == {(uri, actor.inbox) for uri in creates for actor in followers}
    assert max(received.values()) == 1


async def test_a_delivery_slower_than_its_lease_is_not_taken_over_by_another_worker(
    make_cluster: Callable[..., Awaitable[Cluster]], make_peer: Callable[..., Awaitable[Peer]]
) -> None:
    node = await make_cluster(job_lease_seconds=LEASE)
    node.add_worker(CONCURRENCY)
    node.add_worker(CONCURRENCY)
    alice = await node.account("alice")
    slow = await make_peer()
    await follow_from(node, alice, [slow.actor("reader")])
    slow.delay = 2 * int(LEASE)  # answers within the HTTP timeout, but after the lease
    await alice.post("slow but fine")

    async def done() -> bool:
        return (await node.jobs_by_state("deliver")) == {"done": 2}

    await eventually(done, timeout=60, what="the slow delivery done")
    # the worker still at work keeps its lease: no worker may take the job over and send it again
    assert list(slow.received("Create").values()) == [1]
    assert await node.value("SELECT max(attempts) FROM jobs WHERE kind = 'deliver'") == 1
