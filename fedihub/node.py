"""The assembler: what runs in a fedihub process, and what it holds, written out in one place.

Read it top to bottom:
- the tables: which function handles each job kind, each inbound activity type, each periodic
  task, and who hears of status and notification changes. Adding a job kind, an inbox handler or
  a stream listener is one line here and one function in its own module; nothing registers itself
  by being imported;
- `build(settings, secrets)`: a Runtime with every resource typed (storage and limiters chosen
  from the settings, the HTTP client, event bus and Redis left to open);
- `running(rt, role)`: the one lifecycle that opens the process's resources in order and closes
  them in reverse, used alike by `fedihub serve` (the web app), `fedihub worker`, the other CLI
  commands and the tests.

This module is the edge: it may import every layer, and nothing imports it but the edge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from enum import Enum
from typing import Any

import httpx

from fedihub import __version__, db, events, models
from fedihub.accounts import refresh
from fedihub.activitypub import parse
from fedihub.api import stream_events
from fedihub.config import Settings
from fedihub.discovery import directory, peers, suggestions
from fedihub.errors import ConfigError
from fedihub.inbox import articles as inbox_articles
from fedihub.inbox import dispatch, receive
from fedihub.jobs import housekeeping, periodic, runner
from fedihub.knowledge import trending as knowledge_trending
from fedihub.media import backends, processing, remote_cache
from fedihub.meetings import inbox as meetings_inbox
from fedihub.models import JobState
from fedihub.moderation import actions, deletion, purge, reports
from fedihub.notifications import push
from fedihub.outbox import delivery, publish
from fedihub.projects import datasets, feed, remote_tasks
from fedihub.projects import inbox as project_inbox
from fedihub.rights import archive, imports
from fedihub.runtime import (
    InboxHandler,
    JobHandler,
    NotificationListener,
    PeriodicTask,
    Runtime,
    StatusListener,
    Wiring,
)
from fedihub.security import http, keys
from fedihub.security.api_budget import MemoryApiLimiter, RedisApiLimiter
from fedihub.security.ratelimit import MemoryLimiter
from fedihub.security.shared_limits import RedisLimiter
from fedihub.social import moves, pins, polls, scheduled, trends
from fedihub.urls import NodeUrls

log = logging.getLogger(__name__)

# ---- the tables --------------------------------------------------------------------------------

JOB_HANDLERS: Mapping[str, JobHandler] = {
    receive.INBOX_JOB: dispatch.process,  # act on a verified inbound activity
    publish.DELIVER: delivery.deliver,  # sign and POST one activity to one inbox
    processing.KIND: processing.process,  # decode a large upload: preview, blurhash, sizes
    remote_cache.KIND: remote_cache.fetch,  # copy a peer's media file into our storage
    scheduled.JOB_KIND: scheduled.publish_job,  # publish a scheduled status at its time
    periodic.KIND: periodic.run,  # one period's run of a task of PERIODIC_TASKS
    push.KIND: push.deliver,  # encrypt one notification for one Web Push subscription, send it
    polls.UPDATE_JOB: polls.send_update,  # a local poll's new counts to its audience
    polls.REFRESH_JOB: polls.refresh,  # a peer's poll read again from its origin
    pins.SYNC_JOB: pins.sync_featured,  # a peer actor's pinned statuses, from its `featured`
    purge.KIND: purge.purge,  # drop what is stored of a suspended server
    moves.MOVE_JOB: moves.move_followers,  # a batch of local followers of a moved account
    deletion.KIND: deletion.purge,  # really delete an account its owner deleted
    imports.KIND: imports.run,  # apply a slice of an uploaded Mastodon CSV file to its account
    archive.KIND: archive.build,  # zip an account's actor, posts, bookmarks and media
    feed.REDISTRIBUTE: feed.redistribute_job,  # a project's Group shares a member's post
}

PERIODIC_TASKS: Sequence[PeriodicTask] = (
    PeriodicTask("publish_scheduled_statuses", scheduled.SWEEP_EVERY_S, scheduled.sweep),
    PeriodicTask("release_orphaned_leases", 900, housekeeping.release_orphaned_leases),
    PeriodicTask("refresh_trends", 900, trends.refresh_task),
    PeriodicTask(
        "refresh_trending_articles", knowledge_trending.REFRESH_EVERY_S, knowledge_trending.refresh
    ),
    PeriodicTask("purge_finished_jobs", 3600, housekeeping.purge_finished_jobs),
    PeriodicTask("expire_remote_media", 3600, remote_cache.expire_past_retention),
    PeriodicTask("refresh_stale_actors", 6 * 3600, refresh.refresh_stale_actors),
    PeriodicTask("index_directory", 60, directory.sync_task),
    PeriodicTask("refresh_directory_activity", 900, directory.refresh_activity),
    PeriodicTask("read_peer_directories", 600, peers.read_task),
    PeriodicTask("refresh_suggestions", 900, suggestions.refresh_task),
    PeriodicTask("close_ended_polls", polls.CLOSE_EVERY_S, polls.close_ended),
    PeriodicTask("purge_expired_suspensions", 3600, actions.purge_expired),
)


def _both(first: InboxHandler, then: InboxHandler) -> InboxHandler:
    """One type read by two domains: each handler acts only on what concerns it."""

    async def handle(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
        await first(rt, signer, activity)
        await then(rt, signer, activity)

    return handle


# by the activity's type; types not listed are accepted and ignored, as Mastodon does
INBOX_HANDLERS: Mapping[str, InboxHandler] = {
    "Follow": _both(dispatch.on_follow, project_inbox.on_follow),
    "Accept": _both(dispatch.on_accept_or_reject, project_inbox.on_accept_or_reject),
    "Reject": _both(dispatch.on_accept_or_reject, project_inbox.on_accept_or_reject),
    "Undo": _both(dispatch.on_undo, _both(project_inbox.on_undo, remote_tasks.on_undo)),
    # ForgeFed's task flows from members on other nodes (projects/remote_tasks.py)
    "Offer": remote_tasks.on_offer,
    "Assign": remote_tasks.on_assign,
    "Resolve": remote_tasks.on_resolve,
    "Invite": project_inbox.on_invite,
    "Join": _both(project_inbox.on_join, meetings_inbox.on_join),  # a project, or a meeting
    "Leave": project_inbox.on_leave,
    # as dispatch's, and a peer's Article or Page is kept as a knowledge post too; a post made
    # in a project is redistributed by its group; a project's Ticket is mirrored as a task, its
    # Event kept as a meeting of its members here; Document as a data set
    "Create": _both(
        inbox_articles.on_create,
        _both(
            feed.on_create,
            _both(remote_tasks.on_ticket, _both(meetings_inbox.on_event, datasets.on_document)),
        ),
    ),
    "Update": _both(
        inbox_articles.on_update, _both(remote_tasks.on_ticket, meetings_inbox.on_event)
    ),
    "Delete": _both(
        inbox_articles.on_delete, _both(remote_tasks.on_ticket, meetings_inbox.on_delete)
    ),
    "Like": dispatch.on_like,
    "Announce": dispatch.on_announce,
    "Block": dispatch.on_block,
    # a peer pinned a status (to its featured collection), or a project added a member
    "Add": _both(pins.receive_add, project_inbox.on_add),
    "Remove": _both(pins.receive_remove, project_inbox.on_remove),
    "Flag": reports.on_flag,  # a peer's report of accounts here
    "Move": moves.on_move,  # an account moved: its followers here follow the new one
}

# run after a status is created, edited or deleted, and after a notification is stored
STATUS_LISTENERS: Sequence[StatusListener] = (stream_events.on_status,)
NOTIFICATION_LISTENERS: Sequence[NotificationListener] = (
    stream_events.on_notification,
    push.on_notification,  # a Web Push job per subscription that wants it
)

WIRING = Wiring(
    job_handlers=JOB_HANDLERS,
    periodic_tasks=PERIODIC_TASKS,
    inbox_handlers=INBOX_HANDLERS,
    status_listeners=STATUS_LISTENERS,
    notification_listeners=NOTIFICATION_LISTENERS,
)


# ---- building a Runtime ------------------------------------------------------------------------


def build(settings: Settings, secrets: keys.NodeSecrets, *, wiring: Wiring = WIRING) -> Runtime:
    """A Runtime for this process; its network resources open in `running`."""
    urls = NodeUrls(settings.base_url)
    return Runtime(
        settings=settings,
        secrets=secrets,
        urls=urls,
        private_keys=keys.PrivateKeyCache(secrets.kek),
        wiring=wiring,
        storage=backends.for_settings(settings, urls),
        limiter=MemoryLimiter(),
        api_limiter=MemoryApiLimiter(),
    )


class Role(Enum):
    """What a process does, which decides what `running` opens."""

    WEB = "web"  # pages, API, inboxes, streams; runs the jobs too where settings say so
    WORKER = "worker"  # background jobs; publishes live events for the web processes
    COMMAND = "command"  # a CLI command: HTTP client and storage, no bus, no jobs


@contextlib.asynccontextmanager
async def running(
    rt: Runtime,
    role: Role,
    *,
    database: bool = True,
    concurrency: int | None = None,
    bus: bool | None = None,
) -> AsyncIterator[Runtime]:
    """Open the process's resources in order, and close them in reverse however the body ends.
    The event bus opens for the web and worker roles, and for a command that asks (`bus=True`:
    one that must tell the streams something, such as `fedihub user disable`).

    A failure while opening closes what was opened and propagates (the start stops with its
    message); a failure while closing one resource is logged and the others still close.
    """
    async with contextlib.AsyncExitStack() as stack:
        if database:
            await db.open_database(rt.settings)
            stack.push_async_callback(_closing("database", db.close_database))
        stack.push_async_callback(_closing("storage", rt.storage.close))
        rt.http = _http_client(rt.settings)
        stack.push_async_callback(_closing("http client", _close_http, rt))
        if rt.settings.redis_url:
            await _open_redis(rt)
            stack.push_async_callback(_closing("redis", _close_redis, rt))
        if bus if bus is not None else role is not Role.COMMAND:
            await _open_bus(rt)
            stack.push_async_callback(_closing("event bus", _close_bus, rt))
        runs_jobs = role is Role.WORKER or (role is Role.WEB and rt.settings.jobs_in_process)
        if runs_jobs:
            await check_stored_job_kinds(rt)
            stop = asyncio.Event()
            task = asyncio.create_task(
                runner.run(rt, stop, concurrency=concurrency or rt.settings.worker_concurrency)
            )
            stack.push_async_callback(_closing("job runner", _stop_runner, stop, task))
        yield rt


def _closing(
    what: str, close: Callable[..., Awaitable[Any]], *args: Any
) -> Callable[[], Awaitable[None]]:
    async def close_logged() -> None:
        try:
            await close(*args)
        except Exception:  # shutdown goes on: one failing resource must not leak the rest
            log.exception("closing the %s failed", what)

    return close_logged


def _http_client(settings: Settings) -> httpx.AsyncClient:
    return http.build_client(
        allow_private=settings.allow_private_networks,
        max_connections=settings.http_max_connections,
        max_per_host=settings.http_max_per_host,
        timeout=settings.http_timeout,
        user_agent=f"fedihub/{__version__} (+{settings.base_url}/)",
    )


async def _close_http(rt: Runtime) -> None:
    client, rt.http = rt.http, None
    await client.aclose()


async def _open_redis(rt: Runtime) -> None:
    """Connect to the shared Redis and check it answers: a wrong URL stops the start plainly."""
    import redis.asyncio as redis  # only nodes configured with Redis pay for importing it

    client = redis.from_url(rt.settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:  # any connection or auth error: one sentence, no traceback
        await client.aclose()
        raise ConfigError(f"cannot reach Redis at {rt.settings.redis_url}: {exc}") from None
    rt.redis = client
    # keys named by the node, as its event channel is: two nodes sharing one Redis (staging and
    # production, say) must not spend each other's budgets or throttle each other's sign-ins
    node = rt.settings.domain
    rt.limiter = RedisLimiter(client, prefix=f"fedihub:{node}:rl:")
    rt.api_limiter = RedisApiLimiter(client, prefix=f"fedihub:{node}:api:")


async def _close_redis(rt: Runtime) -> None:
    client, rt.redis = rt.redis, None
    rt.limiter, rt.api_limiter = MemoryLimiter(), MemoryApiLimiter()
    if client is not None:
        await client.aclose()


def bus_for_settings(settings: Settings) -> events.Bus:
    """RedisBus when a Redis is configured, PostgresBus when the database is PostgreSQL (other
    processes may publish), else LocalBus (one process holds the streams and makes the events)."""
    if settings.redis_url:
        from fedihub.events_redis import CHANNEL, RedisBus  # Redis nodes only (see _open_redis)

        # pub/sub channels are global to a Redis server (not per database number): name the
        # node's own, so nodes sharing a Redis never hear each other's `user:42`
        return RedisBus(settings.redis_url, f"{CHANNEL}:{settings.domain}")
    if settings.is_sqlite:
        return events.LocalBus()
    credentials = dict(db.tortoise_config(settings)["connections"]["default"]["credentials"])
    connect = {k: credentials[k] for k in ("host", "port", "user", "password", "database")}
    return events.PostgresBus(connect)


async def _open_bus(rt: Runtime) -> None:
    bus = bus_for_settings(rt.settings)
    await bus.start()
    rt.bus = bus


async def _close_bus(rt: Runtime) -> None:
    bus, rt.bus = rt.bus, None
    if bus is not None:
        await bus.stop()


async def _stop_runner(stop: asyncio.Event, task: asyncio.Task[None]) -> None:
    stop.set()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def check_stored_job_kinds(rt: Runtime) -> None:
    """Refuse to run jobs when the queue holds kinds this code has no handler for (a downgrade,
    or a handler dropped from JOB_HANDLERS): said at start, not as failing jobs later."""
    waiting = models.Job.filter(state__in=[JobState.PENDING, JobState.RUNNING])
    kinds = set(await waiting.distinct().values_list("kind", flat=True))
    unknown = sorted(str(kind) for kind in kinds - set(rt.wiring.job_handlers))
    if unknown:
        raise ConfigError(
            f"the job queue holds jobs of kind(s) {', '.join(unknown)} that this version of "
            "fedihub has no handler for: run the version that made them, or remove them"
        )
