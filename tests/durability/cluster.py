"""A fedihub node as run in production on PostgreSQL: `fedihub serve --workers N` plus any number
of `fedihub worker` processes that the test starts, kills and stops; and direct SQL reads of its
database, so checks see exactly what the node stored.
"""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from tests.federation.nodes import FEDIHUB, Node, answers_health, eventually


class DatabaseReads:
    """Direct SQL reads of a node's PostgreSQL database, so checks see exactly what it stored."""

    database_url: str | None

    async def sql(self, query: str, *args: Any) -> list[asyncpg.Record]:
        assert self.database_url
        conn = await asyncpg.connect(self.database_url)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def value(self, query: str, *args: Any) -> Any:
        rows = await self.sql(query, *args)
        return rows[0][0] if rows else None


@dataclass
class Cluster(DatabaseReads, Node):
    web_processes: int = 2
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    async def start(self) -> None:
        """Initialise the node and start its web processes (no worker: tests add them)."""
        assert self.database_url, "a cluster needs PostgreSQL"
        self.root.mkdir(parents=True, exist_ok=True)
        if not (self.root / "data" / "fedihub.toml").exists():
            self.cli("init", "--domain", self.domain)
        log = open(self.root / "serve.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                FEDIHUB,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.web_processes),
            ],
            env=self._env(),
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        async def up() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(
                    f"node exited: {(self.root / 'serve.log').read_text()[-3000:]}"
                )
            return await answers_health(self.base)

        await eventually(up, timeout=60, what=f"node {self.domain} to start")

    def add_worker(self, concurrency: int = 4) -> subprocess.Popen[bytes]:
        log = open(self.root / f"worker{len(self.workers)}.log", "ab")  # noqa: SIM115
        worker = subprocess.Popen(
            [FEDIHUB, "worker", "--concurrency", str(concurrency)],
            env=self._env(),
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(worker)
        return worker

    def stop(self, *, kill: bool = False) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
        self.workers.clear()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    async def jobs_by_state(self, kind: str) -> dict[str, int]:
        rows = await self.sql(
            "SELECT state, count(*) FROM jobs WHERE kind = $1 GROUP BY state", kind
        )
        return {row[0]: row[1] for row in rows}
