"""What a poll costs as it grows: votes received from peers per second on a local poll that
already holds N votes (the vote stored, the counts recounted by the database, the grouped
Update(Question) enqueued: polls.receive_vote), and the time to render a page of 20 statuses
that each ask a question (the Poll entities and the viewer's own votes: two queries).

    python -m benchmarks.bench_polls [--database sqlite|postgres] [--votes 10000] [--results FILE]

In-process on a migrated database (SQLite in a temporary folder, or a throwaway PostgreSQL
database); no HTTP: the figures are the service's and the database's.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import parser, print_machine, record
from fedihub import config, db, models, node
from fedihub.accounts import users
from fedihub.activitypub import parse
from fedihub.api.entities.status import statuses as status_entities
from fedihub.ids import new_id
from fedihub.runtime import Runtime
from fedihub.security import keys
from fedihub.social import polls
from tests.conftest import create_pg_database, drop_pg_database


async def _run(database: str, votes: int, results: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        keys.create_node_secrets(root / "keys")
        url = await create_pg_database() if database == "postgres" else None
        settings = config.load(
            environ={},
            overrides={
                "domain": "bench.test",
                "database_url": url or f"sqlite://{root / 'db.sqlite3'}",
                "data_dir": root / "data",
                "keys_dir": root / "keys",
            },
        )
        try:
            async with db.database(settings):
                await db.migrate(settings)
                rt = node.build(settings, keys.load_node_secrets(root / "keys"))
                await _measure(rt, database, votes, results)
        finally:
            if url:
                await drop_pg_database(url)


async def _measure(rt: Runtime, database: str, votes: int, results: str | None) -> None:
    ada = await users.create(rt, "ada", "ada@uni.example", "correct horse battery")
    author = await models.Actor.get(id=ada.actor_id)
    now = datetime.now(UTC)
    questions = []
    for n in range(20):
        status = await models.Status.create(
            uri=f"https://bench.test/users/ada/statuses/{n}",
            actor=author,
            local=True,
            object_type="Question",
            content=f"<p>question {n}</p>",
            published=now,
        )
        poll = await models.Poll.create(
            status=status,
            options=["a", "b", "c", "d"],
            tallies=[0, 0, 0, 0],
            expires_at=now + timedelta(days=1),
            voters_count=0,
        )
        questions.append((status, poll))
    status, poll = questions[0]
    voters = [
        models.Actor(
            id=new_id(),
            uri=f"https://peer{n % 100}.example/users/v{n}",
            username=f"v{n}",
            domain=f"peer{n % 100}.example",
            inbox=f"https://peer{n % 100}.example/inbox",
        )
        for n in range(votes + 200)
    ]
    await models.Actor.bulk_create(voters, batch_size=1000)
    rows = [
        models.PollVote(id=new_id(), poll_id=poll.id, actor_id=v.id, choice=n % 4)
        for n, v in enumerate(voters[:votes])
    ]
    await models.PollVote.bulk_create(rows, batch_size=1000)
    # 200 more votes arrive, one by one, as the inbox hands them over
    started = time.perf_counter()
    for n, voter in enumerate(voters[votes:]):
        note = parse.object_doc(
            {
                "id": f"{voter.uri}#votes/{n}",
                "type": "Note",
                "name": "b",
                "attributedTo": voter.uri,
                "inReplyTo": status.uri,
            }
        )
        assert await polls.receive_vote(rt, voter, note)
    elapsed = time.perf_counter() - started
    per_s = 200 / elapsed
    counted = await models.Poll.get(id=poll.id)
    assert sum(counted.tallies) == votes + 200
    record(results, "bench_polls", "votes_received_per_s", per_s, "1/s", database, 1)
    timings = []
    page = [s for s, _ in questions]
    for _ in range(20):
        started = time.perf_counter()
        await status_entities(rt, page, author)
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    record(results, "bench_polls", "page_of_20_polls_ms", median, "ms", database, 1)


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--votes", type=int, default=10_000)
    args = p.parse_args()
    print_machine()
    asyncio.run(_run(args.database, args.votes, args.results))


if __name__ == "__main__":
    main()
