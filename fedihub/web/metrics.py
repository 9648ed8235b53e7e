"""/metrics (Prometheus text format) and the per-request bookkeeping behind it: request ids in logs
and responses, request counts by route and status.

/metrics answers only clients in FEDIHUB_METRICS_ALLOW (loopback by default; others get a 404, as
if there were nothing here): its figures name peers and queue depths. The figures read from the
database (jobs, deliveries, failing hosts) cost aggregate queries over the jobs table, so each
process computes them at most once per FIGURES_TTL_S, one scrape at a time, and serves the rest
from that; the process's own counters are always current.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import time
import uuid
import weakref
from dataclasses import dataclass, field

from quart import Quart, Response, abort, g, request
from tortoise.functions import Count, Min

from fedihub import logs, metrics, models
from fedihub.config import proxy_networks
from fedihub.jobs.queue import now_ms
from fedihub.models import JobState
from fedihub.runtime import Runtime
from fedihub.social import scheduled
from fedihub.web.common import runtime

log = logging.getLogger("fedihub.access")
FIGURES_TTL_S = 3.0  # under any scrape interval, over a burst of scrapes


def register(app: Quart) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.add_url_rule("/metrics", "metrics", _metrics, methods=["GET"])


async def _start() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    rid = incoming if 0 < len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex[:16]
    g.request_id = rid
    g.request_started = time.perf_counter()
    logs.request_id.set(rid)


async def _finish(response: Response) -> Response:
    rid = getattr(g, "request_id", "-")
    response.headers["X-Request-Id"] = rid
    rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
    metrics.inc(
        "fedihub_http_requests_total",
        route=rule,
        method=request.method,
        status=str(response.status_code),
    )
    return response


@functools.lru_cache(maxsize=8)
def _networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return proxy_networks(text)


def allowed(address: str | None, allow: str) -> bool:
    """Whether a client at `address` may read /metrics under the metrics_allow setting."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in _networks(allow))


@dataclass
class _Figures:
    lines: list[str] = field(default_factory=list)
    expires: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


# per node in this process (tests run several nodes in one process)
_figures: weakref.WeakKeyDictionary[Runtime, _Figures] = weakref.WeakKeyDictionary()


def forget_figures(rt: Runtime) -> None:
    """Drop this process's cached database figures: the next scrape reads them afresh."""
    _figures.pop(rt, None)


async def _cached_figures(rt: Runtime) -> list[str]:
    cache = _figures.setdefault(rt, _Figures())
    if time.monotonic() < cache.expires:
        return cache.lines
    async with cache.lock:  # scrapes arriving together share one computation
        if time.monotonic() >= cache.expires:
            cache.lines = await _database_figures()
            cache.expires = time.monotonic() + FIGURES_TTL_S
    return cache.lines


async def _metrics() -> Response:
    from fedihub.web.common import runtime

    rt = runtime()
    if not allowed(request.remote_addr, rt.settings.metrics_allow):
        abort(404)
    lines = metrics.render_counters() + await _cached_figures(rt)
    return Response(
        "\n".join(lines) + "\n", content_type="text/plain; version=0.0.4; charset=utf-8"
    )


async def _database_figures() -> list[str]:
    lines: list[str] = []
    now = now_ms()
    rows = (
        await models.Job.all()
        .group_by("kind", "state")
        .annotate(n=Count("id"))
        .values_list("kind", "state", "n")
    )
    lines += metrics.render_gauge(
        "fedihub_jobs",
        "Jobs by kind and state (whole node)",
        [({"kind": kind, "state": str(state)}, float(n)) for kind, state, n in rows],
    )
    due = (
        await models.Job.filter(state=JobState.PENDING, run_at__lte=now)
        .group_by("kind")
        .annotate(oldest=Min("run_at"))
        .values_list("kind", "oldest")
    )
    lines += metrics.render_gauge(
        "fedihub_jobs_due_age_seconds",
        "Age of the oldest due job by kind (whole node)",
        [({"kind": kind}, max(0.0, (now - oldest) / 1000)) for kind, oldest in due],
    )
    deliveries = {
        str(state): n
        for state, n in await models.Job.filter(kind="deliver")
        .group_by("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    }
    retrying = await models.Job.filter(
        kind="deliver", state=JobState.PENDING, attempts__gt=0
    ).count()
    lines += metrics.render_gauge(
        "fedihub_deliveries",
        "Deliveries by outcome (whole node)",
        [
            ({"outcome": "delivered"}, float(deliveries.get("done", 0))),
            ({"outcome": "gave_up"}, float(deliveries.get("dead", 0))),
            ({"outcome": "retrying"}, float(retrying)),
            ({"outcome": "queued"}, float(deliveries.get("pending", 0) - retrying)),
        ],
    )
    hosts = await models.Host.filter(failure_count__gt=0).order_by("-failure_count").limit(100)
    lines += metrics.render_gauge(
        "fedihub_host_failures",
        "Consecutive delivery failures per peer host",
        [({"host": h.domain}, float(h.failure_count)) for h in hosts],
    )
    lines += metrics.render_gauge(
        "fedihub_host_unavailable",
        "1 when a peer host is marked unavailable",
        [({"host": h.domain}, 1.0 if h.unavailable else 0.0) for h in hosts],
    )
    lines += metrics.render_gauge(
        "fedihub_scheduled_statuses_overdue_seconds",
        "How long the oldest scheduled status past its time has waited to be published "
        "(whole node)",
        [({}, await scheduled.overdue_seconds())],
    )
    lines += metrics.render_gauge(
        "fedihub_service_up",
        "1 when a shared service answers this process",
        [({"service": name}, 1.0 if up else 0.0) for name, up in (await _services()).items()],
    )
    return lines


async def _services() -> dict[str, bool]:
    states = {"database": True}  # the figures before this one were just read from it
    client = runtime().redis
    if client is not None:
        try:
            states["redis"] = bool(await client.ping())
        except Exception:  # down: report it, do not fail the scrape
            states["redis"] = False
    return states
