"""Job rows: enqueue (deduplicated by key), claim with a lease, run, retry with back-off.

A job is claimed in one short statement that moves it to `running` with a lease
(`locked_until`); it runs outside any transaction; success marks it `done`, failure puts it back
to `pending` with a later `run_at`, or `dead` after its last attempt. A worker that dies leaves
its lease to expire, and the job is claimed again. On PostgreSQL the claim uses
`FOR UPDATE SKIP LOCKED`, so concurrent workers never take the same row; SQLite serialises
writers, so the same statement without the locking clause is safe there.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import traceback
from datetime import UTC, datetime
from typing import Any

from tortoise import Tortoise
from tortoise.exceptions import IntegrityError

from fedihub import models
from fedihub.batching import Batcher
from fedihub.ids import new_id
from fedihub.models import JobState
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)

ATTEMPT_TIMEOUT_S = 60.0


class PermanentError(Exception):
    """Raised by a handler when retrying cannot help (the peer answered 410, the input is bad)."""


class UnknownJobKind(ValueError):
    """A job of a kind the node's table (fedihub/node.py JOB_HANDLERS) has no handler for: a
    programming error, refused when the job is made rather than failing it later."""


def _check_kind(rt: Runtime, kind: str) -> None:
    if kind not in rt.wiring.job_handlers:
        raise UnknownJobKind(f"no handler for job kind {kind!r}: add it to node.JOB_HANDLERS")


def now_ms() -> int:
    return int(time.time() * 1000)


def backoff_ms(attempt: int) -> int:
    """Delay before retry `attempt` (1-based): Mastodon's (n^4 + 15 + rand*30*(n+1)) seconds.

    With 16 attempts the retries span about two days (Sidekiq's schedule, which Mastodon uses
    for deliveries).
    """
    seconds = attempt**4 + 15 + random.random() * 30 * (attempt + 1)
    return int(seconds * 1000)


# tries to insert a job whose drawn id turned out taken
_ID_RETRIES = 5


def wake(rt: Runtime) -> None:
    """Tell this process's runner, if one runs, that a job is due now."""
    if rt.job_wakeup is not None:
        rt.job_wakeup.set()


async def enqueue(
    rt: Runtime,
    kind: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    delay_ms: int = 0,
    max_attempts: int = 16,
) -> models.Job | None:
    """Persist a job; returns None when a job with the same dedupe key exists already."""
    _check_kind(rt, kind)
    for _ in range(_ID_RETRIES):
        try:
            job = await models.Job.create(
                kind=kind,
                payload=payload,
                dedupe_key=dedupe_key,
                run_at=now_ms() + delay_ms,
                max_attempts=max_attempts,
            )
        except IntegrityError:
            # a taken dedupe key means the job exists; a taken id (another process drew the same
            # one) must not pass for that, or the job would be lost: draw a new id
            if dedupe_key is not None and await models.Job.filter(dedupe_key=dedupe_key).exists():
                return None
            continue
        wake(rt)
        return job
    raise RuntimeError(f"no free job id after {_ID_RETRIES} tries")


async def enqueue_many(
    rt: Runtime, kind: str, items: list[tuple[dict[str, Any], str | None]]
) -> int:
    """Persist many jobs of one kind in one statement; duplicates by key are skipped."""
    _check_kind(rt, kind)
    if not items:
        return 0
    at = now_ms()
    rows = [
        models.Job(
            id=new_id(), kind=kind, payload=payload, dedupe_key=key, run_at=at, max_attempts=16
        )
        for payload, key in items
    ]
    await models.Job.bulk_create(rows, ignore_conflicts=True)
    # "ignore conflicts" also skips a row whose id another process drew in the same millisecond:
    # such a job would be lost without a trace, so rows whose dedupe key is still absent go again
    for _ in range(_ID_RETRIES):
        keys = [row.dedupe_key for row in rows if row.dedupe_key]
        present = set(
            await models.column(
                models.Job.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
            )
        )
        rows = [row for row in rows if row.dedupe_key and row.dedupe_key not in present]
        if not rows:
            break
        for row in rows:
            row.id = new_id()
        await models.Job.bulk_create(rows, ignore_conflicts=True)
    wake(rt)
    return len(items)


async def claim(rt: Runtime, limit: int = 1, kinds: list[str] | None = None) -> list[models.Job]:
    """Take up to `limit` due jobs (and jobs whose lease expired) for this worker."""
    conn = Tortoise.get_connection("default")
    now = now_ms()
    postgres = not rt.settings.is_sqlite
    # parameters in the order they appear in the statement (SQLite's `?` are positional)
    lease_ms = rt.settings.job_lease_seconds * 1000
    params: list[Any] = [rt.worker_name, now + lease_ms, now, now, *(kinds or []), limit]

    def mark(i: int) -> str:
        return f"${i}" if postgres else "?"

    kind_clause = ""
    if kinds:
        kind_clause = f" AND kind IN ({', '.join(mark(5 + i) for i in range(len(kinds)))})"
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    update = (
        f"UPDATE jobs SET state = 'running', locked_by = {mark(1)}, locked_until = {mark(2)}, "
        "attempts = attempts + 1 WHERE id IN ("
        f"SELECT id FROM jobs WHERE ((state = 'pending' AND run_at <= {mark(3)}) "
        f"OR (state = 'running' AND locked_until < {mark(4)})){kind_clause} "
        f"ORDER BY run_at LIMIT {mark(len(params))}{lock}) RETURNING id"
    )
    # execute_query_dict: tortoise's execute_query drops RETURNING rows of an UPDATE on asyncpg
    rows = await conn.execute_query_dict(update, params)
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    return await models.Job.filter(id__in=ids).order_by("run_at")


async def renew(rt: Runtime, ids: list[int]) -> int:
    """Extend this worker's leases on its running jobs `ids` by one lease; returns how many."""
    mine = models.Job.filter(id__in=ids, locked_by=rt.worker_name, state=JobState.RUNNING)
    return await mine.update(locked_until=now_ms() + rt.settings.job_lease_seconds * 1000)


async def _mark_done(batch: list[models.Job]) -> list[None]:
    owners: dict[str | None, list[int]] = {}
    for job in batch:  # a job is only marked done by the worker that holds it
        owners.setdefault(job.locked_by, []).append(job.id)
    for owner, ids in owners.items():
        await models.Job.filter(id__in=ids, locked_by=owner).update(
            state=JobState.DONE, locked_until=None, finished_at=_utcnow(), last_error=None
        )
    return [None] * len(batch)


# Jobs that succeed together are marked done together (group commit); a job's run_job still
# returns only once its row says done.
_finish = Batcher(_mark_done)


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def _fail(job: models.Job, error: str, permanent: bool) -> None:
    dead = permanent or job.attempts >= job.max_attempts
    await models.Job.filter(id=job.id, locked_by=job.locked_by).update(
        state=JobState.DEAD if dead else JobState.PENDING,
        run_at=job.run_at if dead else now_ms() + backoff_ms(job.attempts),
        locked_until=None,
        locked_by=None,
        last_error=error[-4000:],
        finished_at=_utcnow() if dead else None,
    )


async def run_job(rt: Runtime, job: models.Job) -> bool:
    """Run one claimed job to its next state; True when it succeeded."""
    fn = rt.wiring.job_handlers.get(job.kind)
    if fn is None:
        await _fail(job, f"no handler for job kind {job.kind!r}", permanent=True)
        return False
    try:
        await asyncio.wait_for(fn(rt, job.payload), timeout=ATTEMPT_TIMEOUT_S)
    except PermanentError as exc:
        log.info("job %s (%s) failed for good: %s", job.id, job.kind, exc)
        await _fail(job, f"permanent: {exc}", permanent=True)
        return False
    except asyncio.CancelledError:
        # shutting down: hand the job back at once rather than waiting out the lease
        await models.Job.filter(id=job.id, locked_by=job.locked_by).update(
            state=JobState.PENDING,
            locked_until=None,
            locked_by=None,
            attempts=max(job.attempts - 1, 0),
        )
        raise
    except Exception as exc:  # the runner owns retries: record the cause, schedule the next try
        log.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, exc)
        await _fail(job, "".join(traceback.format_exception(exc)), permanent=False)
        return False
    await _finish(job)
    return True


async def drain(rt: Runtime, *, max_rounds: int = 1000, kinds: list[str] | None = None) -> int:
    """Run due jobs until none is left (tests drive background work with this); returns the
    count."""
    done = 0
    for _ in range(max_rounds):
        batch = await claim(rt, limit=50, kinds=kinds)
        if not batch:
            return done
        for job in batch:
            await run_job(rt, job)
            done += 1
    raise RuntimeError(f"drain: jobs still due after {max_rounds} rounds")
