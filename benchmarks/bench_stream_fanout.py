"""Streaming fan-out across web processes: N WebSocket clients on /api/v1/streaming, spread over
`fedihub serve --workers 2` (PostgreSQL, plus a `fedihub worker`), while E statuses are posted
through the API at a steady rate: client receipts/s, p50/p99/max latency from each status's
created_at to its receipt, lost and duplicated events. Once with the Redis event bus
(FEDIHUB_REDIS_URL), once with PostgreSQL LISTEN/NOTIFY.

    python -m benchmarks.bench_stream_fanout [--results FILE] [--clients 1000] [--events 1000]
        [--rate 5] [--bus redis,postgres] [--stream user|public:local] [--client-processes 2]

Every client is its own local user with its own token on stream `user` (its home stream), and
every user follows every poster, so every client receives every status, as a home timeline
does; `--stream public:local` subscribes the same signed-in clients to the local timeline
instead (each event then passes the per-viewer block and mute check). The posters are a few
local users (one per 250 statuses, each from its own loopback address: the API allows 300
requests per 5 minutes per token and 1,500 per address). Clients run in `--client-processes`
processes (a minimal asyncio WebSocket client, wsclient.py), clocks on this machine; the
created_at of a status has millisecond precision. Which web process holds each client is read
from the kernel (procnet.py), not assumed. This process also listens on the node's own bus, to
split the latency into the node's work before publishing and the fan-out after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import resource
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks import procnet, wsclient
from benchmarks.common import parser, print_machine, record
from benchmarks.node import BenchNode

REDIS_URL = os.environ.get("FEDIHUB_TEST_REDIS", "redis://127.0.0.1:6379/0")
MARK = b"zq7x"  # statuses say "zq7x<seq>x": found in a frame without parsing its JSON
PER_POSTER = 250  # statuses per poster: under the API's 300 requests per 5 minutes per token


def sequence(payload: bytes) -> int | None:
    at = payload.find(MARK)
    return None if at < 0 else int(payload[at + 4 : payload.index(b"x", at + 4)])


# ---- client processes -----------------------------------------------------------------------


def client_process(pipe: Any, port: int, path: str, tokens: list[str], settle: float) -> None:
    """Connect one WebSocket per token, say so, record each status received until told to
    finish, then send back (sequence, receipt time, connection) of every receipt."""
    asyncio.run(_clients(pipe, port, path, tokens, settle))


async def _clients(pipe: Any, port: int, path: str, tokens: list[str], settle: float) -> None:
    seqs, times, conns = array("i"), array("d"), array("i")
    last = [time.time()]

    def receiver(index: int) -> wsclient.OnMessage:
        def on_message(payload: bytes, received_at: float) -> None:
            seq = sequence(payload)
            if seq is not None:
                seqs.append(seq)
                times.append(received_at)
                conns.append(index)
                last[0] = received_at

        return on_message

    gate = asyncio.Semaphore(20)  # connect a few at a time, as clients come, not 500 at once

    async def open_one(index: int) -> Any:
        async with gate:
            return await wsclient.connect("127.0.0.1", port, path, tokens[index], receiver(index))

    opened = await asyncio.gather(
        *(open_one(i) for i in range(len(tokens))), return_exceptions=True
    )
    clients = [c for c in opened if not isinstance(c, BaseException)]
    pipe.send(
        {
            "errors": [repr(c) for c in opened if isinstance(c, BaseException)],
            "ports": [
                0 if isinstance(c, BaseException) else c.transport.get_extra_info("sockname")[1]
                for c in opened
            ],
        }
    )
    assert await asyncio.to_thread(pipe.recv) == "start"
    before = resource.getrusage(resource.RUSAGE_SELF)
    expected = await asyncio.to_thread(pipe.recv)  # statuses posted: every client should have them
    while len(seqs) < expected * len(clients) and time.time() - last[0] < settle:
        await asyncio.sleep(0.05)
    after = resource.getrusage(resource.RUSAGE_SELF)
    for c in clients:
        c.close()
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    pipe.send({"seqs": seqs, "times": times, "conns": conns, "cpu": cpu})


# ---- the node, its users, its bus -----------------------------------------------------------


async def wait_all_accepting(node: BenchNode, timeout: float = 60.0) -> list[int]:
    """The web processes' pids, once each has accepted a connection (each finished starting)."""
    assert node.serve is not None
    start = time.monotonic()
    while True:
        probes = [await asyncio.open_connection("127.0.0.1", node.port) for _ in range(6)]
        for reader, writer in probes:
            writer.write(f"GET /healthz HTTP/1.1\r\nHost: {node.domain}\r\n\r\n".encode())
            await reader.readuntil(b"\r\n\r\n")
        pids = procnet.web_processes(node.serve.pid, node.port)
        seen = set(procnet.owners(node.serve.pid, node.port).values())
        for _, writer in probes:
            writer.close()
        if len(pids) >= node.web_processes and seen >= pids.keys():
            return sorted(pids)
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"only {len(seen)} of {node.web_processes} web processes accept")
        await asyncio.sleep(0.2)


async def setup_users(node: BenchNode, readers: int, posters: int) -> tuple[list[str], list[str]]:
    """Bulk-insert poster and reader users (one key pair and password hash, copied from a user
    made by the CLI), every reader following every poster; (poster tokens, reader tokens)."""
    from fedihub import models
    from fedihub.accounts import oauth
    from fedihub.urls import NodeUrls

    node.create_user("template")
    async with node.orm() as settings:
        urls = NodeUrls(settings.base_url)
        template = await models.User.get(username_key="template").prefetch_related("actor")
        app = await models.OAuthApp.create(
            name="bench",
            redirect_uris="urn:ietf:wg:oauth:2.0:oob",
            scopes="read write follow",
            client_id=oauth.new_secret(),
            client_secret_hash=oauth.digest(oauth.new_secret()),
        )
        names = [f"p{i}" for i in range(posters)] + [f"r{i}" for i in range(readers)]
        actors = [
            models.Actor(
                uri=urls.actor(n),
                username=n,
                domain=None,
                display_name=n,
                url=urls.profile(n),
                inbox=urls.inbox(n),
                outbox=urls.outbox(n),
                shared_inbox=urls.shared_inbox,
                followers_url=urls.followers(n),
                following_url=urls.following(n),
                featured_url=urls.featured(n),
                public_key_id=urls.key_id(n),
                public_key_pem=template.actor.public_key_pem,
                followers_count=readers if n[0] == "p" else 0,
                following_count=posters if n[0] == "r" else 0,
            )
            for n in names
        ]
        await models.Actor.bulk_create(actors, batch_size=1000)
        await models.User.bulk_create(
            [
                models.User(
                    actor_id=a.id,
                    username_key=a.username,
                    email=f"{a.username}@example.org",
                    password_hash=template.password_hash,
                    private_key_sealed=template.private_key_sealed,
                )
                for a in actors
            ],
            batch_size=1000,
        )
        users = {u.actor_id: u.id for u in await models.User.filter(username_key__in=names)}
        await models.Follow.bulk_create(
            [
                models.Follow(follower_id=r.id, target_id=p.id, state=models.FollowState.ACCEPTED)
                for p in actors[:posters]
                for r in actors[posters:]
            ],
            batch_size=5000,
        )
        tokens = [oauth.new_secret() for _ in actors]
        await models.OAuthToken.bulk_create(
            [
                models.OAuthToken(
                    token_hash=oauth.digest(t),
                    app_id=app.id,
                    user_id=users[a.id],
                    scopes="read write follow",
                )
                for t, a in zip(tokens, actors, strict=True)
            ],
            batch_size=1000,
        )
    return tokens[:posters], tokens[posters:]


@contextlib.asynccontextmanager
async def watch_bus(node: BenchNode) -> AsyncIterator[dict[int, float]]:
    """{sequence: when its status was on the node's bus}, heard on `public:local` through a bus
    built as the node builds its own (same backend, same channel)."""
    from fedihub import node as assembler

    heard: dict[int, float] = {}
    bus = assembler.bus_for_settings(node.settings())
    await bus.start()
    subscription = bus.subscribe(["public:local"])

    async def record_each() -> None:
        async for event in subscription:
            seq = sequence(str(event.get("payload") or "").encode())
            if seq is not None:
                heard.setdefault(seq, time.time())

    task = asyncio.create_task(record_each())
    try:
        yield heard
    finally:
        task.cancel()
        await bus.stop()


# ---- posting --------------------------------------------------------------------------------


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).timestamp()


async def post_all(node: BenchNode, tokens: list[str], events: int, rate: float) -> dict[str, Any]:
    """Post `events` statuses at `rate` per second (open loop: a slow answer does not delay the
    next post), poster k from 127.0.2.k+1; sent times and created_at of each, by sequence."""
    clients = [
        httpx.AsyncClient(
            base_url=node.base,
            timeout=60,
            headers={"Authorization": f"Bearer {t}"},
            transport=httpx.AsyncHTTPTransport(local_address=f"127.0.2.{k + 1}"),
        )
        for k, t in enumerate(tokens)
    ]
    sent: dict[int, float] = {}
    created: dict[int, float] = {}
    answered: list[float] = []
    errors: list[str] = []

    async def post(seq: int) -> None:
        sent[seq] = time.time()
        try:
            response = await clients[seq % len(clients)].post(
                "/api/v1/statuses",
                json={
                    "status": f"zq7x{seq}x: a status for the streaming fan-out benchmark",
                    "visibility": "public",
                },
            )
        except httpx.HTTPError as exc:
            errors.append(repr(exc))
            return
        if response.status_code != 200:
            errors.append(f"{response.status_code} {response.text[:200]}")
            return
        answered.append(time.time() - sent[seq])
        created[seq] = _epoch(response.json()["created_at"])

    start = time.monotonic()
    tasks = []
    for seq in range(events):
        delay = start + seq / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post(seq)))
    await asyncio.gather(*tasks)
    for client in clients:
        await client.aclose()
    return {
        "sent": sent,
        "created": created,
        "answered": sorted(answered),
        "errors": errors,
        "seconds": time.monotonic() - start,
    }


# ---- a run and its figures ------------------------------------------------------------------


async def run(args: Any, bus: str, workdir: Path) -> dict[str, Any]:
    env = {"FEDIHUB_REDIS_URL": REDIS_URL} if bus == "redis" else {}
    node = BenchNode(
        workdir / bus, database="postgres", web_processes=args.web_processes, workers=1, env=env
    )
    await node.prepare()
    ctx = multiprocessing.get_context("spawn")
    procs: list[Any] = []
    pipes: list[Any] = []
    try:
        posters = max(1, math.ceil(args.events / PER_POSTER))
        poster_tokens, reader_tokens = await setup_users(node, args.clients, posters)
        await node.start()
        web_pids = await wait_all_accepting(node)
        assert node.serve is not None
        for k in range(args.client_processes):
            mine, theirs = ctx.Pipe()
            share = reader_tokens[k :: args.client_processes]
            procs.append(
                ctx.Process(
                    target=client_process,
                    daemon=True,
                    args=(
                        theirs,
                        node.port,
                        f"/api/v1/streaming?stream={args.stream}",
                        share,
                        args.settle,
                    ),
                )
            )
            procs[-1].start()
            pipes.append(mine)
        hellos = [await asyncio.to_thread(p.recv) for p in pipes]
        held_by = procnet.owners(node.serve.pid, node.port)
        # the web process of each connection, by client process and connection index
        where = [[held_by.get(port, 0) for port in h["ports"]] for h in hellos]
        errors = [e for h in hellos for e in h["errors"]]
        cpu = node.cpu_seconds()
        web_cpu = {pid: procnet.user_system_seconds(pid) for pid in web_pids}
        async with watch_bus(node) as heard:
            for p in pipes:
                p.send("start")
            posted = await post_all(node, poster_tokens, args.events, args.rate)
            for p in pipes:
                p.send(len(posted["created"]))
            results = [await asyncio.to_thread(p.recv) for p in pipes]
        return {
            "posted": posted,
            "heard": heard,
            "results": results,
            "where": where,
            "web_pids": web_pids,
            "connect_errors": errors,
            "node_cpu": node.cpu_seconds() - cpu,
            "web_cpu": {
                pid: [b - a for a, b in zip(c, procnet.user_system_seconds(pid), strict=True)]
                for pid, c in web_cpu.items()
            },
            "processes": node.processes(),
        }
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
        node.stop()
        await node.drop()


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def report(args: Any, bus: str, r: dict[str, Any]) -> None:
    def put(figure: str, value: float, unit: str) -> None:
        record(
            args.results,
            "stream_fanout",
            f"{bus} {figure}",
            value,
            unit,
            "postgres",
            r["processes"],
        )

    posted, heard = r["posted"], r["heard"]
    created, sent = posted["created"], posted["sent"]
    got: Counter[tuple[int, int, int]] = Counter()  # (client process, connection, sequence)
    from_created: list[float] = []
    from_sent: list[float] = []
    from_bus: list[float] = []
    last = first = min(sent.values(), default=0.0)
    for k, res in enumerate(r["results"]):
        for seq, t, conn in zip(res["seqs"], res["times"], res["conns"], strict=True):
            got[(k, conn, seq)] += 1
            if got[(k, conn, seq)] > 1 or seq not in created:
                continue
            from_created.append((t - created[seq]) * 1000)
            from_sent.append((t - sent[seq]) * 1000)
            if seq in heard:
                from_bus.append((t - heard[seq]) * 1000)
            last = max(last, t)
    connections = [
        (k, conn, pid) for k, pids in enumerate(r["where"]) for conn, pid in enumerate(pids) if pid
    ]
    per_web = Counter(pid for _, _, pid in connections)
    lost_by_web: Counter[int] = Counter()
    for k, conn, pid in connections:
        lost_by_web[pid] += sum(1 for seq in created if not got[(k, conn, seq)])
    receipts = len(from_created)
    to_bus = sorted((heard[seq] - c) * 1000 for seq, c in created.items() if seq in heard)
    for values in (from_created, from_sent, from_bus):
        values.sort()
    put("clients connected", len(connections), "clients")
    put("statuses posted", len(created), "statuses")
    put("receipts", receipts, "receipts")
    put("lost events", len(connections) * len(created) - receipts, "receipts")
    put("duplicate events", sum(n - 1 for n in got.values()), "receipts")
    put("delivered", receipts / max(last - first, 1e-9), "receipts/s")
    put("latency from created_at p50", pct(from_created, 0.5), "ms")
    put("latency from created_at p99", pct(from_created, 0.99), "ms")
    put("latency from created_at max", from_created[-1] if from_created else float("nan"), "ms")
    put("latency from POST sent p99", pct(from_sent, 0.99), "ms")
    put("created_at to on the bus p50", pct(to_bus, 0.5), "ms")
    put("created_at to on the bus p99", pct(to_bus, 0.99), "ms")
    put("on the bus to client p50", pct(from_bus, 0.5), "ms")
    put("on the bus to client p99", pct(from_bus, 0.99), "ms")
    put("POST /api/v1/statuses p50", pct(posted["answered"], 0.5) * 1000, "ms")
    put("node CPU per 1,000 receipts", 1e6 * r["node_cpu"] / max(receipts, 1), "ms")
    client_cpu = sum(res["cpu"] for res in r["results"])
    put("client CPU per 1,000 receipts", 1e6 * client_cpu / max(receipts, 1), "ms")
    print(
        f"  posting took {posted['seconds']:.1f} s; POST errors: {len(posted['errors'])} "
        f"{posted['errors'][:2]}; connect errors: {len(r['connect_errors'])} "
        f"{r['connect_errors'][:2]}"
    )
    for pid in r["web_pids"]:  # from /proc: the kernel's view of who accepted whom
        user, system = r["web_cpu"][pid]
        print(
            f"  web process {pid}: {per_web[pid]} clients, {lost_by_web[pid]} lost, "
            f"CPU {user:.1f} s user + {system:.1f} s system"
        )


async def amain(args: Any) -> None:
    print_machine()
    print(
        f"{args.clients} WebSocket clients on stream {args.stream} in {args.client_processes} "
        f"process(es), {args.events} statuses at {args.rate}/s; PostgreSQL, "
        f"{args.web_processes} web processes + 1 worker"
    )
    with tempfile.TemporaryDirectory(prefix="bench-stream-") as tmp:
        for bus in args.bus.split(","):
            print(f"\n{bus} event bus" + (f" ({REDIS_URL})" if bus == "redis" else " (NOTIFY)"))
            report(args, bus, await run(args, bus, Path(tmp)))


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--events", type=int, default=1000, help="statuses posted")
    p.add_argument("--rate", type=float, default=5.0, help="statuses posted per second")
    p.add_argument("--bus", default="redis,postgres", help="redis, postgres or both, in order")
    p.add_argument("--stream", choices=["user", "public:local"], default="user")
    p.add_argument("--client-processes", type=int, default=2)
    p.add_argument("--web-processes", type=int, default=2, help="serve --workers N")
    p.add_argument(
        "--settle",
        type=float,
        default=5.0,
        help="after the last post, seconds without a receipt before the rest is lost",
    )
    asyncio.run(amain(p.parse_args(argv)))


if __name__ == "__main__":
    main()
