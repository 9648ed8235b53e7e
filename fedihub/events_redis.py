"""The event bus over Redis pub/sub (FEDIHUB_REDIS_URL): the same wire messages as the PostgreSQL
bus, on one Redis channel per node (`fedihub:events:<domain>`, chosen by events.bus_for_settings),
so a cluster whose database is busy keeps live events off it.

Messages lost while a process is disconnected are lost, as with any pub/sub (clients refetch
their timelines when their stream reconnects); the reader reconnects with back-off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fedihub.events import LocalBus, wire_messages

log = logging.getLogger(__name__)
CHANNEL = "fedihub:events"


class RedisBus(LocalBus):
    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        super().__init__()
        self._url = url
        self._channel = channel
        self._client: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        import redis.asyncio as redis

        self._client = redis.from_url(self._url, socket_connect_timeout=2)
        await self._client.ping()
        self._reader = asyncio.create_task(self._read())
        # events published after start() returns must be heard: wait for the subscription
        await asyncio.wait_for(self._subscribed.wait(), timeout=5)

    async def _read(self) -> None:
        delay = 0.5
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                self._subscribed.set()
                delay = 0.5
                while True:
                    message = await pubsub.get_message(timeout=30.0)
                    if message is not None and message.get("type") == "message":
                        self._heard(message["data"])
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                raise
            except Exception as exc:  # Redis went away: keep trying, more slowly
                log.warning("event bus lost Redis (%s); reconnecting in %.1fs", exc, delay)
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    def _heard(self, data: bytes | str) -> None:
        try:
            message = json.loads(data)
            channels = message.pop("channels")
        except (ValueError, KeyError, AttributeError, TypeError):
            log.warning("ignored an unreadable event on %s", self._channel)
            return
        for channel in channels:
            self.deliver({"channel": channel, **message})

    def may_reach(self) -> bool:
        return True  # other processes' subscribers, which this one cannot see

    async def publish(self, events: list[dict[str, Any]]) -> None:
        if not events:
            return
        async with self._client.pipeline(transaction=False) as pipe:
            for text in wire_messages(events):
                pipe.publish(self._channel, text)
            await pipe.execute()

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()
        await super().stop()
