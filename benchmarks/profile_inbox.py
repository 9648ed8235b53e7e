"""Where an inbound Create(Note) spends its CPU: the accept (POST /inbox through Quart's test
client, no Hypercorn) and the processing (the inbox jobs, run by the job runner) in this process,
each under cProfile, with the SQL statements each sends counted.

    python -m benchmarks.profile_inbox [--database sqlite|postgres] [--activities 300]
        [--concurrency 16] [--out DIR] [--no-cprofile]

Same set-up as bench_inbox (a fresh node, 200 followed actors on 20 hosts, keys already known,
Mastodon-like HTML), so the figures per activity compare with its "node CPU per activity". Writes
DIR/accept.txt and DIR/process.txt (the costliest functions, cumulative and by own time) and
prints the statements per activity, grouped by their first words. `--no-cprofile` times the same
work without the profiler (cProfile roughly doubles the CPU of this code).
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import logging
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_inbox import Actors, activities, setup_follows, sign_all
from benchmarks.bench_sanitize import corpus
from benchmarks.common import parser, print_machine
from benchmarks.node import BenchNode, postgres_cpu


class StatementCount(logging.Handler):
    """Counts the statements tortoise sends (it logs each at DEBUG), by their first words."""

    def __init__(self) -> None:
        super().__init__()
        self.kinds: dict[str, int] = {}

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def emit(self, record: logging.LogRecord) -> None:
        query = record.args[0] if isinstance(record.args, tuple) and record.args else record.msg
        text = " ".join(str(query).split()[:8])[:110]
        self.kinds[text] = self.kinds.get(text, 0) + 1

    def report(self, what: str, n: int) -> None:
        print(f"  {what}: {self.total} SQL statements, {self.total / n:.2f} per activity")
        for text, count in sorted(self.kinds.items(), key=lambda kv: -kv[1])[:40]:
            print(f"    {count / n:>6.2f}  {text}")
        self.kinds.clear()


class Profiler(cProfile.Profile):
    """cProfile, or nothing when `on` is False (same calls, so the timed code is the same)."""

    def __init__(self, on: bool) -> None:
        super().__init__()
        self.on = on
        self.label = "under cProfile" if on else "no profiler"

    def enable(self) -> None:
        if self.on:
            super().enable()

    def disable(self) -> None:
        if self.on:
            super().disable()


def write_profile(profiler: Profiler, path: Path) -> None:
    if not profiler.on:
        return
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
    text.write("\n--- by own time ---\n")
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(40)
    path.write_text(text.getvalue())


async def accept_all(
    app: Any, requests: list[tuple[dict[str, str], bytes]], concurrency: int
) -> dict[int, int]:
    """POST every activity to /inbox through the test client, `concurrency` at a time."""
    answers: dict[int, int] = {}
    pending = iter(requests)
    client = app.test_client()

    async def lane() -> None:
        for headers, body in pending:
            response = await client.post("/inbox", data=body, headers=headers)
            answers[response.status_code] = answers.get(response.status_code, 0) + 1

    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return answers


class Phase:
    """One measured phase: CPU and wall time, the profile (when on) and the statements sent."""

    def __init__(
        self, name: str, n: int, counter: StatementCount, profile: bool, out: Path
    ) -> None:
        self.name, self.n, self.counter, self.out = name, n, counter, out
        self.profiler = Profiler(profile)

    def __enter__(self) -> Phase:
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        self.profiler.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        self.profiler.disable()
        cpu_ms = 1000 * (time.process_time() - self.cpu) / self.n
        print(
            f"{self.name}: {cpu_ms:.2f} ms CPU per activity ({self.profiler.label}), "
            f"{time.perf_counter() - self.wall:.1f} s"
        )
        self.counter.report(self.name, self.n)
        write_profile(self.profiler, self.out / f"{self.name}.txt")


async def report_failures() -> None:
    from fedihub import models

    stored = await models.Status.filter(local=False).count()
    failed = await models.Job.filter(kind="inbox", last_error__isnull=False).values_list(
        "last_error", flat=True
    )
    print(f"stored {stored} notes; {len(failed)} inbox jobs failed a first attempt")
    for error in failed[:3]:
        print("   ", "\n    ".join((error or "").strip().splitlines()[-40:]))


class DueJobs:
    """Counts the inbox jobs still due on a connection of its own: not through tortoise (so not
    counted) and not a new connection per poll (whose CPU would be charged to the processing)."""

    SQL = (
        "SELECT count(*) FROM jobs WHERE kind = 'inbox' AND (state = 'running' "
        "OR (state = 'pending' AND run_at <= {now}))"
    )

    def __init__(self, node: BenchNode) -> None:
        self.node = node
        self.conn: Any = None

    async def left(self) -> int:
        sql = self.SQL.format(now=int(time.time() * 1000))
        if self.node.database_url:
            import asyncpg

            self.conn = self.conn or await asyncpg.connect(self.node.database_url)
            return int(await self.conn.fetchval(sql))
        import sqlite3

        self.conn = self.conn or sqlite3.connect(self.node.sqlite_path(), timeout=30)
        return int(self.conn.execute(sql).fetchone()[0])

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close() if self.node.database_url else self.conn.close()


async def server_cpu(node: BenchNode) -> float:
    """CPU seconds so far of the PostgreSQL backends serving the node's database (0 on SQLite)."""
    return sum((await postgres_cpu(node)).values()) if node.database_url else 0.0


async def measure(args: Any, node: BenchNode, actors: Actors, out: Path) -> None:
    from fedihub.app import create_app
    from fedihub.jobs import runner
    from fedihub.web.common import RUNTIME_KEY

    n = args.activities
    counter = StatementCount()
    db_log = logging.getLogger("tortoise.db_client")
    app = create_app(node.settings())
    rt = app.extensions[RUNTIME_KEY]
    bodies = activities(actors, n, corpus(1000), "p")
    requests = sign_all(actors, f"{node.base}/inbox", bodies)
    async with app.test_app():
        db_log.setLevel(logging.DEBUG)
        db_log.addHandler(counter)
        db_log.propagate = False
        due = DueJobs(node)
        try:
            start = await server_cpu(node)
            with Phase("accept", n, counter, not args.no_cprofile, out):
                answers = await accept_all(app, requests, args.concurrency)
            print(f"  answers {answers}")
            accepting = await server_cpu(node) - start
            await due.left()  # its connection is opened before the clock starts
            with Phase("process", n, counter, not args.no_cprofile, out):
                stop = asyncio.Event()
                task = asyncio.create_task(runner.run(rt, stop, concurrency=args.concurrency))
                while await due.left():
                    await asyncio.sleep(0.05)
                stop.set()
                await task
            if node.database_url:  # includes the polls' few statements
                total = await server_cpu(node) - start
                print(
                    f"PostgreSQL backends: {1000 * total / n:.2f} ms CPU per activity, "
                    f"{1000 * accepting / n:.2f} of it accepting"
                )
        finally:
            db_log.removeHandler(counter)
            await due.close()
        await report_failures()


async def amain(args: Any) -> None:
    print_machine()
    actors = Actors(200, 20)
    await actors.start()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="profile-inbox-") as tmp:
        node = BenchNode(
            Path(tmp) / "node",
            database=args.database,
            workers=0,
            env={"FEDIHUB_RUN_JOBS_IN_PROCESS": "false"},
        )
        await node.prepare()
        try:
            node.create_user("reader")
            await setup_follows(node, actors, "reader")
            await measure(args, node, actors, out)
        finally:
            await node.drop()
            await actors.stop()
    if not args.no_cprofile:
        print(f"profiles written to {out}/accept.txt and {out}/process.txt")


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--activities", type=int, default=300)
    p.add_argument("--concurrency", type=int, default=16, help="POSTs in flight, then jobs at once")
    p.add_argument("--out", default="profile-inbox", help="folder for accept.txt and process.txt")
    p.add_argument("--no-cprofile", action="store_true", help="time and count without the profiler")
    asyncio.run(amain(p.parse_args(argv)))


if __name__ == "__main__":
    main()
