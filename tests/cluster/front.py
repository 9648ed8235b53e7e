"""HAProxy (Debian's package) in the root namespace as the one front address of a cluster: HTTP
spread round-robin over the hosts' web processes with health checks, and plain TCP forwarders that
let the hosts reach PostgreSQL and Redis, which listen on the root namespace's loopback only.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


def unavailable() -> str | None:
    if shutil.which("haproxy") is None:
        return (
            "haproxy is not installed "
            "(Debian: apt-get install haproxy; `make test` installs it as root)"
        )
    return None


@dataclass
class Front:
    root: Path
    address: str  # the bridge address, where hosts and clients reach it
    http_port: int
    backends: list[tuple[str, str]]  # (name, "address:port") of each host's web process
    forwards: dict[str, tuple[int, str]]  # name -> (port on `address`, "127.0.0.1:port" target)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{self.address}:{self.http_port}"

    def config(self) -> str:
        servers = "\n".join(f"    server {name} {target} check" for name, target in self.backends)
        tcp = "\n".join(
            f"listen {name}\n    mode tcp\n    bind {self.address}:{port}\n"
            f"    timeout client 1h\n    timeout server 1h\n    server {name} {target}\n"
            for name, (port, target) in self.forwards.items()
        )
        return f"""global
    maxconn 4096

defaults
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # streaming (WebSocket, server-sent events) holds its connection open
    timeout tunnel 1h
    # a connection refused by a dead host is tried again on another one
    retries 3
    option redispatch

frontend web
    mode http
    bind {self.address}:{self.http_port}
    option forwardfor
    default_backend fedihub

backend fedihub
    mode http
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 300ms fall 2 rise 2
{servers}

{tcp}"""

    def start(self) -> None:
        path = self.root / "haproxy.cfg"
        path.write_text(self.config())
        check = subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        log = open(self.root / "haproxy.log", "ab")  # noqa: SIM115 - closed with the process
        # -db: stay in the foreground, so the test owns the process
        self.process = subprocess.Popen(
            ["haproxy", "-db", "-f", str(path)], stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(self.base + "/", timeout=1)
                return
            except httpx.HTTPError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"haproxy did not start: {(self.root / 'haproxy.log').read_text()}"
                    ) from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
