"""Delivery fan-out: a local user with N remote followers on H hosts posts one status; seconds
until every host has it, deliveries/s, and duplicates (each host must get exactly one copy).

    python -m benchmarks.bench_fanout [--results FILE] [--followers 10000] [--hosts 1000]
        [--database sqlite|postgres] [--workers W] [--worker-concurrency C] [--profile FILE]

The hosts are simulated by one child process listening on 127.0.1.1, 127.0.1.2, ... (all of
127.0.0.0/8 is loopback on Linux), one port, so the node's per-host bounds see H distinct hosts;
each answers 202 to a POST on /inbox (its shared inbox) and counts what it got. Followers (actors
and accepted Follow rows) are inserted into the node's database before it starts. The target is
10,000 followers on 1,000 hosts in <= 3 s.

--profile FILE: instead of timing the node's own worker, run the deliveries in this process
under cProfile (the node serves the API but runs no jobs) and write the costliest functions: the
first post's to FILE, the second's (the steady state, Host rows known) to FILE-2nd.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import io
import json
import logging
import multiprocessing
import pstats
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from benchmarks import loopback
from benchmarks.common import parser, print_machine, record
from benchmarks.node import BenchNode, free_port, postgres_cpu

TARGET_S = 3.0


def host_address(i: int) -> str:
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def _receivers(hosts: int, port: int, control: int, ready: Any) -> None:
    """Child process: H hosts answering 202, and a control port answering GET /stats."""
    got: dict[str, dict[str, int]] = {}  # host -> activity id -> copies
    first: dict[str, float] = {}

    async def handle(req: loopback.Request) -> tuple[int, str, bytes]:
        if req.method == "POST":
            host = req.local[0]
            try:
                activity = json.loads(req.body).get("id", "?")
            except ValueError:
                activity = "?"
            copies = got.setdefault(host, {})
            copies[activity] = copies.get(activity, 0) + 1
            first.setdefault(host, time.time())
            return 202, "text/plain", b""
        if req.path == "/stats":
            body = {"hosts": len(got), "first": first, "copies": got}
            return 200, "application/json", json.dumps(body).encode()
        if req.path == "/reset":
            got.clear()
            first.clear()
            return 200, "text/plain", b""
        return 404, "text/plain", b""

    async def main() -> None:
        addresses = [(host_address(i), port) for i in range(hosts)] + [("127.0.0.1", control)]
        await loopback.serve(handle, addresses)
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def remote_actors(count: int, hosts: int, port: int, prefix: str) -> list[Any]:
    """`count` actors (not yet saved) spread over the simulated hosts, each with a shared inbox."""
    from fedihub import models

    actors = []
    for k in range(count):
        host = f"{host_address(k % hosts)}:{port}"
        uri = f"http://{host}/users/{prefix}{k}"
        actors.append(
            models.Actor(
                uri=uri,
                username=f"{prefix}{k}",
                domain=host,
                inbox=f"{uri}/inbox",
                shared_inbox=f"http://{host}/inbox",
                public_key_id=f"{uri}#main-key",
            )
        )
    return actors


async def insert_followers(
    target_id: int, count: int, hosts: int, port: int, prefix: str = "f"
) -> list[Any]:
    """Insert `count` remote actors following `target_id` (accepted); inside node.orm()."""
    from fedihub import models

    actors = remote_actors(count, hosts, port, prefix)
    await models.Actor.bulk_create(actors, batch_size=1000)
    await models.Follow.bulk_create(
        [
            models.Follow(follower_id=a.id, target_id=target_id, state=models.FollowState.ACCEPTED)
            for a in actors
        ],
        batch_size=1000,
    )
    await models.Actor.filter(id=target_id).update(followers_count=count)
    return actors


async def setup_followers(
    node: BenchNode, username: str, followers: int, hosts: int, port: int
) -> None:
    from fedihub import models

    async with node.orm():
        me = await models.Actor.get(username=username, domain=None)
        await insert_followers(me.id, followers, hosts, port)


@contextlib.contextmanager
def receivers(hosts: int) -> Iterator[tuple[int, int]]:
    """The simulated hosts in a child process: yields (their port, the control port)."""
    port, control = free_port(), free_port()
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    child = ctx.Process(target=_receivers, args=(hosts, port, control, ready), daemon=True)
    child.start()
    try:
        if not ready.wait(60):
            raise RuntimeError("receivers did not start")
        yield port, control
    finally:
        child.kill()
        child.join()


async def reset(control: int) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        await client.get(f"http://127.0.0.1:{control}/reset")


async def wait_for_hosts(control: int, hosts: int, deadline: float) -> list[float]:
    """When each host first got something (sorted), once all have or at the deadline."""
    while True:
        s = await stats(control)
        if s["hosts"] >= hosts or time.time() > deadline:
            return sorted(s["first"].values())
        await asyncio.sleep(0.05)


async def settled_copies(node: BenchNode, control: int, deadline: float) -> dict[str, Any]:
    """The receivers' counts once no delivery is left (stragglers: retries, a second claim of
    the same job, arrive before copies are counted)."""
    while await node.jobs_left("deliver") and time.time() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    return await stats(control)


def duplicates_in(s: dict[str, Any]) -> int:
    return sum(n - 1 for per_host in s["copies"].values() for n in per_host.values() if n > 1)


async def stats(control: int) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        return dict((await client.get(f"http://127.0.0.1:{control}/stats")).json())


async def profile_deliveries(node: BenchNode, concurrency: int, out: str, hosts: int) -> float:
    """Run the node's pending deliveries in this process under cProfile; seconds taken."""
    from fedihub import node as assembler
    from fedihub.jobs import runner
    from fedihub.security import keys

    class Count(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.n = 0
            self.kinds: dict[str, int] = {}

        def emit(self, record: logging.LogRecord) -> None:
            self.n += 1
            text = " ".join(str(record.getMessage()).split()[:7])[:100]
            self.kinds[text] = self.kinds.get(text, 0) + 1

    # tortoise logs every statement it sends at DEBUG: a count that no busy machine distorts
    db_log = logging.getLogger("tortoise.db_client")
    db_log.setLevel(logging.DEBUG)
    counter = Count()
    db_log.addHandler(counter)
    db_log.propagate = False
    async with node.orm() as settings:
        rt = assembler.build(settings, keys.load_node_secrets(settings.keys_dir))
        lifecycle = assembler.running(rt, assembler.Role.COMMAND, database=False)
        await lifecycle.__aenter__()
        stop = asyncio.Event()
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        task = asyncio.create_task(runner.run(rt, stop, concurrency=concurrency))
        while await node.jobs_left("deliver"):
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - start
        stop.set()
        await task
        profiler.disable()
        await lifecycle.__aexit__(None, None, None)
    db_log.removeHandler(counter)
    per = counter.n / max(hosts, 1)
    print(f"  {counter.n} SQL statements for {hosts} deliveries: {per:.1f} per delivery")
    for text, n in sorted(counter.kinds.items(), key=lambda kv: -kv[1])[:12]:
        print(f"    {n:>6}  {text}")
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    text.write("\n--- by own time ---\n")
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(30)
    Path(out).write_text(text.getvalue())
    print(f"profile written to {out}")
    return elapsed


async def amain(args: Any) -> None:
    print_machine()
    env = {"FEDIHUB_RUN_JOBS_IN_PROCESS": "false"} if args.profile else {}
    concurrency = args.worker_concurrency
    with (
        receivers(args.hosts) as (port, control),
        tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp,
    ):
        node = BenchNode(
            Path(tmp) / "node",
            database=args.database,
            workers=args.workers,
            concurrency=concurrency,
            env=env,
        )
        await node.prepare()
        try:
            node.create_user("prof")
            t = time.perf_counter()
            await setup_followers(node, "prof", args.followers, args.hosts, port)
            print(
                f"{args.followers} followers on {args.hosts} hosts inserted in "
                f"{time.perf_counter() - t:.1f} s; {args.database}, worker concurrency "
                f"{concurrency or 'default'}, {node.workers} worker process(es)"
            )
            if args.profile:
                node.workers = 0
            await node.start()
            token = await node.token("prof")
            # the first post finds no Host rows (made by the first delivery to each host); the
            # second is the steady state
            await run_once(args, node, token, control, "1st post")
            await reset(control)
            await run_once(args, node, token, control, "2nd post")
        finally:
            node.stop()
            await node.drop()


async def run_once(args: Any, node: BenchNode, token: str, control: int, label: str) -> None:
    processes = node.processes()

    def put(figure: str, value: float, unit: str) -> None:
        record(args.results, "fanout", f"{label}: {figure}", value, unit, args.database, processes)

    cpu, db_cpu = node.cpu_seconds(), await postgres_cpu(node)
    t0 = time.time()
    async with httpx.AsyncClient(base_url=node.base, timeout=120) as client:
        response = await client.post(
            "/api/v1/statuses",
            headers={"Authorization": f"Bearer {token}"},
            json={"status": "fan-out benchmark", "visibility": "public"},
        )
    posted = time.time() - t0
    if response.status_code != 200:
        raise RuntimeError(f"posting failed: {response.status_code} {response.text}")
    put("POST /api/v1/statuses answered", posted * 1000, "ms")
    if args.profile:
        out = Path(args.profile)
        if label != "1st post":
            out = out.with_name(f"{out.stem}-2nd{out.suffix}")
        elapsed = await profile_deliveries(node, args.worker_concurrency or 8, str(out), args.hosts)
        put("deliveries under cProfile", elapsed, "s")
    deadline = time.time() + args.timeout
    first = await wait_for_hosts(control, args.hosts, deadline)
    reached = len(first)
    if reached:
        all_in = first[-1] - t0
        put(
            "seconds until every host has it"
            if reached == args.hosts
            else f"seconds until {reached}/{args.hosts} hosts had it",
            all_in,
            "s",
        )
        put("deliveries", reached / all_in, "deliveries/s")
        put("seconds until half the hosts had it", first[len(first) // 2] - t0, "s")
        put("time over the 3 s target", all_in / TARGET_S, "x")
    s = await settled_copies(node, control, deadline)
    duplicates = duplicates_in(s)
    if not args.profile:
        put("node CPU per delivery", 1000 * (node.cpu_seconds() - cpu) / max(s["hosts"], 1), "ms")
        if node.database_url:
            # backends that ended during the run are missed; the node's pool keeps its own open
            used = sum(t - db_cpu.get(pid, 0.0) for pid, t in (await postgres_cpu(node)).items())
            put("PostgreSQL CPU per delivery", 1000 * used / max(s["hosts"], 1), "ms")
    put("hosts reached", s["hosts"], "hosts")
    put("duplicate copies", duplicates, "copies")
    print(
        f"  {label}: {s['hosts']}/{args.hosts} hosts reached, {duplicates} duplicate copies, "
        f"{args.hosts - s['hosts']} missing"
    )


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--followers", type=int, default=10_000)
    p.add_argument("--hosts", type=int, default=1_000)
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--workers", type=int, default=1, help="fedihub worker processes (PostgreSQL)")
    p.add_argument("--worker-concurrency", type=int, default=None, help="jobs at once per worker")
    p.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds")
    p.add_argument("--profile", help="run deliveries in-process under cProfile, write the top here")
    asyncio.run(amain(p.parse_args(argv)))


if __name__ == "__main__":
    main()
