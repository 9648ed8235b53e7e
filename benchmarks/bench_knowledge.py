"""Knowledge post search: p50/p99 of GET /api/fedihub/v1/articles?q=...&limit=20 through the app
(the Quart test client: routing, scope check, search, visibility, entities; no socket), on SQLite
FTS5 and on PostgreSQL full-text search, over `--posts` published public posts of which a fifth
are Chinese, their words drawn with Zipf-like frequencies from ~2,000 made-up English words and
3,000 Chinese characters. Queries: a very common word, two common words, a rare word, two and four
Chinese characters. Target: p99 <= 20 ms.

    python -m benchmarks.bench_knowledge [--results FILE] [--database sqlite|postgres]
        [--posts 100000] [--requests 200]

Posts are bulk-loaded as rows (a status and an article each, with the search text the service
writes), then ANALYZE, as autovacuum would do on a live database.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import parser, print_machine, record

TARGET_MS = 20.0
# a Zipf-like vocabulary, as real text has: a few words in most posts, most words in few
_SYLLABLES = "ka ri to mo ne su la vi pe do gra phe nu xo qi ta".split()
ENGLISH = [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES[:8]]
CHINESE = [chr(0x4E00 + i) for i in range(0, 3000, 1)]
QUERIES = [ENGLISH[5], f"{ENGLISH[40]} {ENGLISH[90]}", ENGLISH[700], CHINESE[3] + CHINESE[9]]
QUERIES += [CHINESE[20] + CHINESE[50] + CHINESE[7] + CHINESE[1]]
_WEIGHTS_EN = [1 / (rank + 1) for rank in range(len(ENGLISH))]
_WEIGHTS_ZH = [1 / (rank + 1) for rank in range(len(CHINESE))]


def _text(rng: random.Random, chinese: bool) -> tuple[str, str, str]:
    words, weights = (CHINESE, _WEIGHTS_ZH) if chinese else (ENGLISH, _WEIGHTS_EN)
    sep = "" if chinese else " "
    drawn = rng.choices(words, weights, k=180 if chinese else 140)
    return sep.join(drawn[:5]), sep.join(drawn[5:25]), sep.join(drawn[25:])


async def _load(posts: int) -> None:
    from tortoise.connection import get_connection

    from fedihub import models
    from fedihub.ids import new_id
    from fedihub.knowledge import search
    from fedihub.models import Visibility

    author = await models.Actor.get(username="ada", domain=None)
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=60)
    chunk = 2000
    for first in range(0, posts, chunk):
        statuses, articles = [], []
        for n in range(first, min(posts, first + chunk)):
            title, summary, body = _text(rng, chinese=n % 5 == 0)
            at = start + timedelta(seconds=n * 30)
            status_id = new_id(int(at.timestamp() * 1000))
            uri = f"https://bench.test/users/ada/statuses/{status_id}"
            statuses.append(
                models.Status(
                    id=status_id,
                    uri=uri,
                    url=uri,
                    actor_id=author.id,
                    local=True,
                    object_type="Article",
                    visibility=Visibility.PUBLIC,
                    name=title,
                    content=f"<p>{summary}</p>",
                    published=at,
                )
            )
            articles.append(
                models.Article(
                    actor_id=author.id,
                    status_id=status_id,
                    title=title,
                    summary=summary,
                    body=body,
                    content=f"<p>{body}</p>",
                    draft=False,
                    created_at=at,
                    published_at=at,
                    search_text=search.index_text(title, summary, body, []),
                )
            )
        await models.Status.bulk_create(statuses)
        await models.Article.bulk_create(articles)
    await get_connection("default").execute_script("ANALYZE")


async def run(database: str, posts: int, requests: int, results: str | None) -> None:
    from fedihub import config, db
    from fedihub.accounts import users
    from fedihub.app import create_app
    from fedihub.security import keys
    from fedihub.security.api_budget import MemoryApiLimiter
    from tests.conftest import create_pg_database, drop_pg_database

    folder = Path(tempfile.mkdtemp(prefix="bench-knowledge-"))
    url = (
        f"sqlite://{folder / 'fedihub.sqlite3'}"
        if database == "sqlite"
        else await create_pg_database()
    )
    keys.create_node_secrets(folder / "keys")
    settings = config.load(
        environ={},
        overrides={
            "domain": "bench.test",
            "database_url": url,
            "data_dir": folder / "data",
            "keys_dir": folder / "keys",
            "run_jobs_in_process": False,
        },
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        async with db.database(settings):
            await db.migrate(settings)
        app = create_app(settings, secrets=keys.load_node_secrets(folder / "keys"))
        async with app.test_app():
            from fedihub.web.common import RUNTIME_KEY

            rt = app.extensions[RUNTIME_KEY]
            rt.api_limiter = MemoryApiLimiter(limit=10**9)
            await users.create(rt, "ada", "ada@bench.test", "correct horse battery")
            began = time.perf_counter()
            await _load(posts)
            print(f"loaded {posts:,} posts in {time.perf_counter() - began:.1f} s")
            client = app.test_client()
            timings: list[float] = []
            hits: dict[str, int] = {}
            for n in range(requests):
                q = QUERIES[n % len(QUERIES)]
                began = time.perf_counter()
                response = await client.get(
                    "/api/fedihub/v1/articles", query_string={"q": q, "limit": "20"}
                )
                timings.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, await response.get_data()
                hits[q] = len(await response.get_json())
            timings.sort()
            p50 = statistics.median(timings)
            p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
            name = "bench_knowledge"
            record(results, name, f"search p50 ({posts:,} posts)", p50, "ms", database, 1)
            record(results, name, f"search p99 ({posts:,} posts)", p99, "ms", database, 1)
            verdict = "met" if p99 <= TARGET_MS else "missed"
            print(f"target p99 <= {TARGET_MS} ms: {verdict}; results per query: {hits}")
    finally:
        if database == "postgres":
            await drop_pg_database(url)


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--posts", type=int, default=100_000)
    p.add_argument("--requests", type=int, default=200)
    args = p.parse_args(argv)
    print_machine()
    asyncio.run(run(args.database, args.posts, args.requests, args.results))


if __name__ == "__main__":
    main()
