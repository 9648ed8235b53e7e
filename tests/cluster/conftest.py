"""A fedihub node on two simulated machines: hosts A and B (network namespaces), each running
`fedihub serve` and `fedihub worker` at its own address, behind one HAProxy front address, against
one PostgreSQL, one Redis and one S3-compatible store (moto's server) in the root namespace.

Skipped, with the reason, where namespaces, HAProxy, PostgreSQL or Redis are missing.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fedihub.media.s3 import S3Config, S3Storage
from tests.cluster import front, netns
from tests.conftest import _pg_reason, create_pg_database, drop_pg_database
from tests.durability.cluster import DatabaseReads
from tests.federation.nodes import FEDIHUB, Node, answers_health, eventually, free_port

WEB_PORT = 8000
REDIS_DB = 11  # a database of its own, flushed before and after: no other test uses it
LEASE_SECONDS = "3"  # a dead host's jobs come back within the test
WORKER_CONCURRENCY = 4


@dataclass
class TwoHostNode(DatabaseReads, Node):
    """The cluster as one node: `domain` and `base` are the front's; cli() runs in the root
    namespace against the same database."""

    network: netns.Network | None = None
    front: front.Front | None = None
    hosts: dict[str, netns.Host] = field(default_factory=dict)
    host_env: dict[str, str] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        assert self.network is not None
        return f"{self.network.gateway}:{self.port}"

    def host_base(self, label: str) -> str:
        return f"http://{self.hosts[label].address}:{WEB_PORT}"

    def start_host(self, label: str) -> None:
        host = self.hosts[label]
        home = self.root / f"host-{label}"
        env = {
            **self._env(),
            **self.host_env,
            "FEDIHUB_DATA_DIR": str(home / "data"),
            "FEDIHUB_KEYS_DIR": str(home / "keys"),
        }
        host.start(
            [FEDIHUB, "serve", "--host", host.address, "--port", str(WEB_PORT), "--workers", "1"],
            env=env,
            cwd=str(home),
            log=str(home / "serve.log"),
        )
        host.start(
            [FEDIHUB, "worker", "--concurrency", str(WORKER_CONCURRENCY)],
            env=env,
            cwd=str(home),
            log=str(home / "worker.log"),
        )

    async def wait_healthy(self, label: str) -> None:
        await eventually(
            lambda: answers_health(self.host_base(label)), timeout=60, what=f"host {label} to serve"
        )

    def log_tail(self) -> str:
        parts = []
        for label in self.hosts:
            for name in ("serve.log", "worker.log"):
                path = self.root / f"host-{label}" / name
                if path.exists():
                    parts.append(f"--- host {label} {name}\n{path.read_text()[-2000:]}")
        return "\n".join(parts)


def _redis_reason(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {url} does not answer: {exc}"
    return None


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def cluster_services() -> None:
    # a sync fixture: the PostgreSQL probe runs an event loop of its own
    for reason in (
        netns.unavailable(),
        front.unavailable(),
        _pg_reason(),
        _redis_reason(f"redis://127.0.0.1:6379/{REDIS_DB}"),
    ):
        if reason:
            pytest.skip(f"the two-host cluster test cannot run here: {reason}")


@pytest.fixture
async def two_hosts(cluster_services: None, tmp_path: Path) -> AsyncIterator[TwoHostNode]:
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is a test dependency")

    network = netns.Network()
    database_url = await create_pg_database()
    _flush_redis(f"redis://127.0.0.1:6379/{REDIS_DB}")
    node = TwoHostNode(tmp_path / "shared", free_port(), database_url, network=network)
    s3 = None
    try:
        network.up()
        gateway = network.gateway
        pg_port, redis_port, s3_port = free_port(), free_port(), free_port()
        s3 = moto_server.ThreadedMotoServer(ip_address=gateway, port=s3_port)
        s3.start()
        # the admin makes the bucket before pointing the node at it
        await S3Storage(
            S3Config(
                endpoint=f"http://{gateway}:{s3_port}",
                bucket="media",
                access_key="cluster-test",
                secret_key="cluster-test-secret",
            )
        ).ensure_bucket()
        # what every process of the node shares (the root namespace's own cli() sees the database
        # on loopback; the hosts reach it through the front's TCP forwarder)
        node.env = {
            "FEDIHUB_REDIS_URL": f"redis://{gateway}:{redis_port}/{REDIS_DB}",
            "FEDIHUB_S3_ENDPOINT": f"http://{gateway}:{s3_port}",
            "FEDIHUB_S3_BUCKET": "media",
            "FEDIHUB_S3_ACCESS_KEY": "cluster-test",
            "FEDIHUB_S3_SECRET_KEY": "cluster-test-secret",
            "FEDIHUB_JOB_LEASE_SECONDS": LEASE_SECONDS,
            "FEDIHUB_TRUSTED_PROXIES": f"{gateway}/32",
        }
        node.host_env = {
            "FEDIHUB_DATABASE_URL": database_url.replace("127.0.0.1:5432", f"{gateway}:{pg_port}")
        }
        node.front = front.Front(
            tmp_path,
            gateway,
            node.port,
            backends=[],
            forwards={
                "postgres": (pg_port, "127.0.0.1:5432"),
                "redis": (redis_port, "127.0.0.1:6379"),
            },
        )
        for label in ("a", "b"):
            host = network.add_host(label)
            node.hosts[label] = host
            node.front.backends.append((label, f"{host.address}:{WEB_PORT}"))
        node.front.start()  # the forwarders first: `init` below reaches Redis through them

        node.root.mkdir(parents=True)
        node.cli("init", "--domain", node.domain)
        # each machine gets its own copy of the configuration and the keys, as an admin would
        for label in node.hosts:
            home = node.root / f"host-{label}"
            shutil.copytree(node.root / "data", home / "data")
            shutil.copytree(node.root / "keys", home / "keys")
            node.start_host(label)
        for label in node.hosts:
            await node.wait_healthy(label)
        yield node
    finally:
        if node.front is not None:
            node.front.stop()
        network.down()
        if s3 is not None:
            s3.stop()
        await drop_pg_database(database_url)
        _flush_redis(f"redis://127.0.0.1:6379/{REDIS_DB}")
