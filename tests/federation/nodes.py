"""Real fedihub nodes for federation tests: each `fedihub serve` in its own process, on its own
loopback port, with its own data directory and database, driven over HTTP like any peer or client.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

FEDIHUB = str(Path(sys.executable).with_name("fedihub"))
T = TypeVar("T")
PASSWORD = "correct horse battery staple 2024"


async def answers_health(base: str) -> bool:
    """True when the node at `base` serves /healthz."""
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(f"{base}/healthz")).status_code == 200
    except httpx.HTTPError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def eventually(
    check: Callable[[], Awaitable[T | None]], *, timeout: float = 20.0, what: str = "condition"
) -> T:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.1)


@dataclass
class Account:
    node: Node
    username: str
    token: str
    id: str = ""

    @property
    def handle(self) -> str:
        return f"{self.username}@{self.node.domain}"

    @property
    def uri(self) -> str:
        return f"{self.node.base}/users/{self.username}"

    async def api(self, method: str, path: str, *, expect: int | None = 200, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(base_url=self.node.base, timeout=30) as client:
            response = await client.request(method, path, headers=headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {path}: {response.status_code} {response.text}"
            )
        return response.json() if response.content else None

    async def post(self, text: str, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self.api(
            "POST", "/api/v1/statuses", json={"status": text, **fields}
        )
        return result

    async def lookup(self, handle: str) -> dict[str, Any]:
        """Resolve a (possibly remote) account through search with resolve=true, as apps do."""
        found = await self.api(
            "GET", "/api/v2/search", params={"q": handle, "resolve": "true", "type": "accounts"}
        )
        assert found["accounts"], f"{handle} not found from {self.node.domain}"
        account: dict[str, Any] = found["accounts"][0]
        return account


@dataclass
class Node:
    root: Path
    port: int
    database_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base(self) -> str:
        return f"http://{self.domain}"

    def _env(self) -> dict[str, str]:
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
        env.update(self.env)
        return env

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [FEDIHUB, *args],
            env=self._env(),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise AssertionError(f"fedihub {' '.join(args)} failed: {result.stderr}{result.stdout}")
        return result.stdout

    async def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not (self.root / "data" / "fedihub.toml").exists():
            self.cli("init", "--domain", self.domain)
        log = open(self.root / "serve.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [FEDIHUB, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self._env(),
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if self.database_url:
            # on PostgreSQL background work runs in its own process, as in production
            self.start_worker()

        async def up() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(
                    f"node {self.domain} exited: {(self.root / 'serve.log').read_text()[-3000:]}"
                )
            return await answers_health(self.base)

        await eventually(up, timeout=30, what=f"node {self.domain} to start")

    def start_worker(self) -> None:
        log = open(self.root / "worker.log", "ab")  # noqa: SIM115 - closed with the process
        self.worker = subprocess.Popen(
            [FEDIHUB, "worker"],
            env=self._env(),
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def stop(self, *, kill: bool = False) -> None:
        for process in (self.process, self.worker):
            if process is None:
                continue
            if kill:
                process.kill()
            else:
                process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.process = None
        self.worker = None

    async def account(
        self,
        username: str,
        *,
        locked: bool = False,
        admin: bool = False,
        scopes: str = "read write follow push",
    ) -> Account:
        """A new user on this node with a token of `scopes` (an admin with `admin`)."""
        password = PASSWORD
        self.cli(
            "user",
            "create",
            username,
            "--email",
            f"{username}@example.org",
            "--password",
            password,
            *(["--admin"] if admin else []),
        )
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as client:
            app = (
                await client.post(
                    "/api/v1/apps",
                    data={
                        "client_name": "federation tests",
                        "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                        "scopes": scopes,
                    },
                )
            ).json()
            token = (
                await client.post(
                    "/oauth/token",
                    data={
                        "grant_type": "password",
                        "username": username,
                        "password": password,
                        "client_id": app["client_id"],
                        "client_secret": app["client_secret"],
                        "scope": scopes,
                    },
                )
            ).json()["access_token"]
        account = Account(node=self, username=username, token=token)
        me = await account.api("GET", "/api/v1/accounts/verify_credentials")
        account.id = me["id"]
        if locked:
            await account.api(
                "PATCH", "/api/v1/accounts/update_credentials", data={"locked": "true"}
            )
        return account
