"""Grouped notifications on a busy account: p50/p99 of GET /api/v2/notifications?limit=40 (the
first page, and a page from the middle by max_id), of the same list ungrouped (v1), and of
GET /api/v2/notifications/unread_count, over real HTTP to a served node.

    python -m benchmarks.bench_notifications [--results FILE] [--database postgres|sqlite]
        [--notifications 10000] [--statuses 200] [--actors 500] [--requests 100]

The reader's notifications are bulk-made over 30 days as a popular researcher's look: 40%
favourites and 30% boosts of one of `--statuses` statuses of theirs, 15% follows, 15% mentions,
each from one of `--actors` remote actors, with the group keys the node gives them (favourites and
boosts of one status, and follows, within a 12-hour bucket, share one).
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_timelines import pct, setup_actors
from benchmarks.common import parser, print_machine, record
from benchmarks.node import BenchNode
from fedihub.ids import new_id

BUCKET_H = 12


async def load(node: BenchNode, notifications: int, statuses: int, actors: int) -> None:
    from fedihub import models

    rng = random.Random(11)
    senders = await setup_actors(node, actors, 0)
    async with node.orm():
        me = await models.Actor.get(username="reader", domain=None)
        start = datetime.now(UTC) - timedelta(days=30)
        mine = [
            models.Status(
                id=new_id(int((start + timedelta(hours=i)).timestamp() * 1000)),
                uri=f"http://bench.example/s/{i}",
                actor_id=me.id,
                local=True,
                content="<p>a finding</p>",
                published=start + timedelta(hours=i),
            )
            for i in range(statuses)
        ]
        await models.Status.bulk_create(mine, batch_size=1000)
        rows = []
        step = timedelta(days=30) / notifications
        for k in range(notifications):
            at = start + step * k
            at_ms = int(at.timestamp() * 1000)
            r = rng.random()
            kind = (
                "favourite"
                if r < 0.4
                else "reblog"
                if r < 0.7
                else "follow"
                if r < 0.85
                else "mention"
            )
            status_id = mine[rng.randrange(statuses)].id if kind != "follow" else None
            bucket = at_ms // 3_600_000 // BUCKET_H * BUCKET_H
            key = None
            if kind in ("favourite", "reblog"):
                key = f"{kind}-{status_id}-{bucket}"
            elif kind == "follow":
                key = f"follow-{bucket}"
            rows.append(
                models.Notification(
                    id=new_id(at_ms),
                    recipient_id=me.id,
                    kind=kind,
                    from_actor_id=senders[rng.randrange(actors)],
                    status_id=status_id,
                    created_at=at,
                    group_key=key,
                )
            )
        await models.Notification.bulk_create(rows, batch_size=1000)
        middle = sorted(r.id for r in rows)[notifications // 2]
        node.middle_id = middle  # type: ignore[attr-defined]


async def timed(node: BenchNode, token: str, path: str, n: int, source: str) -> list[float]:
    out = []
    transport = httpx.AsyncHTTPTransport(local_address=source)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=node.base, timeout=60, headers=headers, transport=transport
    ) as client:
        for i in range(n + 5):
            t = time.perf_counter()
            response = await client.get(path)
            elapsed = time.perf_counter() - t
            if response.status_code != 200:
                raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
            if i >= 5:
                out.append(elapsed * 1000)
    return sorted(out)


async def amain(args: Any) -> None:
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-notifications-") as tmp:
        node = BenchNode(Path(tmp) / "node", database=args.database)
        await node.prepare()
        try:
            node.create_user("reader")
            t = time.perf_counter()
            await load(node, args.notifications, args.statuses, args.actors)
            print(
                f"{args.notifications:,} notifications from {args.actors} actors on "
                f"{args.statuses} statuses loaded into {args.database} in "
                f"{time.perf_counter() - t:.1f} s"
            )
            await node.start()
            middle = node.middle_id  # type: ignore[attr-defined]
            pages = (
                ("v2 grouped, first page", "/api/v2/notifications?limit=40"),
                ("v2 grouped, middle page", f"/api/v2/notifications?limit=40&max_id={middle}"),
                ("v1 ungrouped, first page", "/api/v1/notifications?limit=40"),
                ("v2 unread_count", "/api/v2/notifications/unread_count"),
            )
            for i, (name, path) in enumerate(pages):
                # one token and one loopback address each: the API's budget is per both
                token = await node.token("reader")
                cpu = node.cpu_seconds()
                ms = await timed(node, token, path, args.requests, f"127.0.0.{i + 2}")
                for figure, value in (
                    (
                        f"{name} server CPU per request",
                        1000 * (node.cpu_seconds() - cpu) / (len(ms) + 5),
                    ),
                    (f"{name} p50", pct(ms, 0.5)),
                    (f"{name} p99", pct(ms, 0.99)),
                ):
                    record(
                        args.results,
                        "notifications",
                        figure,
                        value,
                        "ms",
                        args.database,
                        node.processes(),
                    )
        finally:
            node.stop()
            await node.drop()


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("--notifications", type=int, default=10_000)
    p.add_argument("--statuses", type=int, default=200)
    p.add_argument("--actors", type=int, default=500)
    p.add_argument("--requests", type=int, default=100, help="timed requests per figure (<= 290)")
    asyncio.run(amain(p.parse_args(argv)))


if __name__ == "__main__":
    main()
