"""`fedihub serve` keeps an idle kept-alive connection open longer than clients do, so a request
a client sends on a connection it believes open is never lost to the server closing it first."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from live_node import LiveNode, live_node

# httpx and most client libraries drop idle connections after 5 s; the server must outlast that
CLIENT_IDLE_EXPIRY_S = 5.0


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    with live_node(tmp_path_factory.mktemp("serve_connections")) as running:
        yield running


def _get(sock: socket.socket, host: str) -> bytes:
    """One request on the open connection; the whole response (head and body), or what came
    before the server closed it."""
    sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    data = b""
    while True:
        head, _, body = data.partition(b"\r\n\r\n")
        if _:
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            if len(body) >= length:
                return data
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk


def test_an_idle_kept_alive_connection_outlives_the_clients_idle_expiry(
    node: LiveNode, tmp_path: Path
) -> None:
    url = urlsplit(node.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        first = _get(sock, url.netloc)
        assert first.startswith(b"HTTP/1.1 200")
        assert b"connection: close" not in first.lower()
        time.sleep(
            CLIENT_IDLE_EXPIRY_S + 1
        )  # waiting out the idle period is the behaviour under test
        again = _get(sock, url.netloc)
        assert again.startswith(b"HTTP/1.1 200"), (
            f"the server closed the idle connection: {again!r}"
        )
