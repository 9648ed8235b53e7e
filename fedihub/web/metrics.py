"""/metrics (Prometheus text format) and the per-request bookkeeping behind it: request ids in logs
and responses, request counts by route and status."""

from __future__ import annotations

import logging
import time
import uuid

from quart import Quart, Response, g, request
from tortoise.functions import Count, Min

from fedihub import logs, metrics, models
from fedihub.jobs.queue import now_ms
from fedihub.models import JobState
from fedihub.social import scheduled
from fedihub.web.common import runtime

log = logging.getLogger("fedihub.access")


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


async def _metrics() -> Response:
    lines = metrics.render_counters()
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
    return Response(
        "\n".join(lines) + "\n", content_type="text/plain; version=0.0.4; charset=utf-8"
    )


async def _services() -> dict[str, bool]:
    states = {"database": True}  # this handler just read the job table
    client = runtime().redis
    if client is not None:
        try:
            states["redis"] = bool(await client.ping())
        except Exception:  # down: report it, do not fail the scrape
            states["redis"] = False
    return states
