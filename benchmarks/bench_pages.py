"""The node's own pages on a large database: p50/p99 wall time and the node's CPU per request of
GET /home, /timelines/federated, /@reader and the front page, signed in through the sign-in form
as a browser is, over real HTTP to a served node; and each page's weight before images. Targets
(issue 15): p99 <= 50 ms, under 100 KB.

    python -m benchmarks.bench_pages [--results FILE] [--database postgres|sqlite]
        [--statuses 1000000] [--actors 3000] [--follows 500] [--requests 200]

The database is loaded as bench_timelines loads it (statuses by remote actors, 80% public).
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_timelines import bulk_load, pct, setup_actors
from benchmarks.common import parser, print_machine, record
from benchmarks.node import PASSWORD, BenchNode

TARGET_MS = 50.0
TARGET_BYTES = 100_000
PAGES = ("/home", "/timelines/federated", "/@reader", "/")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def signed_in_client(node: BenchNode) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=node.base, timeout=60)
    form = (await client.get("/auth/sign_in")).text
    token = _CSRF.search(form)
    assert token is not None
    answer = await client.post(
        "/auth/sign_in",
        data={"login": "reader", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 302, answer.text[:300]
    return client


async def amain(args: Any) -> None:
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        node = BenchNode(Path(tmp) / "node", database=args.database)
        await node.prepare()
        try:
            node.create_user("reader")
            actor_ids = await setup_actors(node, args.actors, args.follows)
            await bulk_load(node, actor_ids, args.statuses)
            print(f"{args.statuses:,} statuses loaded into {args.database}")
            await node.start()
            client = await signed_in_client(node)
            for path in PAGES:
                cpu = node.cpu_seconds()
                times = []
                size = 0
                for i in range(args.requests + 10):
                    t = time.perf_counter()
                    response = await client.get(path)
                    elapsed = (time.perf_counter() - t) * 1000
                    if response.status_code != 200:
                        raise RuntimeError(f"GET {path}: {response.status_code}")
                    size = len(response.content)
                    if i >= 10:  # the first requests warm caches and connections
                        times.append(elapsed)
                times.sort()
                per_request = 1000 * (node.cpu_seconds() - cpu) / (args.requests + 10)

                def put(figure: str, value: float, unit: str, path: str = path) -> None:
                    record(
                        args.results,
                        "pages",
                        f"{path} {figure}",
                        value,
                        unit,
                        args.database,
                        node.processes(),
                    )

                put("p50", pct(times, 0.5), "ms")
                put("p99", pct(times, 0.99), "ms")
                put("server CPU per request", per_request, "ms")
                put("weight", size / 1000, "KB")
                print(
                    f"  {path}: p99 {'meets' if pct(times, 0.99) <= TARGET_MS else 'misses'} the "
                    f"{TARGET_MS:.0f} ms target; {size / 1000:.1f} KB "
                    f"({'under' if size <= TARGET_BYTES else 'over'} 100 KB)"
                )
            await client.aclose()
        finally:
            node.stop()
            await node.drop()


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--statuses", type=int, default=1_000_000)
    p.add_argument("--actors", type=int, default=3000)
    p.add_argument("--follows", type=int, default=500)
    p.add_argument("--requests", type=int, default=200)
    asyncio.run(amain(p.parse_args(argv)))


if __name__ == "__main__":
    main()
