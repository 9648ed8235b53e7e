"""Publishing a knowledge post costs no more than a status: a local user with N remote followers
on H hosts posts a status, then publishes an article (a PDF attached, a few kB of Markdown with
math), after a warm-up status (the first post to a host makes its Host row: that cost is not the
article's or the status's), in two rounds, status first then article first; for each, the time
the API took to answer, the seconds until every host had it, node CPU per delivery, hosts reached
and duplicates, printed side by side.

    python -m benchmarks.bench_article_fanout [--results FILE] [--followers 1000] [--hosts 100]
        [--database sqlite|postgres] [--workers W] [--worker-concurrency C]

The hosts are bench_fanout's: one child process on 127.0.1.1, 127.0.1.2, ... answering 202.
Target: the article's delivery time and CPU per delivery within 1.2x the status's (its body is
larger and its document is built from Markdown once per post, never per delivery).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_fanout import _receivers, setup_followers, stats
from benchmarks.common import parser, print_machine, record
from benchmarks.node import BenchNode, free_port

TARGET_RATIO = 1.2
PDF = b"%PDF-1.7\n" + b"1 0 obj <<>> endobj\n" * 2000 + b"trailer <<>>\n%%EOF\n"
BODY = (
    "# Method\n\nWe measured $E = mc^2$ and\n\n$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$\n\n"
    + "| sample | value |\n|---|---|\n"
    + "".join(f"| s{i} | {i * 0.37:.2f} |\n" for i in range(40))
    + "\n"
    + "A paragraph of findings that goes on for a while. " * 60
)


async def _post_status(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/api/v1/statuses",
        headers={"Authorization": f"Bearer {token}"},
        json={"status": "fan-out benchmark: a status", "visibility": "public"},
    )


async def _upload(client: httpx.AsyncClient, token: str) -> str:
    """The PDF the article carries, uploaded before the clock starts (a status has no upload)."""
    auth = {"Authorization": f"Bearer {token}"}
    media = await client.post(
        "/api/v2/media", headers=auth, files={"file": ("paper.pdf", PDF, "application/pdf")}
    )
    media.raise_for_status()
    return str(media.json()["id"])


async def _post_article(client: httpx.AsyncClient, token: str, media_id: str) -> httpx.Response:
    auth = {"Authorization": f"Bearer {token}"}
    return await client.post(
        "/api/fedihub/v1/articles",
        headers=auth,
        json={
            "title": "Fan-out benchmark: an article",
            "summary": "What publishing to a thousand followers costs.",
            "body": BODY,
            "tags": ["benchmark", "physics"],
            "license": "CC-BY-4.0",
            "media_ids": [media_id],
        },
    )


async def _measure(
    node: BenchNode, token: str, control: int, hosts: int, kind: str, timeout: float
) -> dict[str, float]:
    async with httpx.AsyncClient(timeout=30) as client:
        await client.get(f"http://127.0.0.1:{control}/reset")
    async with httpx.AsyncClient(base_url=node.base, timeout=120) as client:
        media_id = await _upload(client, token) if kind == "article" else ""
        cpu = node.cpu_seconds()
        t0 = time.time()
        if kind == "article":
            response = await _post_article(client, token, media_id)
        else:
            response = await _post_status(client, token)
        answered = time.time() - t0
    if response.status_code != 200:
        raise RuntimeError(f"posting the {kind} failed: {response.status_code} {response.text}")
    deadline = time.time() + timeout
    while True:
        s = await stats(control)
        if s["hosts"] >= hosts or time.time() > deadline:
            break
        await asyncio.sleep(0.05)
    first = sorted(s["first"].values())
    all_in = (first[-1] - t0) if first else float("nan")
    while await node.jobs_left("deliver") and time.time() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # stragglers, before counting copies
    s = await stats(control)
    copies = [n for per_host in s["copies"].values() for n in per_host.values()]
    return {
        "API answered (ms)": answered * 1000,
        "seconds until every host had it": all_in,
        "node CPU per delivery (ms)": 1000 * (node.cpu_seconds() - cpu) / max(s["hosts"], 1),
        "hosts reached": float(s["hosts"]),
        "duplicate copies": float(sum(n - 1 for n in copies if n > 1)),
    }


async def amain(args: Any) -> None:
    print_machine()
    port, control = free_port(), free_port()
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    child = ctx.Process(target=_receivers, args=(args.hosts, port, control, ready), daemon=True)
    child.start()
    if not ready.wait(60):
        raise RuntimeError("receivers did not start")
    try:
        with tempfile.TemporaryDirectory(prefix="bench-article-fanout-") as tmp:
            node = BenchNode(
                Path(tmp) / "node",
                database=args.database,
                workers=args.workers,
                concurrency=args.worker_concurrency,
            )
            await node.prepare()
            try:
                node.create_user("prof")
                await setup_followers(node, "prof", args.followers, args.hosts, port)
                await node.start()
                token = await node.token("prof")
                print(
                    f"{args.followers} followers on {args.hosts} hosts; {args.database}, "
                    f"{node.workers} worker process(es)"
                )
                await _measure(node, token, control, args.hosts, "status", args.timeout)
                rounds = (("1st", ("status", "article")), ("2nd", ("article", "status")))
                for label, order in rounds:
                    got = {
                        kind: await _measure(node, token, control, args.hosts, kind, args.timeout)
                        for kind in order
                    }
                    _report(args, node, label, got["status"], got["article"])
            finally:
                node.stop()
                await node.drop()
    finally:
        child.kill()
        child.join()


def _report(
    args: Any, node: BenchNode, label: str, status: dict[str, float], article: dict[str, float]
) -> None:
    print(f"\n  {label} round{'':<33} {'status':>12} {'article':>12} {'ratio':>7}")
    for figure, value in status.items():
        other = article[figure]
        ratio = other / value if value else float("nan")
        print(f"  {figure:<38} {value:>12,.2f} {other:>12,.2f} {ratio:>7.2f}")
    print()
    processes = node.processes()
    for kind, figures in (("status", status), ("article", article)):
        for figure, value in figures.items():
            name = f"{label} {kind}: {figure}"
            record(args.results, "article_fanout", name, value, "", args.database, processes)
    for figure in ("seconds until every host had it", "node CPU per delivery (ms)"):
        ratio = article[figure] / status[figure] if status[figure] else float("nan")
        within = "within" if ratio <= TARGET_RATIO else "OVER"
        name = f"{label}: article/status, {figure}"
        record(
            args.results,
            "article_fanout",
            name,
            ratio,
            f"x ({within} {TARGET_RATIO})",
            args.database,
            processes,
        )


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--followers", type=int, default=1_000)
    p.add_argument("--hosts", type=int, default=100)
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--workers", type=int, default=1, help="fedihub worker processes (PostgreSQL)")
    p.add_argument("--worker-concurrency", type=int, default=None, help="jobs at once per worker")
    p.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds")
    asyncio.run(amain(p.parse_args(argv)))


if __name__ == "__main__":
    main()
