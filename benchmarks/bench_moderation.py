"""The moderation checks on hot paths, in memory (no database): the domain policy decision every
inbound request and every delivery makes against a snapshot of a large blocklist, and a viewer's
keyword filters matched against statuses as the timelines render them.

    python -m benchmarks.bench_moderation [--results FILE] [--blocks 10000] [--seconds 1.0]
"""

from __future__ import annotations

import random
import time
from types import SimpleNamespace
from typing import Any

from benchmarks.common import parser, print_machine, record
from fedihub.models import FilterAction, Severity
from fedihub.moderation import filters, policy


def _rate(fn: Any, seconds: float) -> float:
    done = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(1000):
            fn()
        done += 1000
    return done / elapsed


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--blocks", type=int, default=10_000)
    p.add_argument("--seconds", type=float, default=1.0)
    args = p.parse_args()
    print_machine()
    rng = random.Random(7)
    rules = {
        f"host{i}.example": policy.Rule(Severity.SUSPEND, False, False) for i in range(args.blocks)
    }
    snap = policy.Snapshot(rules=rules, allowed=frozenset(), allowlist=False)
    asked = [f"social.host{rng.randrange(args.blocks * 2)}.example" for _ in range(1000)]
    rt: Any = SimpleNamespace(urls=SimpleNamespace(domain="fedihub.test"))
    it = iter(range(10**12))

    def decide() -> None:
        policy._refused(rt, snap, asked[next(it) % 1000])

    record(
        args.results,
        "moderation",
        f"policy decisions/s ({args.blocks} blocks)",
        _rate(decide, args.seconds),
        "/s",
        "none",
        1,
    )

    keywords = [
        SimpleNamespace(id=i, keyword=word, whole_word=i % 2 == 0, parent_id=1)
        for i, word in enumerate(
            "spoiler election crypto giveaway football outrage nsfw politics rumour leak "
            "sale promo ad scam bot follow like boost thread drama".split()
        )
    ]
    row: Any = SimpleNamespace(id=1, action=FilterAction.WARN)
    compiled = filters.Compiled(row, keywords, frozenset({5}), filters._pattern(keywords))  # type: ignore[arg-type]
    words = "the lab posted new data about graphene and the seminar on open science today".split()
    texts = [
        filters.plain_text(f"<p>{' '.join(rng.choice(words) for _ in range(40))}</p>")
        for _ in range(1000)
    ]

    def match() -> None:
        n = next(it) % 1000
        filters.match(compiled, n, texts[n])

    record(
        args.results,
        "moderation",
        "filter matches/s (20 keywords, 40 words)",
        _rate(match, args.seconds),
        "/s",
        "none",
        1,
    )


if __name__ == "__main__":
    main()
