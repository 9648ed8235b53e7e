"""Inbox throughput: signed Create(Note) deliveries from many simulated remote actors to a real
node's shared inbox: accepted/s and p50/p99 latency of the 202 at the client, and processed/s
(until no inbox job is left); then the same load against bovine-herd, and the ratio.

    python -m benchmarks.bench_inbox [--results FILE] [--activities 3000] [--actors 200]
        [--hosts 20] [--concurrency 32] [--database sqlite|postgres] [--web-processes N]
        [--workers W] [--worker-concurrency C] [--no-peer] [--compare-workers 1,2]

The actors' documents (real RSA keys, made once and kept under .cache/bench-actors/) are served
by a small loopback server; the node's local user follows every actor (rows inserted before the
node starts, actors with their keys already known, as after a first contact), so each note is
stored, not dropped as irrelevant. Notes carry Mastodon-like HTML from bench_sanitize's corpus;
the sanitiser's share of processing is estimated by sanitising the same contents in-process.
`--compare-workers 1,2` (PostgreSQL) runs the same activities on a fresh node per worker count
and prints processed/s, node CPU per activity and the scaling factor (no bovine-herd then).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks import loopback
from benchmarks.bench_sanitize import bleach_cleaner, corpus
from benchmarks.common import parser, print_machine, record
from benchmarks.node import BenchNode, cpu_seconds, free_port, postgres_cpu
from fedihub.activitypub import signatures
from fedihub.security import html, keys

ROOT = Path(__file__).resolve().parent.parent
KEY_CACHE = ROOT / ".cache" / "bench-actors"
AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]


def actor_keys(n: int) -> list[Any]:
    """n RSA keys, generated once and cached on disk so runs are comparable."""
    KEY_CACHE.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = KEY_CACHE / f"actor-{i}.pem"
        if not path.exists():
            path.write_bytes(keys.private_pem(keys.generate_private_key()))
        out.append(keys.load_private_pem(path.read_bytes()))
    return out


class Actors:
    """Simulated remote actors spread over hosts (one loopback port each), serving their
    documents."""

    def __init__(self, n: int, hosts: int) -> None:
        self.keys = actor_keys(n)
        self.ports = [free_port() for _ in range(hosts)]
        self.uris = [f"http://127.0.0.1:{self.ports[i % hosts]}/users/a{i}" for i in range(n)]
        self.pems = [keys.public_pem(k) for k in self.keys]
        self.by_path = {f"/users/a{i}": i for i in range(n)}
        self.fetches = 0
        self.servers: list[Any] = []

    def document(self, i: int) -> dict[str, Any]:
        uri = self.uris[i]
        base = uri.rsplit("/users/", 1)[0]
        return {
            "@context": CONTEXT,
            "id": uri,
            "type": "Person",
            "preferredUsername": f"a{i}",
            "inbox": f"{uri}/inbox",
            "outbox": f"{uri}/outbox",
            "followers": f"{uri}/followers",
            "endpoints": {"sharedInbox": f"{base}/inbox"},
            "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": self.pems[i]},
        }

    async def handle(self, req: loopback.Request) -> tuple[int, str, bytes]:
        i = self.by_path.get(req.path.split("#")[0])
        if req.method == "GET" and i is not None:
            self.fetches += 1
            return 200, "application/activity+json", json.dumps(self.document(i)).encode()
        return (202 if req.method == "POST" else 404), "text/plain", b""

    async def start(self) -> None:
        self.servers = await loopback.serve(self.handle, [("127.0.0.1", p) for p in self.ports])

    async def stop(self) -> None:
        await loopback.close(self.servers)


def activities(actors: Actors, n: int, contents: list[str], tag: str) -> list[tuple[int, bytes]]:
    out = []
    for k in range(n):
        i = k % len(actors.uris)
        uri = actors.uris[i]
        note = f"{uri}/statuses/{tag}-{k}"
        doc = {
            "@context": CONTEXT,
            "id": f"{note}/activity",
            "type": "Create",
            "actor": uri,
            "published": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "to": [AS_PUBLIC],
            "cc": [f"{uri}/followers"],
            "object": {
                "id": note,
                "type": "Note",
                "attributedTo": uri,
                "content": contents[k % len(contents)],
                "published": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "to": [AS_PUBLIC],
                "cc": [f"{uri}/followers"],
                "url": note,
            },
        }
        out.append((i, json.dumps(doc).encode()))
    return out


def sign_all(
    actors: Actors, inbox: str, bodies: list[tuple[int, bytes]]
) -> list[tuple[dict[str, str], bytes]]:
    """Sign every POST before the clock starts: the client should not compete for the CPU."""
    signed = []
    for i, body in bodies:
        headers = {"Content-Type": "application/activity+json"}
        headers |= signatures.sign_cavage(
            "POST", inbox, headers, body, f"{actors.uris[i]}#main-key", actors.keys[i]
        )
        signed.append((headers, body))
    return signed


async def blast(
    inbox: str, requests: list[tuple[dict[str, str], bytes]], concurrency: int
) -> dict[str, Any]:
    """POST everything with at most `concurrency` in flight; latencies of the 2xx answers."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    queue = iter(requests)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def lane() -> None:
            for headers, body in queue:
                t = time.perf_counter()
                try:
                    response = await client.post(inbox, content=body, headers=headers)
                except httpx.HTTPError as exc:
                    errors.append(repr(exc))
                    continue
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if 200 <= response.status_code < 300:
                    latencies.append(time.perf_counter() - t)
                elif len(errors) < 5:
                    errors.append(f"{response.status_code} {response.text[:300]}")

        start = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "start": start,
        "elapsed": elapsed,
        "latencies": latencies,
        "statuses": statuses,
        "errors": errors,
    }


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


async def setup_follows(node: BenchNode, actors: Actors, username: str) -> None:
    """The node's user follows every simulated actor; the actors' keys are already known."""
    from fedihub import models

    async with node.orm():
        me = await models.Actor.get(username=username, domain=None)
        now = datetime.now(UTC)
        rows = []
        for i, uri in enumerate(actors.uris):
            doc = actors.document(i)
            rows.append(
                models.Actor(
                    uri=uri,
                    username=f"a{i}",
                    domain=uri.split("/")[2],
                    inbox=doc["inbox"],
                    shared_inbox=doc["endpoints"]["sharedInbox"],
                    followers_url=doc["followers"],
                    public_key_id=doc["publicKey"]["id"],
                    public_key_pem=actors.pems[i],
                    fetched_at=now,
                )
            )
        await models.Actor.bulk_create(rows)
        await models.Follow.bulk_create(
            [
                models.Follow(follower_id=me.id, target_id=a.id, state=models.FollowState.ACCEPTED)
                for a in rows
            ]
        )


async def workers_ready(node: BenchNode, timeout: float = 60.0) -> None:
    """Return once every worker has said it runs (its first line in worker.log)."""
    start = time.monotonic()
    while (node.root / "worker.log").read_text().count("running with concurrency") < node.workers:
        if time.monotonic() - start > timeout:
            raise RuntimeError("the workers did not start")
        await asyncio.sleep(0.01)


async def run_fedihub(
    args: Any,
    actors: Actors,
    contents: list[str],
    workdir: Path,
    *,
    workers: int | None = None,
    bodies: list[tuple[int, bytes]] | None = None,
    queue_first: bool = False,
) -> dict[str, Any]:
    """Blast the activities at a fresh node and wait until they are processed. `queue_first`:
    the workers start only once every activity is accepted, so the clock and the CPU measure
    them alone draining the queue (and the database's CPU is read too)."""
    node = BenchNode(
        workdir / "node",
        database=args.database,
        web_processes=args.web_processes,
        workers=args.workers if workers is None else workers,
        concurrency=args.worker_concurrency,
    )
    await node.prepare()
    try:
        node.create_user("reader")
        await setup_follows(node, actors, "reader")
        if queue_first:
            node.start_serve()
            await node.wait_healthy()
        else:
            await node.start()
        inbox = f"{node.base}/inbox"
        bodies = bodies or activities(actors, args.activities, contents, "f")
        requests = sign_all(actors, inbox, bodies)  # signed for this node's inbox URL
        cpu = node.cpu_seconds()
        result = await blast(inbox, requests, args.concurrency)
        if queue_first:
            result["accept_cpu"] = node.cpu_seconds() - cpu
            node.start_workers()
            await workers_ready(node)
            result["start"] = time.perf_counter()
            cpu = node.cpu_seconds()
            db_cpu = await postgres_cpu(node)
        # first pass: every job has run once; failed ones wait out their retry's back-off
        while await node.jobs_left("inbox", due=True):
            await asyncio.sleep(0.05)
        result["first_pass"] = time.perf_counter() - result["start"]
        result["first_pass_done"] = len(bodies) - await node.jobs_left("inbox")
        while await node.jobs_left("inbox"):
            await asyncio.sleep(0.05)
        result["processed"] = time.perf_counter() - result["start"]
        result["cpu"] = node.cpu_seconds() - cpu
        if queue_first:
            after = await postgres_cpu(node)
            result["db_cpu"] = sum(used - db_cpu.get(pid, 0.0) for pid, used in after.items())
        async with node.orm():
            from fedihub import models

            result["stored"] = await models.Status.filter(local=False).count()
            result["dead"] = await models.Job.filter(kind="inbox", state="dead").count()
            result["retried"] = await models.Job.filter(kind="inbox", attempts__gt=1).count()
        result["processes"] = node.processes()
        return result
    finally:
        node.stop()
        await node.drop()


async def run_bovine(
    args: Any, actors: Actors, contents: list[str], workdir: Path
) -> dict[str, Any] | None:
    from tests.peers.bovine import BovinePeer

    peer = BovinePeer(workdir / "bovine", handles=("alice",))
    try:
        await peer.start(free_port())
    except Exception as exc:  # no bovine venv (pip unavailable): measure fedihub alone
        print(f"bovine-herd could not start: {exc}")
        return None
    try:
        inbox = (await peer.actor_document())["inbox"]
        # warm-up, not timed: one activity per actor, so bovine has fetched every key (fedihub
        # knows them from the set-up), and both are compared in the steady state
        await blast(
            inbox, sign_all(actors, inbox, activities(actors, len(actors.uris), contents, "w")), 4
        )
        requests = sign_all(actors, inbox, activities(actors, args.activities, contents, "b"))
        fetches = actors.fetches
        assert peer._server is not None
        pid = peer._server.pid
        cpu = cpu_seconds(pid)
        result = await blast(inbox, requests, args.concurrency)
        result["key_fetches"] = actors.fetches - fetches
        # bovine goes on processing in background tasks after its 202: wait until it is idle
        while True:
            used = cpu_seconds(pid)
            await asyncio.sleep(1.0)
            if cpu_seconds(pid) - used < 0.05:
                break
        result["cpu"] = cpu_seconds(pid) - cpu
        return result
    finally:
        await peer.stop()


def sanitiser_cpu(contents: list[str], n: int) -> tuple[float, float]:
    """CPU seconds to sanitise the run's n contents with fedihub's sanitiser and with bleach
    (CPU time, not wall time: other work on the machine does not inflate it)."""
    docs = [contents[k % len(contents)] for k in range(n)]
    clean_bleach = bleach_cleaner()
    times = []
    for fn in (html.sanitize, clean_bleach):
        t = time.process_time()
        for d in docs:
            fn(d)
        times.append(time.process_time() - t)
    return times[0], times[1]


def report(
    out: str | None, name: str, r: dict[str, Any], database: str, processes: int, n: int
) -> None:
    def put(figure: str, value: float, unit: str) -> None:
        record(out, "inbox", f"{name} {figure}", value, unit, database, processes)

    accepted = len(r["latencies"])
    put("accepted", accepted / r["elapsed"], "activities/s")
    put("202 latency p50", pct(r["latencies"], 0.5), "ms")
    put("202 latency p99", pct(r["latencies"], 0.99), "ms")
    if "processed" in r:
        put("processed", n / r["processed"], "activities/s")
        put("processed, first attempts", r["first_pass_done"] / r["first_pass"], "activities/s")
        put("inbox jobs retried", r["retried"], "jobs")
    put("server CPU per activity (receive + process)", 1000 * r["cpu"] / n, "ms")
    print(f"  {name}: answers {r['statuses']}, {accepted}/{n} accepted; errors: {r['errors'][:3]}")


async def compare_workers(args: Any, actors: Actors, contents: list[str], workdir: Path) -> None:
    """The same activities on a fresh node per worker count, accepted first and then drained by
    the workers alone: processed/s, CPU per activity and the scaling factor."""
    counts = [int(c) for c in args.compare_workers.split(",")]
    bodies = activities(actors, args.activities, contents, "f")
    rates = {}
    n = args.activities
    for count in counts:
        print(f"-- {count} worker(s), started once all {n} activities are queued")
        r = await run_fedihub(
            args,
            actors,
            contents,
            workdir / f"workers-{count}",
            workers=count,
            bodies=bodies,
            queue_first=True,
        )

        def put(figure: str, value: float, unit: str, r: dict[str, Any] = r) -> None:
            workers = r["processes"] - args.web_processes
            record(
                args.results,
                "inbox",
                f"{workers} worker(s) {figure}",
                value,
                unit,
                args.database,
                r["processes"],
            )

        # retries wait 16-76 s (queue.backoff_ms): the first pass is what the workers can do
        rates[count] = r["first_pass_done"] / r["first_pass"]
        put("accepted (web alone)", len(r["latencies"]) / r["elapsed"], "activities/s")
        put("processed, first attempts", rates[count], "activities/s")
        put("processed, retries included", n / r["processed"], "activities/s")
        put("inbox jobs retried", r["retried"], "jobs")
        put("worker CPU per activity", 1000 * r["cpu"] / n, "ms")
        put("PostgreSQL CPU per activity", 1000 * r["db_cpu"] / n, "ms")
        put("web CPU per activity (accepting)", 1000 * r["accept_cpu"] / n, "ms")
        print(f"  answers {r['statuses']}; stored {r['stored']} notes, {r['dead']} dead inbox jobs")
    first, last = counts[0], counts[-1]
    record(
        args.results,
        "inbox",
        f"processed/s (first attempts), {last} workers / {first}",
        rates[last] / rates[first],
        "x",
        args.database,
        args.web_processes + last,
    )


async def amain(args: Any) -> None:
    print_machine()
    if args.compare_workers and args.database != "postgres":
        raise SystemExit("--compare-workers needs --database postgres (SQLite runs jobs in serve)")
    contents = corpus(1000)
    actors = Actors(args.actors, args.hosts)
    await actors.start()
    label = f"{args.database}, {args.web_processes} web process(es)"
    if args.database == "postgres":
        workers = args.compare_workers or args.workers
        label += f", {workers} worker(s) x {args.worker_concurrency or 'default'}"
    print(
        f"{args.activities} Create(Note) from {args.actors} actors on {args.hosts} hosts, "
        f"client concurrency {args.concurrency}; fedihub on {label}"
    )
    try:
        with tempfile.TemporaryDirectory(prefix="bench-inbox-") as tmp:
            if args.compare_workers:
                await compare_workers(args, actors, contents, Path(tmp))
                return
            r = await run_fedihub(args, actors, contents, Path(tmp))
            report(args.results, "fedihub", r, args.database, r["processes"], args.activities)
            print(f"  fedihub stored {r['stored']} notes, {r['dead']} dead inbox jobs")
            nh3_s, bleach_s = sanitiser_cpu(contents, args.activities)
            # shares of the node's CPU time for receiving and processing these activities
            record(
                args.results,
                "inbox",
                "sanitiser share of node CPU (nh3)",
                100 * nh3_s / r["cpu"],
                "%",
                args.database,
                r["processes"],
            )
            record(
                args.results,
                "inbox",
                "bleach's share of node CPU, were it used",
                100 * bleach_s / (r["cpu"] - nh3_s + bleach_s),
                "%",
                args.database,
                r["processes"],
            )
            if args.no_peer:
                return
            b = await run_bovine(args, actors, contents, Path(tmp))
            if b is None:
                return
            report(args.results, "bovine-herd", b, "sqlite", 1, args.activities)
            print(f"  bovine-herd fetched our actors' documents {b['key_fetches']} times")
            record(
                args.results,
                "inbox",
                "bovine-herd / fedihub CPU per activity",
                b["cpu"] / r["cpu"],
                "x",
                args.database,
                r["processes"],
            )
            ratio = (len(r["latencies"]) / r["elapsed"]) / max(
                len(b["latencies"]) / b["elapsed"], 1e-9
            )
            record(
                args.results,
                "inbox",
                "fedihub / bovine-herd accepted/s",
                ratio,
                "x",
                args.database,
                r["processes"],
            )
            p99 = pct(b["latencies"], 0.99) / pct(r["latencies"], 0.99)
            record(
                args.results,
                "inbox",
                "bovine-herd / fedihub 202 p99",
                p99,
                "x",
                args.database,
                r["processes"],
            )
            if r["latencies"]:
                ours = statistics.median(r["latencies"]) * 1000
                theirs = statistics.median(b["latencies"] or [0]) * 1000
                print(f"  median 202 latency ms: fedihub {ours:.1f}, bovine-herd {theirs:.1f}")
    finally:
        await actors.stop()


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--activities", type=int, default=3000)
    p.add_argument("--actors", type=int, default=200)
    p.add_argument("--hosts", type=int, default=20)
    p.add_argument("--concurrency", type=int, default=32, help="POSTs in flight at the client")
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--web-processes", type=int, default=1, help="serve --workers N (PostgreSQL)")
    p.add_argument("--workers", type=int, default=1, help="fedihub worker processes (PostgreSQL)")
    p.add_argument("--worker-concurrency", type=int, default=None, help="jobs at once per worker")
    p.add_argument("--no-peer", action="store_true", help="skip bovine-herd")
    p.add_argument(
        "--compare-workers",
        metavar="1,2",
        help="worker counts to run in turn on the same activities (PostgreSQL)",
    )
    asyncio.run(amain(p.parse_args(argv)))


if __name__ == "__main__":
    main()
