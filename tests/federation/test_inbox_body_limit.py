"""An inbox body is read up to FEDIHUB_MAX_INBOX_BODY and no further: past it the answer is 413 at
once, whether the size was announced (Content-Length) or the body comes in chunks that never end.

The app is served by Hypercorn on a loopback port and spoken to over a raw socket, since only a
real connection can send a body slowly and wait for the answer before it is over.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypercorn.asyncio import serve
from hypercorn.config import Config

from fedihub.security import keys
from fedihub.web.common import RUNTIME_KEY
from tests.federation.mockpeers import create_note, fresh_origin, signed_post, stored_actor

ANSWER_WITHIN_S = 10.0
CHUNK = 64 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def port(app: Any) -> AsyncIterator[int]:
    """The started test app, served on a loopback port (its lifespan already ran)."""

    async def started_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await app(scope, receive, send)

    chosen = _free_port()
    config = Config()
    config.bind = [f"127.0.0.1:{chosen}"]
    config.accesslog = None
    stop = asyncio.Event()
    task = asyncio.create_task(serve(started_app, config, shutdown_trigger=stop.wait))  # type: ignore[arg-type]
    for _ in range(200):
        with contextlib.suppress(OSError):
            _reader, writer = await asyncio.open_connection("127.0.0.1", chosen)
            writer.close()
            break
        await asyncio.sleep(0.02)  # waiting for the server to listen
    yield chosen
    stop.set()
    await task


async def _status_line(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.readline(), timeout=ANSWER_WITHIN_S)


async def _send(writer: asyncio.StreamWriter, data: bytes) -> None:
    with contextlib.suppress(ConnectionError):  # the server may close once it has answered
        writer.write(data)
        await writer.drain()


HEAD = "POST /inbox HTTP/1.1\r\nHost: fedihub.test\r\nContent-Type: application/activity+json\r\n"


async def test_a_chunked_body_past_the_limit_gets_413_before_it_ends(app: Any, port: int) -> None:
    limit = app.extensions[RUNTIME_KEY].settings.max_inbox_body
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await _send(writer, (HEAD + "Transfer-Encoding: chunked\r\n\r\n").encode())
    sent = 0
    while sent <= limit:  # just past the limit; the terminating chunk is never sent
        await _send(writer, b"%x\r\n" % CHUNK + b"x" * CHUNK + b"\r\n")
        sent += CHUNK

    assert (await _status_line(reader)).startswith(b"HTTP/1.1 413")
    writer.close()


async def test_an_announced_body_past_the_limit_gets_413_before_it_is_sent(
    app: Any, port: int
) -> None:
    limit = app.extensions[RUNTIME_KEY].settings.max_inbox_body
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await _send(writer, (HEAD + f"Content-Length: {limit + 1}\r\n\r\n").encode())
    assert (await _status_line(reader)).startswith(b"HTTP/1.1 413")
    writer.close()


async def test_a_chunked_body_within_the_limit_is_read_whole(app: Any, port: int) -> None:
    key = keys.generate_private_key()
    eve = await stored_actor(f"{fresh_origin()}/users/eve", key)
    body = create_note(eve.uri)
    headers = signed_post(body, key, f"{eve.uri}#main-key")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k not in ("Content-Type", "Host"))
    await _send(writer, (HEAD + head + "Transfer-Encoding: chunked\r\n\r\n").encode())
    for start in range(0, len(body), 100):
        piece = body[start : start + 100]
        await _send(writer, b"%x\r\n" % len(piece) + piece + b"\r\n")
    await _send(writer, b"0\r\n\r\n")

    assert (await _status_line(reader)).startswith(b"HTTP/1.1 202")
    writer.close()
