"""The event bus: live events (a new status for a user's home stream, a notification, a deletion)
from whichever process made them to the processes holding streaming clients.

An event is a JSON-serialisable dict: `channel` (e.g. "user:42", "public:local", "hashtag:rust"),
`event` (Mastodon's event name), `payload` (the JSON text clients get, or None) and `ref` (the
ids a receiver reloads the payload from when it was too large to travel). Two backends sit
behind `publish`/`subscribe`:
- LocalBus: an asyncio fan-out inside one process (SQLite nodes: web and jobs share a process);
- PostgresBus: the same fan-out fed by PostgreSQL LISTEN/NOTIFY on a dedicated connection, so a
  worker's events reach every web process. Events differing only in channel travel together;
  NOTIFY payloads are capped (8000 bytes): a larger event travels without its payload and
  receivers reload it from `ref`.
- RedisBus (events_redis.py): the same messages over Redis pub/sub, chosen when FEDIHUB_REDIS_URL
  is set (benchmarks/bench_events.py compares the two).
The assembler (fedihub/node.py) chooses the backend and keeps the started bus on the Runtime.
Imports nothing of the web, nor its own backends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable
from typing import Any, Protocol

log = logging.getLogger(__name__)

Event = dict[str, Any]
PG_CHANNEL = "fedihub_events"
NOTIFY_LIMIT = 7900  # PostgreSQL refuses NOTIFY payloads of 8000 bytes or more
QUEUE_SIZE = 1000  # events buffered for one slow subscriber; the oldest go first


class Subscription:
    """One subscriber's channels and its queue; iterate it (or `await next_event()`) for events."""

    def __init__(self, bus: LocalBus) -> None:
        self._bus = bus
        self.channels: set[str] = set()
        self.queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        self.dropped = 0

    def add(self, channels: Iterable[str]) -> None:
        for channel in channels:
            self.channels.add(channel)
            self._bus.subscribers.setdefault(channel, set()).add(self)

    def remove(self, channels: Iterable[str]) -> None:
        for channel in channels:
            self.channels.discard(channel)
            group = self._bus.subscribers.get(channel)
            if group is not None:
                group.discard(self)
                if not group:
                    del self._bus.subscribers[channel]

    def close(self) -> None:
        self.remove(list(self.channels))

    def offer(self, event: Event) -> None:
        if self.queue.full():  # a stalled client must not hold the publisher back
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(event)

    async def next_event(self, timeout: float | None = None) -> Event | None:
        """The next event, or None when `timeout` seconds pass without one."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        return await self.queue.get()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Bus(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, events: list[Event]) -> None: ...

    def subscribe(self, channels: Iterable[str]) -> Subscription: ...

    def may_reach(self) -> bool: ...


class LocalBus:
    """Fan-out to this process's subscribers."""

    def __init__(self) -> None:
        self.subscribers: dict[str, set[Subscription]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self.subscribers.clear()

    def deliver(self, event: Event) -> None:
        for subscription in list(self.subscribers.get(str(event.get("channel")), ())):
            subscription.offer(event)

    async def publish(self, events: list[Event]) -> None:
        for event in events:
            self.deliver(event)

    def may_reach(self) -> bool:
        """Whether a publish can reach any subscriber: here, only when this process has one, so
        publishers skip building events nobody hears (most of the time, on a SQLite node)."""
        return bool(self.subscribers)

    def subscribe(self, channels: Iterable[str]) -> Subscription:
        subscription = Subscription(self)
        subscription.add(channels)
        return subscription


def wire_messages(events: list[Event]) -> list[str]:
    """The events as NOTIFY texts: events alike but for their channel travel as one message with
    a `channels` list (a post to 1,000 followers is a few messages, not 1,000 copies), split to
    stay under the limit; a payload too large to travel beside its channels goes by reference."""
    groups: dict[tuple[str, Any], tuple[Event, list[str]]] = {}
    rests: dict[tuple[tuple[str, int], ...], str] = {}
    for event in events:
        body = {k: v for k, v in event.items() if k != "channel"}
        # the events of one fan-out share their values: each set of objects is serialised once
        # (ids are stable while `events` holds them), not once per follower
        same = tuple((k, id(v)) for k, v in body.items() if k != "payload")
        rest = rests.get(same)
        if rest is None:
            rest = rests[same] = json.dumps(
                {k: v for k, v in body.items() if k != "payload"}, sort_keys=True
            )
        # the payload is usually one shared string: hashed once, compared by identity first
        groups.setdefault((rest, body.get("payload")), (body, []))[1].append(str(event["channel"]))
    texts: list[str] = []
    for body, channels in groups.values():
        if len(_dumps({**body, "channels": []})) > NOTIFY_LIMIT // 2:
            body = {**body, "payload": None}
        base = len(_dumps({**body, "channels": []}))
        if base > NOTIFY_LIMIT:
            raise ValueError("event too large to notify even by reference")
        chunk: list[str] = []
        size = base
        for channel in channels:
            cost = len(_dumps(channel)) + 1
            if chunk and size + cost > NOTIFY_LIMIT:
                texts.append(_dumps({**body, "channels": chunk}).decode())
                chunk, size = [], base
            chunk.append(channel)
            size += cost
        texts.append(_dumps({**body, "channels": chunk}).decode())
    return texts


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class PostgresBus(LocalBus):
    """LISTEN/NOTIFY across processes; each process fans out what it hears to its subscribers."""

    def __init__(self, connect: dict[str, Any], channel: str = PG_CHANNEL) -> None:
        super().__init__()
        self._connect = connect
        self._channel = channel
        self._listener: Any = None
        self._sender: Any = None
        self._send_lock = asyncio.Lock()
        self._stopping = False
        self._reconnect: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # imported where used: a SQLite node never needs the driver, and it costs start-up time
        import asyncpg  # type: ignore[import-untyped]

        self._stopping = False
        self._sender = await asyncpg.connect(**self._connect)
        await self._listen()

    async def _listen(self) -> None:
        import asyncpg

        self._listener = await asyncpg.connect(**self._connect)
        await self._listener.add_listener(self._channel, self._heard)
        self._listener.add_termination_listener(self._lost)

    def _heard(self, _conn: Any, _pid: int, _channel: str, text: str) -> None:
        try:
            message = json.loads(text)
            channels = message.pop("channels")
        except (ValueError, KeyError, AttributeError):
            log.warning("ignored an unreadable event on %s", self._channel)
            return
        for channel in channels:
            self.deliver({"channel": channel, **message})

    def _lost(self, _conn: Any) -> None:
        if not self._stopping and self._reconnect is None:
            self._reconnect = asyncio.get_running_loop().create_task(self._relisten())

    async def _relisten(self) -> None:
        # events sent while the connection was down are lost, as with any pub/sub; clients refetch
        delay = 0.5
        while not self._stopping:
            try:
                await self._listen()
                break
            except Exception:  # the database is away: keep trying, more slowly
                log.warning("event listener reconnect failed; retrying in %.1fs", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        self._reconnect = None

    async def stop(self) -> None:
        self._stopping = True
        if self._reconnect is not None:
            self._reconnect.cancel()
        for conn in (self._listener, self._sender):
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
        self._listener = self._sender = None
        await super().stop()

    def may_reach(self) -> bool:
        return True  # other processes' subscribers, which this one cannot see

    async def publish(self, events: list[Event]) -> None:
        if not events:
            return
        texts = wire_messages(events)
        async with self._send_lock:
            if self._sender is None or self._sender.is_closed():
                import asyncpg

                self._sender = await asyncpg.connect(**self._connect)
            # one round trip for any number of events
            await self._sender.execute(
                "SELECT pg_notify($1, t) FROM unnest($2::text[]) AS t", self._channel, texts
            )


async def publish_many(bus: Bus | None, events: list[Event]) -> None:
    """Send events to every process's subscribers of their channels (nothing when no bus runs)."""
    if bus is not None and events:
        await bus.publish(events)
