"""What operators ask of the queue: a summary by kind and state, and "retry now"."""

from __future__ import annotations

from tortoise.functions import Count

from fedihub import models
from fedihub.jobs.queue import now_ms
from fedihub.models import JobState


async def counts() -> list[tuple[str, str, int]]:
    """(kind, state, how many) for every kind and state the queue holds."""
    rows = await (
        models.Job.all()
        .group_by("kind", "state")
        .order_by("kind", "state")
        .annotate(n=_count())
        .values_list("kind", "state", "n")
    )
    return [(str(kind), str(state), int(n)) for kind, state, n in rows]


async def oldest_due_wait() -> float | None:
    """Seconds the oldest due job has been waiting, None when none is due."""
    oldest = (
        await models.Job.filter(state=JobState.PENDING, run_at__lte=now_ms())
        .order_by("run_at")
        .first()
    )
    return (now_ms() - oldest.run_at) / 1000 if oldest is not None else None


async def describe() -> list[str]:
    lines = [f"{kind:<12} {state:<8} {count}" for kind, state, count in await counts()]
    wait = await oldest_due_wait()
    if wait is not None:
        lines.append(f"oldest due job waits {wait:.1f}s")
    for host in await models.Host.filter(failure_count__gt=0).order_by("-failure_count").limit(20):
        flag = "unavailable" if host.unavailable else "failing"
        lines.append(
            f"host {host.domain:<40} {flag} "
            f"({host.failure_count} failures since {host.first_failure_at:%Y-%m-%d %H:%M})"
        )
    return lines or ["no jobs"]


def _count() -> Count:
    return Count("id")


async def retry_now(kind: str | None = None) -> int:
    """Make every waiting retry due now; returns how many."""
    query = models.Job.filter(state=JobState.PENDING, attempts__gt=0)
    if kind:
        query = query.filter(kind=kind)
    return await query.update(run_at=now_ms())
