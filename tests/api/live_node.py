"""A real fedihub node in a subprocess, for client libraries that speak HTTP (Mastodon.py).

`fedihub init` in a temporary folder (plain http on a free loopback port, SQLite), one user made
with `fedihub user create`, then `fedihub serve`; the node is ready when /healthz answers.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class LiveNode:
    base_url: str
    username: str
    email: str
    password: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fedihub", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"fedihub {args[0]} failed:\n{done.stdout}\n{done.stderr}"


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"fedihub serve exited with {process.returncode}:\n{log.read_text()}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        time.sleep(0.1)  # polling a starting server, not waiting for work
    raise AssertionError(
        f"fedihub serve did not become healthy in {START_TIMEOUT_S}s:\n{log.read_text()}"
    )


@contextlib.contextmanager
def live_node(
    workdir: Path,
    username: str = "ada",
    password: str = "correct horse battery",
    *,
    others: tuple[str, ...] = (),
) -> Iterator[LiveNode]:
    """A node serving on loopback with the user `username`, and `others` with the same password."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDIHUB_")}
    env.update(
        {
            "FEDIHUB_SCHEME": "http",
            "FEDIHUB_DATA_DIR": str(workdir / "data"),
            "FEDIHUB_KEYS_DIR": str(workdir / "keys"),
        }
    )
    email = f"{username}@uni.example"
    _run(["init", "--domain", f"127.0.0.1:{port}"], workdir, env)
    for name in (username, *others):
        address = f"{name}@uni.example"
        _run(["user", "create", name, "--email", address, "--password", password], workdir, env)
    log = workdir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "fedihub", "serve", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, process, log)
        yield LiveNode(base_url, username, email, password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
