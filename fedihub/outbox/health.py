"""Federation health for the admin pages: deliveries waiting, retrying and given up per host,
with the host's failure record (outbox/hosts.py), and "retry this host now"."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from fedihub import models
from fedihub.jobs.queue import now_ms
from fedihub.models import JobState
from fedihub.outbox.publish import DELIVER

SCAN = (
    20_000  # delivery jobs read at most per page view (a backlog larger than this is shown as is)
)


@dataclass(frozen=True)
class HostHealth:
    domain: str
    waiting: int  # pending, never tried yet
    retrying: int  # pending after a failed attempt
    dead: int  # given up
    failure_count: int
    first_failure_at: datetime | None
    last_success_at: datetime | None
    unavailable: bool


def _host(payload: object) -> str:
    inbox = payload.get("inbox") if isinstance(payload, dict) else None
    return (urlsplit(inbox).hostname or "") if isinstance(inbox, str) else ""


async def by_host() -> list[HostHealth]:
    """Hosts with deliveries waiting or failing, or a failure record, worst first."""
    waiting: Counter[str] = Counter()
    retrying: Counter[str] = Counter()
    dead: Counter[str] = Counter()
    rows = (
        await models.Job.filter(kind=DELIVER, state__in=[JobState.PENDING, JobState.DEAD])
        .limit(SCAN)
        .values_list("payload", "state", "attempts")
    )
    for payload, state, attempts in rows:
        host = _host(payload)
        if state == JobState.DEAD:
            dead[host] += 1
        elif attempts:
            retrying[host] += 1
        else:
            waiting[host] += 1
    records = {h.domain: h for h in await models.Host.filter(failure_count__gt=0)}
    domains = set(waiting) | set(retrying) | set(dead) | set(records)
    known = {h.domain: h for h in await models.Host.filter(domain__in=domains)}
    out = []
    for domain in domains:
        record = known.get(domain)
        out.append(
            HostHealth(
                domain=domain,
                waiting=waiting[domain],
                retrying=retrying[domain],
                dead=dead[domain],
                failure_count=record.failure_count if record else 0,
                first_failure_at=record.first_failure_at if record else None,
                last_success_at=record.last_success_at if record else None,
                unavailable=bool(record and record.unavailable),
            )
        )
    return sorted(out, key=lambda h: (-h.failure_count, -h.retrying, -h.dead, h.domain))


async def retry_host(domain: str) -> int:
    """Make the waiting retries of deliveries to `domain` due now; returns how many."""
    due = []
    rows = await models.Job.filter(
        kind=DELIVER, state=JobState.PENDING, attempts__gt=0
    ).values_list("id", "payload")
    for job_id, payload in rows:
        if _host(payload) == domain:
            due.append(job_id)
    if not due:
        return 0
    return await models.Job.filter(id__in=due).update(run_at=now_ms())
