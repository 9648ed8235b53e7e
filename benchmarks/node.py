"""A real fedihub node for benchmarks: `fedihub init`, bulk set-up in-process, `fedihub serve` and
`fedihub worker` as subprocesses on loopback, on SQLite or a throwaway PostgreSQL database.

    node = BenchNode(workdir, database="postgres", web_processes=1, workers=1, concurrency=16)
    await node.prepare()                    # init + (PostgreSQL) a fresh database
    node.cli("user", "create", "alice", ...)
    async with node.orm():                  # tortoise on the node's database, for bulk inserts
        ...
    await node.start()                      # serve (+ workers), returns when /healthz answers
    token = await node.token("alice")
    node.stop(); await node.drop()
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

FEDIHUB = str(Path(sys.executable).with_name("fedihub"))
PG_ADMIN_URL = os.environ.get(
    "FEDIHUB_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "correct horse battery staple 2024"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident set size of a process from /proc (MB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and its children (Hypercorn's --workers forks)."""
    total = rss_mb(pid)
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total += sum(tree_rss_mb(int(c)) for c in children)
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children (robust to a busy machine)."""
    total = 0.0
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            total += cpu_seconds(int(child))
    return total


async def postgres_cpu(node: BenchNode) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the node's database, by pid (the
    server runs on this machine): statements cost CPU there too, which the node's figure misses."""
    if not node.database_url:
        return {}
    import asyncpg

    conn = await asyncpg.connect(node.database_url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return {row["pid"]: cpu_seconds(row["pid"]) for row in rows}


class BenchNode:
    def __init__(
        self,
        workdir: Path,
        *,
        database: str = "sqlite",
        web_processes: int = 1,
        workers: int = 1,
        concurrency: int | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.root = Path(workdir)
        self.database = database
        self.web_processes = web_processes
        self.workers = workers if database == "postgres" else 0
        self.concurrency = concurrency
        self.port = free_port()
        self.database_url: str | None = None
        self.extra_env = env or {}
        self.serve: subprocess.Popen[bytes] | None = None
        self.worker_procs: list[subprocess.Popen[bytes]] = []

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base(self) -> str:
        return f"http://{self.domain}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FEDIHUB_")}
        env.update(
            FEDIHUB_SCHEME="http",
            FEDIHUB_DATA_DIR=str(self.root / "data"),
            FEDIHUB_KEYS_DIR=str(self.root / "keys"),
            FEDIHUB_ALLOW_PRIVATE_NETWORKS="true",
            FEDIHUB_LOG_LEVEL="WARNING",
        )
        if self.database_url:
            env["FEDIHUB_DATABASE_URL"] = self.database_url
        if self.concurrency and self.database == "sqlite":
            env["FEDIHUB_WORKER_CONCURRENCY"] = str(self.concurrency)
        env.update(self.extra_env)
        return env

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [FEDIHUB, *args],
            env=self.env(),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"fedihub {' '.join(args)} failed: {result.stderr}{result.stdout}")
        return result.stdout

    async def prepare(self) -> None:
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True)
        if self.database == "postgres":
            import asyncpg

            name = f"fedihub_bench_{uuid.uuid4().hex[:10]}"
            conn = await asyncpg.connect(PG_ADMIN_URL)
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()
            self.database_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        self.cli("init", "--domain", self.domain)

    def settings(self) -> Any:
        from fedihub import config

        return config.load(environ=self.env())

    @contextlib.asynccontextmanager
    async def orm(self) -> AsyncIterator[Any]:
        """The node's database through tortoise in this process (for set-up and queries)."""
        from fedihub import db

        settings = self.settings()
        await db.open_database(settings)
        try:
            yield settings
        finally:
            await db.close_database()

    def _log(self, name: str) -> Any:
        return open(self.root / name, "ab")  # noqa: SIM115 - closed with the process

    def start_serve(self) -> subprocess.Popen[bytes]:
        args = [FEDIHUB, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.web_processes > 1:
            args += ["--workers", str(self.web_processes)]
        self.serve = subprocess.Popen(
            args,
            env=self.env(),
            cwd=self.root,
            stdout=self._log("serve.log"),
            stderr=subprocess.STDOUT,
        )
        return self.serve

    def start_workers(self) -> None:
        for _ in range(self.workers):
            args = [FEDIHUB, "worker"]
            if self.concurrency:
                args += ["--concurrency", str(self.concurrency)]
            self.worker_procs.append(
                subprocess.Popen(
                    args,
                    env=self.env(),
                    cwd=self.root,
                    stdout=self._log("worker.log"),
                    stderr=subprocess.STDOUT,
                )
            )

    async def wait_healthy(self, timeout: float = 60.0) -> float:
        """Seconds until /healthz answers 200 (polled every 10 ms)."""
        start = time.monotonic()
        async with httpx.AsyncClient(timeout=2) as client:
            while True:
                if self.serve is not None and self.serve.poll() is not None:
                    raise RuntimeError(
                        f"serve exited: {(self.root / 'serve.log').read_text()[-3000:]}"
                    )
                try:
                    if (await client.get(f"{self.base}/healthz")).status_code == 200:
                        return time.monotonic() - start
                except httpx.HTTPError:
                    pass
                if time.monotonic() - start > timeout:
                    raise RuntimeError(f"node {self.domain} did not start")
                await asyncio.sleep(0.01)

    async def start(self) -> None:
        self.start_serve()
        self.start_workers()
        await self.wait_healthy()

    def stop(self) -> None:
        for process in [self.serve, *self.worker_procs]:
            if process is None or process.poll() is not None:
                continue
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.serve = None
        self.worker_procs = []

    async def drop(self) -> None:
        if self.database_url:
            import asyncpg

            conn = await asyncpg.connect(PG_ADMIN_URL)
            try:
                name = self.database_url.rsplit("/", 1)[1]
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

    def create_user(self, username: str) -> None:
        self.cli(
            "user", "create", username, "--email", f"{username}@example.org", "--password", PASSWORD
        )

    async def token(self, username: str) -> str:
        """A bearer token from the password grant, as Mastodon clients get one."""
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as client:
            app = (
                await client.post(
                    "/api/v1/apps",
                    data={
                        "client_name": "benchmarks",
                        "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                        "scopes": "read write follow",
                    },
                )
            ).json()
            response = await client.post(
                "/oauth/token",
                data={
                    "grant_type": "password",
                    "username": username,
                    "password": PASSWORD,
                    "client_id": app["client_id"],
                    "client_secret": app["client_secret"],
                    "scope": "read write follow",
                },
            )
            return str(response.json()["access_token"])

    async def jobs_left(self, kind: str, *, due: bool = False) -> int:
        """Jobs of `kind` not yet done or dead, read straight from the node's database; with
        `due`, only those running or due now (not those waiting out a retry's back-off)."""
        sql = "SELECT count(*) FROM jobs WHERE kind = {p} AND state IN ('pending', 'running')"
        if due:
            sql += f" AND (state = 'running' OR run_at <= {int(time.time() * 1000)})"
        if self.database_url:
            import asyncpg

            conn = await asyncpg.connect(self.database_url)
            try:
                return int(await conn.fetchval(sql.format(p="$1"), kind))
            finally:
                await conn.close()
        import sqlite3

        with contextlib.closing(sqlite3.connect(self.sqlite_path(), timeout=30)) as db:
            return int(db.execute(sql.format(p="?"), (kind,)).fetchone()[0])

    def sqlite_path(self) -> str:
        if not hasattr(self, "_sqlite_path"):
            self._sqlite_path = str(self.settings().database_url[len("sqlite://") :])
        return self._sqlite_path

    def cpu_seconds(self) -> float:
        """CPU seconds used so far by serve (with its forks) and the workers."""
        return sum(cpu_seconds(p.pid) for p in [self.serve, *self.worker_procs] if p is not None)

    def processes(self) -> int:
        return self.web_processes + self.workers
