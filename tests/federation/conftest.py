"""Fixtures for federation tests: pairs of real nodes on loopback, on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import create_pg_database, drop_pg_database
from tests.federation.nodes import Node, free_port


@pytest.fixture
async def node_pair(backend: str, tmp_path: Path) -> AsyncIterator[tuple[Node, Node]]:
    urls: list[str | None] = [None, None]
    if backend == "postgres":
        urls = [await create_pg_database(), await create_pg_database()]
    nodes = (Node(tmp_path / "a", free_port(), urls[0]), Node(tmp_path / "b", free_port(), urls[1]))
    try:
        for node in nodes:
            await node.start()
        yield nodes
    finally:
        for node in nodes:
            node.stop()
        for url in urls:
            if url:
                await drop_pg_database(url)


@pytest.fixture
async def node(backend: str, tmp_path: Path) -> AsyncIterator[Node]:
    url = await create_pg_database() if backend == "postgres" else None
    single = Node(tmp_path / "node", free_port(), url)
    try:
        await single.start()
        yield single
    finally:
        single.stop()
        if url:
            await drop_pg_database(url)


@pytest.fixture
async def node_trio(backend: str, tmp_path: Path) -> AsyncIterator[tuple[Node, Node, Node]]:
    urls: list[str | None] = [None, None, None]
    if backend == "postgres":
        urls = [await create_pg_database() for _ in range(3)]
    a, b, c = (
        Node(tmp_path / name, free_port(), url) for name, url in zip("abc", urls, strict=True)
    )
    try:
        for one in (a, b, c):
            await one.start()
        yield a, b, c
    finally:
        for one in (a, b, c):
            one.stop()
        for url in urls:
            if url:
                await drop_pg_database(url)
