"""A minimal WebSocket client (RFC 6455) on an asyncio Protocol, for many streaming clients in
one benchmark process: the handshake, unmasked server frames in, masked pong and close out.

A thousand clients each receiving every event is a lot of frames for one Python process; a
Protocol parsing frames straight from `data_received` takes 0.9 µs for a 2 kB frame, where
wsproto (as tests/api use it) takes 8 µs. No extensions (no permessage-deflate is offered);
fragmented messages are joined.

    conn = await connect("127.0.0.1", 8000, "/api/v1/streaming?stream=user", token, on_message)
    ...  # on_message(payload: bytes, received_at: float) for each text or binary message
    conn.close()
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import struct
import time
from collections.abc import Callable

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OnMessage = Callable[[bytes, float], None]


class HandshakeError(Exception):
    pass


class _Client(asyncio.Protocol):
    def __init__(self, on_message: OnMessage, key: bytes) -> None:
        self.on_message = on_message
        self.key = key
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.partial = bytearray()  # a fragmented message's frames so far
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        received_at = time.time()  # every frame of this read arrived now
        self.buffer += data
        if not self.opened.done():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).decode("latin-1")
            del self.buffer[: end + 4]
            expected = base64.b64encode(hashlib.sha1(self.key + _GUID).digest()).decode()
            if not head.startswith("HTTP/1.1 101") or expected not in head:
                self.opened.set_exception(HandshakeError(head.split("\r\n", 1)[0]))
                self.close()
                return
            self.opened.set_result(None)
        self._frames(received_at)

    def _frames(self, received_at: float) -> None:
        buf = self.buffer
        while len(buf) >= 2:
            first, second = buf[0], buf[1]
            length, start = second & 0x7F, 2
            if length == 126:
                if len(buf) < 4:
                    return
                length, start = struct.unpack_from("!H", buf, 2)[0], 4
            elif length == 127:
                if len(buf) < 10:
                    return
                length, start = struct.unpack_from("!Q", buf, 2)[0], 10
            if len(buf) < start + length:
                return
            payload = bytes(buf[start : start + length])
            del buf[: start + length]
            opcode = first & 0x0F
            if opcode in (0, 1, 2):
                if not first & 0x80:  # not the final frame yet
                    self.partial += payload
                    continue
                if self.partial:
                    payload, self.partial = bytes(self.partial) + payload, bytearray()
                self.on_message(payload, received_at)
            elif opcode == 9:
                self.send(10, payload)
            elif opcode == 8:
                self.send(8, payload[:2])
                self.close()
                return

    def send(self, opcode: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        head = bytes([0x80 | opcode])
        if len(payload) < 126:
            head += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
        self.transport.write(head + mask + masked)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(HandshakeError(f"connection lost: {exc}"))
        if not self.closed.done():
            self.closed.set_result(None)


async def connect(
    host: str, port: int, path: str, token: str | None, on_message: OnMessage, timeout: float = 30.0
) -> _Client:
    """Open a WebSocket to ws://host:port/path (bearer token in the Authorization header)."""
    key = base64.b64encode(os.urandom(16))
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(lambda: _Client(on_message, key), host, port)
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key.decode()}",
        "Sec-WebSocket-Version: 13",
    ]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    assert client.transport is not None
    client.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await asyncio.wait_for(client.opened, timeout)
    return client
