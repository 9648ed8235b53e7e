"""Runtime: the typed holder of one process's resources, passed explicitly to services.

Made once per process (by the app factory, the worker, or a CLI command) from Settings; services
take it as their first argument instead of reaching for globals. Packages that own a per-process
resource (the HTTP client, the job runner, the event bus) add start-up and shutdown hooks.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from fedihub.config import Settings
from fedihub.security.keys import NodeSecrets, PrivateKeyCache
from fedihub.urls import NodeUrls

Hook = Callable[["Runtime"], Awaitable[None]]


@dataclass
class Runtime:
    settings: Settings
    secrets: NodeSecrets
    urls: NodeUrls
    private_keys: PrivateKeyCache
    worker_name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    startup_hooks: list[Hook] = field(default_factory=list)
    shutdown_hooks: list[Hook] = field(default_factory=list)
    # per-process resources opened by start-up hooks, by name
    resources: dict[str, Any] = field(default_factory=dict)

    @property
    def http(self) -> httpx.AsyncClient:
        """This process's one outbound HTTP client (opened by a start-up hook)."""
        client: httpx.AsyncClient = self.resources["http"]
        return client

    @classmethod
    def build(cls, settings: Settings, secrets: NodeSecrets) -> Runtime:
        return cls(
            settings=settings,
            secrets=secrets,
            urls=NodeUrls(settings.base_url),
            private_keys=PrivateKeyCache(secrets.kek),
        )
