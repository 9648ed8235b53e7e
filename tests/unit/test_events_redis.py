"""The event bus over Redis pub/sub: events published by one process reach another's subscribers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import redis.asyncio as redis

from fedihub import events, node
from fedihub.events_redis import RedisBus
from fedihub.runtime import Runtime

REDIS_URL = os.environ.get("FEDIHUB_TEST_REDIS", "redis://127.0.0.1:6379/0")
TIMEOUT_S = 10.0


@pytest.fixture
async def channel() -> AsyncIterator[str]:
    client = redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:  # no Redis on this machine: say so in the summary
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    finally:
        await client.aclose()
    yield f"fedihub:test:{uuid.uuid4().hex}"


async def test_two_bus_instances_share_events_by_channel(channel: str) -> None:
    web, worker = RedisBus(REDIS_URL, channel), RedisBus(REDIS_URL, channel)
    await web.start()
    await worker.start()
    try:
        home = web.subscribe(["user:7"])
        public = web.subscribe(["public"])
        await worker.publish(
            [
                {"channel": "user:7", "event": "update", "payload": "p"},
                {"channel": "public", "event": "update", "payload": "p"},
                {"channel": "user:8", "event": "update", "payload": "p"},
            ]
        )
        assert await home.next_event(TIMEOUT_S) == {
            "channel": "user:7",
            "event": "update",
            "payload": "p",
        }
        assert (await public.next_event(TIMEOUT_S) or {})["channel"] == "public"
        assert await home.next_event(0.2) is None  # user:8 went elsewhere
    finally:
        await web.stop()
        await worker.stop()


_PUBLISHER = """
import asyncio, sys
from fedihub.events_redis import RedisBus

async def main():
    bus = RedisBus(sys.argv[1], sys.argv[2])
    await bus.start()
    await bus.publish([{"channel": "public:local", "event": "delete", "payload": sys.argv[3]}])
    await bus.stop()

asyncio.run(main())
"""


async def test_an_event_from_another_process_arrives(channel: str) -> None:
    web = RedisBus(REDIS_URL, channel)
    await web.start()
    try:
        listening = web.subscribe(["public:local"])
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", _PUBLISHER, REDIS_URL, channel, "123"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert await listening.next_event(TIMEOUT_S) == {
            "channel": "public:local",
            "event": "delete",
            "payload": "123",
        }
    finally:
        await web.stop()


async def test_a_configured_redis_is_the_bus(rt: Runtime, channel: str) -> None:
    chosen = node.bus_for_settings(replace(rt.settings, redis_url=REDIS_URL))
    assert isinstance(chosen, RedisBus)


async def test_nodes_sharing_a_redis_hear_only_their_own_events(rt: Runtime, channel: str) -> None:
    # Redis pub/sub channels ignore the database number: two nodes on one Redis share channel names
    def bus_of(domain: str) -> events.Bus:
        settings = replace(rt.settings, redis_url=REDIS_URL, domain=domain)
        return node.bus_for_settings(settings)

    suffix = uuid.uuid4().hex[:8]
    mine, my_other_process = bus_of(f"a{suffix}.example"), bus_of(f"a{suffix}.example")
    theirs = bus_of(f"b{suffix}.example")
    for bus in (mine, my_other_process, theirs):
        await bus.start()
    try:
        heard_here = my_other_process.subscribe(["user:42"])
        heard_there = theirs.subscribe(["user:42"])
        await mine.publish([{"channel": "user:42", "event": "update", "payload": "mine"}])
        expected = {"channel": "user:42", "event": "update", "payload": "mine"}
        assert await heard_here.next_event(TIMEOUT_S) == expected
        assert await heard_there.next_event(0.5) is None
    finally:
        for bus in (mine, my_other_process, theirs):
            await bus.stop()
