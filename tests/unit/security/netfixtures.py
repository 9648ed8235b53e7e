"""A tiny HTTP/1.1 server on 127.0.0.1 for the outbound-client tests, and a fake resolver."""

from __future__ import annotations

import asyncio
import ipaddress
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest


@dataclass
class LoopbackServer:
    port: int = 0
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _handle(
    server: LoopbackServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        writer.close()
        return
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    fields = (ln.partition(":") for ln in lines[1:] if ln)
    headers = {k.strip().lower(): v.strip() for k, _, v in fields}
    server.requests.append((f"{method} {target}", headers))
    status, extra, body, chunked = "200 OK", "", b"", False
    if target == "/actor":
        body = json.dumps({"id": server.url + "/actor", "type": "Person"}).encode()
        extra = "Content-Type: application/activity+json\r\n"
    elif target == "/big-chunked":
        body, chunked = b"x" * 50_000, True
    elif target == "/to-loopback":
        status, extra = "302 Found", f"Location: {server.url}/actor\r\n"
    else:
        status, body = "404 Not Found", b"{}"
    if chunked:
        writer.write(
            f"HTTP/1.1 {status}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode()
        )
        for i in range(0, len(body), 4096):
            part = body[i : i + 4096]
            writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        writer.write(b"0\r\n\r\n")
    else:
        writer.write(
            f"HTTP/1.1 {status}\r\n{extra}Content-Length: {len(body)}\r\n".encode()
            + b"Connection: close\r\n\r\n"
            + body
        )
    try:
        await writer.drain()
    finally:
        writer.close()


@pytest.fixture
async def loopback() -> AsyncIterator[LoopbackServer]:
    state = LoopbackServer()
    server = await asyncio.start_server(lambda r, w: _handle(state, r, w), "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    async with server:
        yield state
        server.close()


def fake_resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    """A resolver that answers from table and never asks the network."""

    async def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        return [ipaddress.ip_address(a) for a in table[host]]

    return resolve
