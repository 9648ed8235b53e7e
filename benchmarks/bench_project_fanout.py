"""Project fan-out: a member posts to a public project of M members on H other nodes; seconds
until every node has the project's Announce of the post (FEP-1b12 redistribution), and duplicates
(each node must get one copy of each activity: the Announce of the Create, and the boost).

    python -m benchmarks.bench_project_fanout [--results FILE] [--members 1000] [--hosts 100]
        [--database sqlite|postgres] [--workers W] [--worker-concurrency C]

The nodes are bench_fanout's simulated hosts and its set-up (receivers, remote actors following
a local actor, waiting for the hosts, counting copies); here the followers are the project's
Group's, and each also gets a membership row, inserted while the node is stopped. The POST
answers once the post and its redistribution job are stored; the job (run by the node's worker)
loads the project's audience and enqueues one delivery per node. Target (issue 14): 1,000
members on 100 nodes within the fan-out target of statuses, 3 s.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_fanout import (
    TARGET_S,
    duplicates_in,
    insert_followers,
    receivers,
    reset,
    settled_copies,
    wait_for_hosts,
)
from benchmarks.common import parser, print_machine, record
from benchmarks.node import BenchNode


async def setup_members(node: BenchNode, handle: str, members: int, hosts: int, port: int) -> None:
    """bench_fanout's followers, of the project's Group, made members of the project."""
    from fedihub import models

    async with node.orm():
        project = await models.Project.get(actor__username=handle, actor__domain=None)
        actors = await insert_followers(project.actor_id, members, hosts, port, prefix="m")
        await models.ProjectMember.bulk_create(
            [models.ProjectMember(project_id=project.id, actor_id=a.id) for a in actors],
            batch_size=1000,
        )


async def amain(args: Any) -> None:
    print_machine()
    with (
        receivers(args.hosts) as (port, control),
        tempfile.TemporaryDirectory(prefix="bench-project-fanout-") as tmp,
    ):
        node = BenchNode(
            Path(tmp) / "node",
            database=args.database,
            workers=args.workers,
            concurrency=args.worker_concurrency,
        )
        await node.prepare()
        try:
            node.create_user("prof")
            await node.start()
            token = await node.token("prof")
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(base_url=node.base, timeout=120) as client:
                made = await client.post(
                    "/api/fedihub/v1/projects",
                    headers=headers,
                    json={"handle": "bench", "name": "Bench"},
                )
            project = made.json()
            node.stop()
            await setup_members(node, "bench", args.members, args.hosts, port)
            await node.start()
            print(
                f"{args.members} members on {args.hosts} nodes; {args.database}, "
                f"{node.workers} worker process(es)"
            )
            for label in ("1st post", "2nd post"):
                await run_once(args, node, headers, project["id"], control, label)
                await reset(control)
        finally:
            node.stop()
            await node.drop()


async def run_once(
    args: Any, node: BenchNode, headers: dict[str, str], project_id: str, control: int, label: str
) -> None:
    processes = node.processes()

    def put(figure: str, value: float, unit: str) -> None:
        record(
            args.results,
            "project_fanout",
            f"{label}: {figure}",
            value,
            unit,
            args.database,
            processes,
        )

    cpu = node.cpu_seconds()
    t0 = time.time()
    async with httpx.AsyncClient(base_url=node.base, timeout=120) as client:
        response = await client.post(
            f"/api/fedihub/v1/projects/{project_id}/statuses",
            headers=headers,
            json={"status": "project fan-out benchmark"},
        )
    if response.status_code != 200:
        raise RuntimeError(f"posting failed: {response.status_code} {response.text}")
    put("POST .../projects/:id/statuses answered", (time.time() - t0) * 1000, "ms")
    deadline = time.time() + args.timeout
    first = await wait_for_hosts(control, args.hosts, deadline)
    if first:
        all_in = first[-1] - t0
        put(f"seconds until {len(first)}/{args.hosts} nodes had it", all_in, "s")
        put("time over the 3 s target", all_in / TARGET_S, "x")
    s = await settled_copies(node, control, deadline)
    per_host = [len(per) for per in s["copies"].values()]
    put(
        "node CPU per node reached", 1000 * (node.cpu_seconds() - cpu) / max(len(per_host), 1), "ms"
    )
    put("duplicate copies", duplicates_in(s), "copies")
    put("activities per node", sum(per_host) / max(len(per_host), 1), "activities")
    print(f"  {label}: {s['hosts']}/{args.hosts} nodes reached")


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--members", type=int, default=1_000)
    p.add_argument("--hosts", type=int, default=100)
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--workers", type=int, default=1, help="fedihub worker processes (PostgreSQL)")
    p.add_argument("--worker-concurrency", type=int, default=None, help="jobs at once per worker")
    p.add_argument("--timeout", type=float, default=120.0, help="give up after this many seconds")
    asyncio.run(amain(p.parse_args(argv)))


if __name__ == "__main__":
    main()
