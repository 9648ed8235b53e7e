"""The event bus: in-process fan-out, and PostgreSQL LISTEN/NOTIFY between bus instances on
separate connections (as between a worker and web processes), large payloads by reference."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from apikit import bearer, make_token, make_user

from fedihub import events
from fedihub import node as assembler
from fedihub.api import stream_events
from fedihub.runtime import Runtime
from fedihub.web.common import RUNTIME_KEY

TIMEOUT_S = 10.0


async def test_local_bus_fans_out_by_channel_and_forgets_closed_subscriptions() -> None:
    bus = events.LocalBus()
    home, public = bus.subscribe(["user:1"]), bus.subscribe(["public", "user:2"])
    await bus.publish(
        [
            {"channel": "user:1", "event": "update", "payload": "a"},
            {"channel": "public", "event": "update", "payload": "b"},
        ]
    )
    assert (await home.next_event(TIMEOUT_S) or {})["payload"] == "a"
    assert (await public.next_event(TIMEOUT_S) or {})["payload"] == "b"
    assert await home.next_event(0.01) is None
    public.close()
    assert set(bus.subscribers) == {"user:1"}


async def test_a_slow_subscriber_loses_the_oldest_events_not_the_publisher() -> None:
    bus = events.LocalBus()
    slow = bus.subscribe(["public"])
    await bus.publish(
        [
            {"channel": "public", "event": "update", "payload": str(i)}
            for i in range(events.QUEUE_SIZE + 5)
        ]
    )
    assert slow.dropped == 5
    assert (await slow.next_event(TIMEOUT_S) or {})["payload"] == "5"


def test_a_fan_out_travels_as_few_notify_messages_each_under_the_limit() -> None:
    payload = json.dumps({"id": "1", "content": "x" * 3000})
    fan_out = [{"channel": f"user:{i}", "event": "update", "payload": payload} for i in range(1000)]
    texts = events.wire_messages(
        [*fan_out, {"channel": "public", "event": "delete", "payload": "9"}]
    )
    assert len(texts) <= 6
    assert all(len(t.encode()) <= events.NOTIFY_LIMIT for t in texts)
    messages = [json.loads(t) for t in texts]
    assert sorted(c for m in messages if m["event"] == "update" for c in m["channels"]) == sorted(
        e["channel"] for e in fan_out
    )
    assert all(m["payload"] == payload for m in messages if m["event"] == "update")
    huge = events.wire_messages(
        [{"channel": "user:1", "event": "update", "payload": "y" * 9000, "ref": {"status_id": "5"}}]
    )
    assert [json.loads(t) for t in huge] == [
        {"event": "update", "payload": None, "ref": {"status_id": "5"}, "channels": ["user:1"]}
    ]


async def test_postgres_bus_carries_events_between_instances(rt: Runtime, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    web, worker = assembler.bus_for_settings(rt.settings), assembler.bus_for_settings(rt.settings)
    assert isinstance(web, events.PostgresBus) and isinstance(worker, events.PostgresBus)
    await web.start()
    await worker.start()
    try:
        listening = web.subscribe(["user:7"])
        small = {
            "channel": "user:7",
            "event": "delete",
            "payload": "123",
            "ref": {"status_id": "123"},
        }
        large = {
            "channel": "user:7",
            "event": "update",
            "payload": "x" * 20_000,
            "ref": {"status_id": "124"},
        }
        await worker.publish(
            [{"channel": "user:8", "event": "delete", "payload": "1"}, small, large]
        )
        assert await listening.next_event(TIMEOUT_S) == small
        by_reference = await listening.next_event(TIMEOUT_S)
        assert by_reference == {**large, "payload": None}  # too large for NOTIFY: the ids travel
        assert await listening.next_event(0.05) is None  # user:8 was not for this subscriber
    finally:
        await worker.stop()
        await web.stop()


async def test_the_command_line_announces_a_disabled_account_to_the_servers_bus(
    rt: Runtime, backend: str
) -> None:
    from fedihub.accounts import revocations

    if backend != "postgres":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's (a SQLite node's streams re-check instead)")
    server = assembler.bus_for_settings(rt.settings)
    await server.start()
    try:
        streams = server.subscribe([revocations.user_channel(42)])
        # another process, as `fedihub user disable` runs: a command that opens a bus to tell
        command_line = assembler.build(rt.settings, rt.secrets)
        async with assembler.running(
            command_line, assembler.Role.COMMAND, database=False, bus=True
        ):
            await revocations.account_disabled(command_line, 42)
        heard = await streams.next_event(TIMEOUT_S)
        assert heard is not None and heard["event"] == revocations.ENDED
        assert command_line.bus is None  # closed with the command
    finally:
        await server.stop()


async def test_an_event_too_large_to_notify_is_rebuilt_from_the_database(
    client: Any, backend: str
) -> None:
    ada = await make_user(client.app, "ada")
    token = await make_token(ada)
    rt = client.app.extensions[RUNTIME_KEY]
    with rt.bus.subscribe(["public"]) as subscription:
        posted = await (
            await client.post(
                "/api/v1/statuses", headers=bearer(token), json={"status": "é" * 4900}
            )
        ).get_json()
        event = await subscription.next_event(TIMEOUT_S)
    assert event is not None and event["ref"] == {"status_id": posted["id"]}
    if backend == "postgres":
        assert event["payload"] is None  # over NOTIFY's limit: sent by reference
    payload = await stream_events.payload_of(rt, event)
    assert payload is not None and json.loads(payload)["id"] == posted["id"]


_PUBLISHER = """
import asyncio, json, sys
from fedihub import events
from fedihub import node as assembler

async def main():
    bus = events.PostgresBus(json.loads(sys.argv[1]))
    await bus.start()
    await bus.publish([{"channel": "public:remote", "event": "update", "payload": sys.argv[2]}])
    await bus.stop()

asyncio.run(main())
"""


async def test_an_event_from_another_process_reaches_this_one(rt: Runtime, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    import subprocess
    import sys

    web = assembler.bus_for_settings(rt.settings)
    assert isinstance(web, events.PostgresBus)
    await web.start()
    try:
        listening = web.subscribe(["public:remote"])
        # a worker process: its own interpreter, its own connection
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", _PUBLISHER, json.dumps(web._connect), "from the worker"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        event = await listening.next_event(TIMEOUT_S)
        assert event == {
            "channel": "public:remote",
            "event": "update",
            "payload": "from the worker",
        }
    finally:
        await web.stop()
