"""Pytest fixtures that start bovine-herd peers, registered for every test by tests/conftest.py
(`pytest_plugins`), so a test just asks for them by name:

`bovine_peer` is a started BovinePeer with one actor, "alice", auto-accepting follows.
`bovine_peers` is a factory for more peers, each its own server on its own port:
`peer = await bovine_peers(handles=("a", "b"), auto_accept=False)`.
Both stop their servers at teardown and fail the test if bovine cached an empty JSON-LD context
(then every signature from that actor would fail: add the context to tests/fixtures/jsonld/).
They skip, with pip's reason, only when bovine-herd cannot be installed.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path

import pytest

from tests.peers import venv
from tests.peers.bovine import BovinePeer

PeerFactory = Callable[..., Awaitable[BovinePeer]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _require_bovine() -> None:
    try:
        venv.ensure()
    except venv.BovineUnavailable as exc:
        pytest.skip(f"bovine-herd unavailable: {exc}")


@pytest.fixture
async def bovine_peers(tmp_path: Path) -> AsyncIterator[PeerFactory]:
    _require_bovine()
    started: list[BovinePeer] = []

    async def make(handles: Iterable[str] = ("alice",), auto_accept: bool = True) -> BovinePeer:
        peer = BovinePeer(tmp_path / f"bovine-{len(started)}", handles, auto_accept)
        started.append(peer)
        await peer.start(free_port())
        return peer

    try:
        yield make
    finally:
        for peer in started:
            await peer.stop()
    broken = {peer.base_url: peer.empty_jsonld_contexts() for peer in started}
    broken = {url: contexts for url, contexts in broken.items() if contexts}
    assert not broken, f"bovine could not load JSON-LD contexts (cached as []): {broken}"


@pytest.fixture
async def bovine_peer(bovine_peers: PeerFactory) -> BovinePeer:
    return await bovine_peers()
