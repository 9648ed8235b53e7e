"""Which process holds which TCP connection, read from the kernel: /proc/net/tcp{,6} names each
socket's addresses, state and inode; /proc/<pid>/fd links each descriptor to its socket inode.

Hypercorn's `--workers N` share one listening socket, and the kernel hands each new connection
to whichever process accepts first: how the clients were spread is seen here, not assumed.

    pids = web_processes(serve_pid, port)     # serve's children holding the listening socket
    held = owners(serve_pid, port)            # {client's local port: pid that accepted it}
"""

from __future__ import annotations

import os
from pathlib import Path

_LISTEN, _ESTABLISHED = "0A", "01"


def _tcp_table(port: int) -> tuple[set[int], dict[int, int]]:
    """(inodes listening on port, {inode: remote port} of the connections accepted on it)."""
    listening: set[int] = set()
    accepted: dict[int, int] = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
            if int(local.rsplit(":", 1)[1], 16) != port:
                continue
            if state == _LISTEN:
                listening.add(inode)
            elif state == _ESTABLISHED:
                accepted[inode] = int(remote.rsplit(":", 1)[1], 16)
    return listening, accepted


def _socket_inodes(pid: int) -> set[int]:
    found = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return found
    for fd in descriptors:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(int(target[8:-1]))
    return found


def web_processes(serve_pid: int, port: int) -> dict[int, set[int]]:
    """serve's children that hold the listening socket (Hypercorn's web processes) and their
    socket inodes."""
    listening, _ = _tcp_table(port)
    children = Path(f"/proc/{serve_pid}/task/{serve_pid}/children").read_text().split()
    out = {}
    for child in map(int, children):
        inodes = _socket_inodes(child)
        if inodes & listening:
            out[child] = inodes
    return out


def owners(serve_pid: int, port: int) -> dict[int, int]:
    """{client's local port: pid of the web process that accepted its connection}."""
    _, accepted = _tcp_table(port)
    out = {}
    for pid, inodes in web_processes(serve_pid, port).items():
        for inode in inodes & accepted.keys():
            out[accepted[inode]] = pid
    return out


def user_system_seconds(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of one process: Python's work against the kernel's."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick
