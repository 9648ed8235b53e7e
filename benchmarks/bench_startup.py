"""Start-up and idle memory: seconds from starting `fedihub serve` to the first 200 on /healthz,
and idle RSS (VmRSS) of `fedihub serve` and `fedihub worker` after a few idle seconds.
Targets: start-up <= 2 s; RSS of serve + worker <= 150 MB.

    python -m benchmarks.bench_startup [--results FILE] [--database sqlite|postgres] [--runs 3]
        [--idle 5]

On SQLite the one serve process also runs the jobs (there is no worker), so its RSS is the total.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import parser, print_machine, record
from benchmarks.node import BenchNode, cpu_seconds, tree_rss_mb

TARGET_START_S = 2.0
TARGET_RSS_MB = 150.0


async def amain(args: Any) -> None:
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        node = BenchNode(Path(tmp) / "node", database=args.database, workers=1)
        await node.prepare()

        def put(figure: str, value: float, unit: str) -> None:
            record(args.results, "startup", figure, value, unit, args.database, node.processes())

        try:
            node.create_user("someone")
            starts, cpu = [], []
            for _ in range(args.runs):
                t = time.monotonic()
                serve = node.start_serve()
                await node.wait_healthy()
                starts.append(time.monotonic() - t)
                cpu.append(cpu_seconds(serve.pid))
                node.stop()
            put("serve start to first /healthz 200 (median)", statistics.median(starts), "s")
            # CPU time is what a busy machine does not inflate: the start-up's own cost
            put("serve start-up CPU time (median)", statistics.median(cpu), "s")
            put("serve start to first /healthz 200 (worst)", max(starts), "s")
            await node.start()  # serve, and the worker on PostgreSQL
            await asyncio.sleep(args.idle)
            assert node.serve is not None
            serve_mb = tree_rss_mb(node.serve.pid)
            worker_mb = sum(tree_rss_mb(w.pid) for w in node.worker_procs)
            put("serve idle RSS", serve_mb, "MB")
            if node.worker_procs:
                put("worker idle RSS", worker_mb, "MB")
            put("serve + worker idle RSS", serve_mb + worker_mb, "MB")
            ok_start = max(starts) <= TARGET_START_S
            ok_rss = serve_mb + worker_mb <= TARGET_RSS_MB
            print(
                f"  start-up {'meets' if ok_start else 'misses'} "
                f"the {TARGET_START_S:.0f} s target; "
                f"RSS {'meets' if ok_rss else 'misses'} the {TARGET_RSS_MB:.0f} MB target"
            )
        finally:
            node.stop()
            await node.drop()


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--runs", type=int, default=3, help="cold starts to time")
    p.add_argument("--idle", type=float, default=5.0, help="seconds idle before reading RSS")
    asyncio.run(amain(p.parse_args(argv)))


if __name__ == "__main__":
    main()
