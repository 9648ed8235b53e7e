"""A tiny HTTP/1.1 server on raw asyncio streams, for simulated peers on loopback.

Far cheaper per request than a framework, so on a 2-core machine the simulated side takes little
of the CPU the node under test needs. Keep-alive, Content-Length bodies only (what httpx sends).

    async def handle(req: Request) -> tuple[int, str, bytes]: ...
    servers = await serve(handle, [("127.0.0.1", 9001), ("127.0.1.1", 9001)])
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

REASONS = {200: "OK", 202: "Accepted", 404: "Not Found", 400: "Bad Request"}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    local: tuple[str, int]  # the address and port the request arrived on


Handler = Callable[[Request], Awaitable[tuple[int, str, bytes]]]


async def _connection(
    handle: Handler, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    local = writer.get_extra_info("sockname")[:2]
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            body = await reader.readexactly(length) if length else b""
            status, content_type, out = await handle(Request(method, path, headers, body, local))
            writer.write(
                f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(out)}\r\n\r\n".encode()
                + out
            )
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def serve(handle: Handler, addresses: list[tuple[str, int]]) -> list[asyncio.Server]:
    """Listen on every (host, port); the same handler answers all of them."""
    servers = []
    for host, port in addresses:
        servers.append(
            await asyncio.start_server(
                lambda r, w: _connection(handle, r, w), host, port, backlog=1024, reuse_address=True
            )
        )
    return servers


async def close(servers: list[asyncio.Server]) -> None:
    for server in servers:
        server.close()
    # wait_closed also waits for idle keep-alive connections: bound it
    for server in servers:
        try:
            await asyncio.wait_for(server.wait_closed(), timeout=1)
        except TimeoutError:
            pass
