"""Run every benchmark, on SQLite and PostgreSQL, with sizes that finish within about ten minutes
on a 2-core machine; each benchmark runs as its own process (a fresh ORM and event loop).

    python -m benchmarks.run_all [--results FILE] [--only NAME ...] [--no-postgres]

The sizes here are smaller than each script's defaults (which match the issues' targets:
3,000 inbox activities, 10,000 followers on 1,000 hosts, 1,000,000 statuses); run a script on
its own for those.
"""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks.common import parser, print_machine

RUNS: list[tuple[str, list[str], bool]] = [  # (module, arguments, needs PostgreSQL)
    ("bench_signatures", ["--seconds", "0.5"], False),
    ("bench_sanitize", ["--seconds", "1", "--statuses", "300"], False),
    ("bench_moderation", ["--seconds", "0.5"], False),
    ("bench_media", ["--runs", "3"], False),
    ("bench_polls", ["--database", "sqlite"], False),
    ("bench_polls", ["--database", "postgres"], True),
    ("bench_startup", ["--database", "sqlite", "--runs", "2"], False),
    ("bench_startup", ["--database", "postgres", "--runs", "2"], True),
    ("bench_inbox", ["--database", "sqlite", "--activities", "500"], False),
    (
        "bench_inbox",
        [
            "--database",
            "postgres",
            "--activities",
            "500",
            "--worker-concurrency",
            "16",
            "--no-peer",
        ],
        True,
    ),
    ("bench_fanout", ["--database", "sqlite", "--followers", "1000", "--hosts", "100"], False),
    (
        "bench_fanout",
        [
            "--database",
            "postgres",
            "--followers",
            "1000",
            "--hosts",
            "100",
            "--worker-concurrency",
            "16",
        ],
        True,
    ),
    (
        "bench_timelines",
        ["--database", "sqlite", "--statuses", "50000", "--requests", "100"],
        False,
    ),
    (
        "bench_timelines",
        ["--database", "postgres", "--statuses", "100000", "--requests", "100"],
        True,
    ),
    ("bench_notifications", ["--database", "sqlite", "--requests", "60"], False),
    ("bench_notifications", ["--database", "postgres", "--requests", "60"], True),
    ("bench_directory", ["--database", "sqlite", "--entries", "20000", "--queries", "100"], False),
    ("bench_directory", ["--database", "postgres", "--entries", "20000", "--queries", "100"], True),
    ("bench_pages", ["--database", "sqlite", "--statuses", "50000", "--requests", "100"], False),
    (
        "bench_inbox",
        [
            "--database",
            "postgres",
            "--activities",
            "500",
            "--worker-concurrency",
            "16",
            "--compare-workers",
            "1,2",
        ],
        True,
    ),
    ("bench_stream_fanout", ["--clients", "500", "--events", "200", "--rate", "5"], True),
    ("bench_knowledge", ["--database", "sqlite", "--posts", "100000"], False),
    ("bench_knowledge", ["--database", "postgres", "--posts", "100000"], True),
    (
        "bench_article_fanout",
        ["--database", "sqlite", "--followers", "1000", "--hosts", "100"],
        False,
    ),
    (
        "bench_article_fanout",
        [
            "--database",
            "postgres",
            "--followers",
            "1000",
            "--hosts",
            "100",
            "--worker-concurrency",
            "16",
        ],
        True,
    ),
]


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.add_argument("--only", nargs="*", help="run only these benchmarks (e.g. bench_inbox)")
    p.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL runs")
    args = p.parse_args(argv)
    print_machine()
    failed = []
    start = time.monotonic()
    for module, extra, postgres in RUNS:
        if (args.only and module not in args.only) or (postgres and args.no_postgres):
            continue
        command = [sys.executable, "-m", f"benchmarks.{module}", *extra]
        if args.results:
            command += ["--results", args.results]
        print(f"\n== {' '.join(command[2:])}", flush=True)
        t = time.monotonic()
        if subprocess.run(command).returncode != 0:
            failed.append(module)
        print(f"== {module} took {time.monotonic() - t:.0f} s", flush=True)
    print(f"\nall benchmarks took {time.monotonic() - start:.0f} s")
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
