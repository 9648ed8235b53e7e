"""Event bus across processes: PostgreSQL LISTEN/NOTIFY against Redis pub/sub.

A publisher process sends bursts of events (each a status payload of about 2 kB, stamped with its
send time) through a bus; this process listens through its own bus instance and measures the
delay from send to receipt, and events delivered per second. Both backends carry the same wire
messages (fedihub/events.py), so the difference is the transport.

    python -m benchmarks.bench_events [--events 1000] [--results FILE]
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from typing import Any

from benchmarks.common import parser, print_machine, record

PG_ADMIN = os.environ.get("FEDIHUB_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("FEDIHUB_TEST_REDIS", "redis://127.0.0.1:6379/0")

_PUBLISHER = """
import asyncio, json, sys, time
from fedihub import events
from fedihub.events_redis import RedisBus

async def main():
    kind, target, channel, count, size = (
        sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    )
    bus = RedisBus(target, channel) if kind == "redis" else events.PostgresBus(target, channel)
    await bus.start()
    await asyncio.sleep(0.5)
    filler = "x" * size
    for i in range(count):
        payload = json.dumps({"i": i, "t": time.time(), "f": filler})
        await bus.publish([{"channel": "public", "event": "update", "payload": payload}])
        if i % 50 == 49:
            await asyncio.sleep(0.01)  # bursts of 50, as a busy node's statuses come
    await bus.stop()

asyncio.run(main())
"""


async def _measure(
    kind: str, target: Any, channel: str, count: int, size: int
) -> tuple[list[float], float]:
    from fedihub import events
    from fedihub.events_redis import RedisBus

    bus = RedisBus(target, channel) if kind == "redis" else events.PostgresBus(target, channel)
    await bus.start()
    sub = bus.subscribe(["public"])
    publisher = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _PUBLISHER, kind, json.dumps(target), channel, str(count), str(size)
    )
    delays: list[float] = []
    first = last = 0.0
    try:
        while len(delays) < count:
            event = await sub.next_event(30)
            if event is None:
                break
            now = time.time()
            body = json.loads(event["payload"])
            delays.append((now - body["t"]) * 1000)
            first = first or now
            last = now
    finally:
        await publisher.wait()
        await bus.stop()
    rate = (len(delays) - 1) / (last - first) if last > first else 0.0
    return delays, rate


def _pg_target() -> tuple[dict[str, Any], str]:
    from urllib.parse import urlsplit

    parts = urlsplit(PG_ADMIN)
    target = {
        "host": parts.hostname,
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password or "",
        "database": parts.path.lstrip("/") or "postgres",
    }
    return target, f"bench_{uuid.uuid4().hex[:8]}"


async def main() -> None:
    args_parser = parser(__doc__ or "")
    args_parser.add_argument("--events", type=int, default=1000)
    args_parser.add_argument("--size", type=int, default=2000, help="payload bytes per event")
    args = args_parser.parse_args()
    print_machine()
    targets: list[tuple[str, Any, str]] = [
        ("postgres", *_pg_target()),
        ("redis", REDIS_URL, f"bench:{uuid.uuid4().hex}"),
    ]
    for kind, target, channel in targets:
        try:
            delays, rate = await _measure(kind, target, channel, args.events, args.size)
        except Exception as exc:  # a backend that is not there is reported, not fatal
            print(f"{kind}: not measured ({exc})")
            continue
        if not delays:
            print(f"{kind}: no events arrived")
            continue
        delays.sort()
        p50 = statistics.median(delays)
        p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
        record(args.results, "events", f"{kind} delivered", len(delays), "events", kind, 2)
        record(args.results, "events", f"{kind} events/s", rate, "events/s", kind, 2)
        record(args.results, "events", f"{kind} latency p50", p50, "ms", kind, 2)
        record(args.results, "events", f"{kind} latency p99", p99, "ms", kind, 2)


if __name__ == "__main__":
    asyncio.run(main())
