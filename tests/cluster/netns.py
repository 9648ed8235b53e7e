"""Simulated machines on one Linux box: each host is a network namespace with its own address on
a bridge, as machines on one LAN. The root namespace is the LAN's gateway; it holds the shared
services (PostgreSQL, Redis), the front proxy and the remote peer, reachable at the bridge address.

Needs root and iproute2; `unavailable()` says why not, so tests can skip with the reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=20)


def unavailable() -> str | None:
    """Why namespaces cannot be made here, or None when they can."""
    if shutil.which("ip") is None:
        return "iproute2's `ip` is not installed"
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"fhprobe{os.getpid()}"
    made = _ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"`ip netns add` failed: {made.stderr.strip()}"
    _ip("netns", "del", probe, check=False)
    return None


@dataclass
class Host:
    network: Network
    name: str  # the namespace
    address: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(
        self, command: list[str], *, env: dict[str, str], cwd: str, log: str
    ) -> subprocess.Popen[bytes]:
        """Run `command` on this host (inside its namespace)."""
        out = open(log, "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            ["ip", "netns", "exec", self.name, *command],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def pids(self) -> list[int]:
        listed = _ip("netns", "pids", self.name, check=False)
        return [int(pid) for pid in listed.stdout.split()]

    def kill(self) -> None:
        """The machine dies: SIGKILL to every process on it, at once, none warned."""
        for _ in range(10):  # a process forked while we kill its siblings is caught next round
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        for process in self.processes:
            process.wait(timeout=10)
        self.processes.clear()

    def stop(self) -> None:
        """Shut down politely (SIGTERM), then kill what is left."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        self.kill()


@dataclass
class Network:
    """A bridge in the root namespace (address .1) and hosts on it (.11, .12, ...)."""

    suffix: str = field(default_factory=lambda: str(os.getpid() % 100000))
    hosts: list[Host] = field(default_factory=list)

    def __post_init__(self) -> None:
        # a subnet per test process, so runs in parallel (or a previous run's leftovers) do not meet
        self.subnet = f"10.231.{int(self.suffix) % 250}"
        self.bridge = f"fhbr{self.suffix}"
        self.gateway = f"{self.subnet}.1"

    def up(self) -> None:
        self._remove_leftovers()
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")

    def add_host(self, label: str) -> Host:
        index = len(self.hosts)
        name = f"fh{self.suffix}{label}"
        outside, inside = f"fh{self.suffix}{label}o", f"fh{self.suffix}{label}i"
        address = f"{self.subnet}.{11 + index}"
        _ip("netns", "add", name)
        _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        _ip("link", "set", inside, "netns", name)
        _ip("link", "set", outside, "master", self.bridge)
        _ip("link", "set", outside, "up")
        _ip("-n", name, "addr", "add", f"{address}/24", "dev", inside)
        _ip("-n", name, "link", "set", inside, "up")
        _ip("-n", name, "link", "set", "lo", "up")
        _ip("-n", name, "route", "add", "default", "via", self.gateway)
        host = Host(self, name, address)
        self.hosts.append(host)
        return host

    def down(self) -> None:
        for host in self.hosts:
            host.kill()
            _ip("netns", "del", host.name, check=False)  # takes the veth pair with it
        self.hosts.clear()
        _ip("link", "del", self.bridge, check=False)

    def _remove_leftovers(self) -> None:
        listed = _ip("netns", "list", check=False).stdout.split()
        for name in listed:
            if name.startswith(f"fh{self.suffix}") and len(name) == len(f"fh{self.suffix}") + 1:
                _ip("netns", "del", name, check=False)
        _ip("link", "del", self.bridge, check=False)
