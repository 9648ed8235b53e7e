"""What operators ask of the queue: a summary by kind and state, and "retry now"."""

from __future__ import annotations

from tortoise.functions import Count

from fedihub import models
from fedihub.jobs.queue import now_ms
from fedihub.models import JobState


async def describe() -> list[str]:
    lines = []
    for kind, state, count in await (
        models.Job.all()
        .group_by("kind", "state")
        .order_by("kind", "state")
        .annotate(n=_count())
        .values_list("kind", "state", "n")
    ):
        lines.append(f"{kind:<12} {state:<8} {count}")
    oldest = (
        await models.Job.filter(state=JobState.PENDING, run_at__lte=now_ms())
        .order_by("run_at")
        .first()
    )
    if oldest is not None:
        lines.append(f"oldest due job waits {(now_ms() - oldest.run_at) / 1000:.1f}s")
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
