"""Steps several durability tests share: bursts of signed activities, followers from peers."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.durability.cluster import Cluster
from tests.durability.peers import RemoteActor
from tests.federation.nodes import Account, eventually


async def send_all(
    node_base: str, sends: list[list[tuple[RemoteActor, dict[str, Any]]]], *, parallel: int = 12
) -> list[httpx.Response]:
    """POST every group of activities; the members of a group go at once, each on its own
    connection (two clients), so a duplicate races its original into different web processes."""
    limit = asyncio.Semaphore(parallel)
    clients = [httpx.AsyncClient(timeout=60) for _ in range(2)]

    async def group(members: list[tuple[RemoteActor, dict[str, Any]]]) -> list[httpx.Response]:
        async with limit:
            return list(
                await asyncio.gather(
                    *(
                        actor.send(clients[i % 2], node_base, activity)
                        for i, (actor, activity) in enumerate(members)
                    )
                )
            )

    try:
        results = await asyncio.gather(*(group(members) for members in sends))
    finally:
        for client in clients:
            await client.aclose()
    return [response for members in results for response in members]


async def follow_from(node: Cluster, account: Account, actors: list[RemoteActor]) -> None:
    """Every actor follows `account` through the node's inbox; returns once all are accepted and
    the Accepts have been delivered (so later deliveries are the only traffic)."""
    responses = await send_all(
        node.base, [[(actor, actor.follow(account.uri))] for actor in actors]
    )
    assert all(r.status_code == 202 for r in responses), [
        r.text for r in responses if r.status_code != 202
    ]

    async def settled() -> bool:
        follows = await node.value("SELECT count(*) FROM follows WHERE state = 'accepted'")
        jobs = await node.jobs_by_state("deliver")
        return follows == len(actors) and jobs.get("done", 0) == len(actors) and len(jobs) == 1

    await eventually(settled, timeout=60, what="follows accepted and Accepts delivered")


async def create_uris(node: Cluster) -> list[str]:
    """Ids of the Create activities the node's users published."""
    rows = await node.sql('SELECT uri FROM outbox_activities WHERE body LIKE \'%"type":"Create"%\'')
    return sorted(row[0] for row in rows)
