"""Runtime: the typed holder of one process's resources and wiring, passed to services explicitly.

`fedihub.node` builds it (`node.build`) and opens and closes what it holds (`node.running`);
services take it as their first argument instead of reaching for globals or import side effects.
What a Runtime holds, field by field, is what the process has: nothing is kept under string keys.
Imports nothing above the foundations.
"""

from __future__ import annotations

import asyncio
import collections
import os
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from fedihub import models
from fedihub.activitypub import parse
from fedihub.config import Settings
from fedihub.events import Bus
from fedihub.media.storage import Storage
from fedihub.security.api_budget import ApiLimiter
from fedihub.security.keys import NodeSecrets, PrivateKeyCache
from fedihub.security.ratelimit import Limiter
from fedihub.urls import NodeUrls

JobHandler = Callable[["Runtime", dict[str, Any]], Awaitable[None]]
InboxHandler = Callable[["Runtime", models.Actor, parse.Activity], Awaitable[None]]
StatusListener = Callable[["Runtime", str, models.Status], Awaitable[None]]
NotificationListener = Callable[["Runtime", models.Notification], Awaitable[None]]


@dataclass(frozen=True)
class PeriodicTask:
    """Work run once per period across the whole node (jobs/periodic.py)."""

    name: str
    every_s: int
    run: Callable[[Runtime], Awaitable[None]]


@dataclass(frozen=True)
class Wiring:
    """The tables a process dispatches through, written out in fedihub/node.py."""

    job_handlers: Mapping[str, JobHandler]
    periodic_tasks: Sequence[PeriodicTask]
    inbox_handlers: Mapping[str, InboxHandler]
    status_listeners: Sequence[StatusListener]
    notification_listeners: Sequence[NotificationListener]


class NotOpen(RuntimeError):
    """A resource was used before `node.running` opened it (or after it closed)."""


@dataclass(eq=False)
class Runtime:
    settings: Settings
    secrets: NodeSecrets
    urls: NodeUrls
    private_keys: PrivateKeyCache
    wiring: Wiring
    storage: Storage
    # failed sign-ins and similar throttles; the API's request budget (X-RateLimit-* headers)
    limiter: Limiter
    api_limiter: ApiLimiter
    worker_name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    # opened by node.running: live events across processes (None where no stream can listen)
    bus: Bus | None = None
    # the shared Redis client when FEDIHUB_REDIS_URL is set (rate limits; /metrics checks it)
    redis: Any = None
    # set while a job runner runs in this process: enqueueing wakes it at once
    job_wakeup: asyncio.Event | None = None
    # reads of knowledge posts since the last flush, by article id (knowledge/trending.py): a page
    # view costs no database write
    article_reads: collections.Counter[int] = field(default_factory=collections.Counter)
    article_reads_flushed_at: float = 0.0  # time.monotonic() of the last flush
    _http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        """This process's one outbound HTTP client (SSRF-guarded, pooled)."""
        if self._http is None:
            raise NotOpen("the HTTP client is not open: run inside node.running()")
        return self._http

    @http.setter
    def http(self, client: httpx.AsyncClient | None) -> None:
        self._http = client
