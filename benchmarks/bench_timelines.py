"""Timeline reads on a large database: p50/p99 of GET /api/v1/timelines/home?limit=20 and
/api/v1/timelines/public?limit=20 over real HTTP to a served node, and the query plans of the
home and public queries as tortoise generates them (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY
PLAN on SQLite), with a verdict on index use. Target: p99 <= 20 ms.

    python -m benchmarks.bench_timelines [--results FILE] [--database postgres|sqlite]
        [--statuses 1000000] [--actors 3000] [--follows 500] [--requests 280] [--followed-tags 0]

Statuses (80% public, 10% unlisted, 10% followers-only, by `--actors` remote actors, of whom the
reader follows `--follows`) are bulk-loaded: COPY through asyncpg on PostgreSQL, one executemany
transaction on SQLite; then ANALYZE, as autovacuum would do on a live database. With
`--followed-tags N`, every status also carries one of 20 hashtags, the reader follows N of them
and keeps 50 of the accounts they follow on an exclusive list (home's other two terms at work).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import parser, print_machine, record
from benchmarks.node import BenchNode
from fedihub.ids import new_id

TARGET_MS = 20.0
COLUMNS = [
    "id",
    "uri",
    "url",
    "actor_id",
    "local",
    "object_type",
    "visibility",
    "content",
    "summary",
    "sensitive",
    "published",
    "replies_count",
    "reblogs_count",
    "favourites_count",
]
TEXT = (
    "<p>A status about open science, research data and the fediverse, "
    "long enough to be typical.</p>"
)


async def setup_actors(node: BenchNode, actors: int, follows: int) -> list[int]:
    """Remote actors, and the reader following the first `follows` of them; their ids."""
    from fedihub import models

    async with node.orm():
        me = await models.Actor.get(username="reader", domain=None)
        rows = [
            models.Actor(
                uri=f"http://r{i % 300}.example/users/u{i}",
                username=f"u{i}",
                domain=f"r{i % 300}.example",
                inbox=f"http://r{i % 300}.example/users/u{i}/inbox",
            )
            for i in range(actors)
        ]
        await models.Actor.bulk_create(rows, batch_size=1000)
        await models.Follow.bulk_create(
            [
                models.Follow(follower_id=me.id, target_id=a.id, state=models.FollowState.ACCEPTED)
                for a in rows[:follows]
            ],
            batch_size=1000,
        )
        return [a.id for a in rows]


def status_rows(actor_ids: list[int], n: int) -> Any:
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=365)
    step = timedelta(days=365) / max(n, 1)
    for k in range(n):
        actor = actor_ids[rng.randrange(len(actor_ids))]
        r = rng.random()
        visibility = "public" if r < 0.8 else "unlisted" if r < 0.9 else "private"
        uri = f"http://bench.example/s/{k}"
        yield (
            new_id(),
            uri,
            uri,
            actor,
            False,
            "Note",
            visibility,
            TEXT,
            "",
            False,
            start + step * k,
            0,
            0,
            0,
        )


async def bulk_load(node: BenchNode, actor_ids: list[int], n: int) -> None:
    if node.database_url:
        import asyncpg

        conn = await asyncpg.connect(node.database_url)
        try:
            batch: list[tuple[Any, ...]] = []
            for row in status_rows(actor_ids, n):
                batch.append(row)
                if len(batch) == 100_000:
                    await conn.copy_records_to_table("statuses", records=batch, columns=COLUMNS)
                    batch = []
            if batch:
                await conn.copy_records_to_table("statuses", records=batch, columns=COLUMNS)
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        return
    marks = ", ".join("?" for _ in COLUMNS)
    with contextlib.closing(sqlite3.connect(node.sqlite_path())) as db:
        with db:
            db.executemany(
                f"INSERT INTO statuses ({', '.join(COLUMNS)}) VALUES ({marks})",
                ((*r[:10], r[10].isoformat(sep=" "), *r[11:]) for r in status_rows(actor_ids, n)),
            )
        db.execute("ANALYZE")


TAG_POOL = 20


async def tags_and_exclusive_list(node: BenchNode, followed: int) -> None:
    """Each status gets hashtag `tag<id % 20>`; the reader follows `followed` of the 20 and puts
    the first 50 accounts it follows on an exclusive list."""
    from tortoise import Tortoise

    from fedihub import models

    async with node.orm():
        conn = Tortoise.get_connection("default")
        name = f"'tag' || (id % {TAG_POOL})"
        insert = "INSERT INTO status_tags (id, status_id, name)"
        await conn.execute_script(f"{insert} SELECT id, id, {name} FROM statuses")
        me = await models.Actor.get(username="reader", domain=None)
        await models.FollowedTag.bulk_create(
            [models.FollowedTag(actor=me, name=f"tag{n}") for n in range(followed)]
        )
        hidden = await models.List.create(owner=me, title="exclusive", exclusive=True)
        follows = await models.Follow.filter(follower_id=me.id).order_by("id").limit(50)
        await models.ListAccount.bulk_create(
            [models.ListAccount(list=hidden, actor_id=f.target_id, follow_id=f.id) for f in follows]
        )
        await conn.execute_script("ANALYZE")


async def plans(node: BenchNode) -> dict[str, tuple[str, str]]:
    """(SQL, plan) of the home and public first pages, as the API builds them."""
    from tortoise import Tortoise

    from fedihub import models
    from fedihub.social import timelines

    out = {}
    async with node.orm():
        me = await models.Actor.get(username="reader", domain=None)
        conn = Tortoise.get_connection("default")
        for name, qs in (("home", timelines.home(me)), ("public", timelines.public(me))):
            page = qs.order_by("-id").limit(20)
            # what .sql() prints, with its parameters (inlining is incomplete on SQLite)
            page._choose_db_if_not_chosen()
            page._make_query()
            sql, values = page.query.get_parameterized_sql()
            explain = "EXPLAIN ANALYZE " if node.database_url else "EXPLAIN QUERY PLAN "
            rows = await conn.execute_query_dict(explain + sql, values)
            sql = f"{sql}\n  parameters: {values}"
            if node.database_url:
                plan = "\n".join(str(r["QUERY PLAN"]) for r in rows)
            else:
                plan = "\n".join(str(r.get("detail", r)) for r in rows)
            out[name] = (sql, plan)
    return out


def verdict(plan: str, postgres: bool) -> str:
    if postgres:
        seq = [line.strip() for line in plan.splitlines() if "Seq Scan on statuses" in line]
        uses = "Index" in plan
        sort = [line.strip() for line in plan.splitlines() if "Sort Method" in line]
        seq_text = (
            "sequential scan of statuses: " + seq[0] if seq else "no sequential scan of statuses"
        )
        sort_text = (
            "sorts the matches before the LIMIT (" + sort[0] + ")"
            if sort
            else "no sort: reads in id order"
        )
        return f"indexes used: {'yes' if uses else 'no'}; {seq_text}; {sort_text}"
    scans = [
        line for line in plan.splitlines() if line.strip().startswith("SCAN") and "statuses" in line
    ]
    full = [s for s in scans if "USING" not in s]
    sort_text = (
        "sorts every match before the LIMIT (temp b-tree)"
        if "TEMP B-TREE FOR ORDER BY" in plan
        else "no sort: reads in id order"
    )
    return (
        f"indexes used: {'yes' if 'USING' in plan else 'no'}; "
        f"{'full scan: ' + full[0].strip() if full else 'no full scan of statuses'}; "
        f"{sort_text}"
    )


async def latencies(
    node: BenchNode, token: str | None, path: str, n: int, source: str
) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    out = []
    # the API allows 300 requests per token and per client address in 5 minutes (Mastodon's
    # budget): each timeline gets its own token and its own loopback source address
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(
        base_url=node.base, timeout=60, headers=headers, transport=transport
    ) as client:
        for i in range(n + 10):
            t = time.perf_counter()
            response = await client.get(path)
            elapsed = time.perf_counter() - t
            if response.status_code != 200 or len(response.json()) != 20:
                raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
            if i >= 10:  # the first requests warm caches and connections
                out.append(elapsed * 1000)
    return sorted(out)


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


async def amain(args: Any) -> None:
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-timelines-") as tmp:
        node = BenchNode(Path(tmp) / "node", database=args.database)
        await node.prepare()
        try:
            node.create_user("reader")
            t = time.perf_counter()
            actor_ids = await setup_actors(node, args.actors, args.follows)
            await bulk_load(node, actor_ids, args.statuses)
            if args.followed_tags:
                await tags_and_exclusive_list(node, args.followed_tags)
            print(
                f"{args.statuses:,} statuses by {args.actors} actors "
                f"({args.follows} followed) loaded "
                f"into {args.database} in {time.perf_counter() - t:.1f} s"
            )
            for name, (sql, plan) in (await plans(node)).items():
                print(
                    f"\n--- {name} query ---\n{sql}\n--- plan ---\n{plan}\n"
                    f"=> {verdict(plan, bool(node.database_url))}"
                )
            await node.start()

            def put(figure: str, value: float, unit: str) -> None:
                record(
                    args.results, "timelines", figure, value, unit, args.database, node.processes()
                )

            print()
            for i, (name, path, auth) in enumerate(
                (
                    ("home", "/api/v1/timelines/home?limit=20", True),
                    ("public", "/api/v1/timelines/public?limit=20", False),
                    ("public (signed in)", "/api/v1/timelines/public?limit=20", True),
                )
            ):
                token = await node.token("reader") if auth else None
                cpu = node.cpu_seconds()
                ms = await latencies(node, token, path, args.requests, f"127.0.0.{i + 2}")
                # the node's CPU per request: what a busy machine does not inflate much
                put(
                    f"{name} server CPU per request",
                    1000 * (node.cpu_seconds() - cpu) / (len(ms) + 10),
                    "ms",
                )
                put(f"{name} p50", pct(ms, 0.5), "ms")
                put(f"{name} p99", pct(ms, 0.99), "ms")
                print(
                    f"  {name}: p99 {'meets' if pct(ms, 0.99) <= TARGET_MS else 'misses'} "
                    f"the {TARGET_MS:.0f} ms target ({len(ms)} requests)"
                )
        finally:
            node.stop()
            await node.drop()


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("--statuses", type=int, default=1_000_000)
    p.add_argument("--actors", type=int, default=3000)
    p.add_argument("--follows", type=int, default=500)
    p.add_argument(
        "--followed-tags",
        type=int,
        default=0,
        help=f"hashtags (of {TAG_POOL}) the reader follows; adds an exclusive list",
    )
    p.add_argument(
        "--requests",
        type=int,
        default=280,
        help="timed requests per timeline (at most 290: the API's budget is 300 per 5 minutes)",
    )
    asyncio.run(amain(p.parse_args(argv)))


if __name__ == "__main__":
    main()
