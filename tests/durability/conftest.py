"""Fixtures for durability tests: clusters on PostgreSQL (skipped with the reason when none
answers) and simulated peers, stopped and dropped after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _pg_reason, create_pg_database, drop_pg_database
from tests.durability.cluster import Cluster
from tests.durability.peers import Peer
from tests.federation.nodes import free_port


@pytest.fixture
def postgres() -> None:
    # a sync fixture: the probe runs its own event loop
    reason = _pg_reason()
    if reason:
        pytest.skip(f"durability tests run fedihub on PostgreSQL only: {reason}")


@pytest.fixture
async def make_cluster(
    postgres: None, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[Cluster]]]:
    """Start clusters with extra FEDIHUB_* settings; each gets its own PostgreSQL database."""
    made: list[Cluster] = []

    async def make(**env: str) -> Cluster:
        url = await create_pg_database()
        cluster = Cluster(
            tmp_path / f"node{len(made)}",
            free_port(),
            url,
            env={f"FEDIHUB_{k.upper()}": v for k, v in env.items()},
        )
        made.append(cluster)
        await cluster.start()
        return cluster

    try:
        yield make
    finally:
        for cluster in made:
            cluster.stop()
            if cluster.database_url:
                await drop_pg_database(cluster.database_url)


@pytest.fixture
async def make_peer() -> AsyncIterator[Callable[..., Awaitable[Peer]]]:
    started: list[Peer] = []

    async def make(**options: Any) -> Peer:
        peer = Peer(**options)
        await peer.start()
        started.append(peer)
        return peer

    try:
        yield make
    finally:
        for peer in started:
            await peer.stop()
