"""Scheduled statuses (Mastodon's): keep a post until its time, then publish it exactly once.

Scheduling checks the post as posting does (statuses.check_new), then Mastodon's rules: more than
five minutes ahead, at most 25 a day and 300 in all per account; its media are held by it.

Publishing is job-driven. A periodic sweep enqueues one job per status coming due, keyed
`scheduled_status:<id>:<time in ms>` and set to run at that time: however many workers sweep,
one job exists per (status, time), and a status moved to another time gets a new one (the old
job finds the time changed and does nothing). The job claims the row (`publishing_at`, set by a
conditional update, so a second publisher stands back) and posts through statuses.create with the
idempotency key `scheduled:<id>`: a worker that dies after posting leaves a claim that goes stale
and a job that is run again, and that run finds the status already posted instead of posting a
second one. Lateness is logged per publication and counted in /metrics (see `overdue_seconds`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from fedihub import metrics, models
from fedihub.errors import Forbidden, Invalid, NotFound
from fedihub.jobs import queue
from fedihub.models import Visibility
from fedihub.runtime import Runtime
from fedihub.social import poll_rows, statuses

log = logging.getLogger(__name__)

MIN_OFFSET = timedelta(minutes=5)  # Mastodon's ScheduledStatus::MINIMUM_OFFSET
TOTAL_LIMIT = 300
DAILY_LIMIT = 25
TOO_SOON = (
    "Scheduled at date must be in the future"  # Mastodon's words (scheduled_statuses.too_soon)
)
BAD_TIME = "Scheduled at is not a valid date and time (ISO 8601)"
JOB_KIND = "scheduled_status"
SWEEP_EVERY_S = 30  # the runner ticks periodic tasks every 30 s
# a status is enqueued this long before its time, so one or two missed sweeps do not make it late
HORIZON = timedelta(minutes=2)
SWEEP_BATCH = 1000
# longer than a job attempt may run (queue.ATTEMPT_TIMEOUT_S): an older claim is a dead worker's
STALE_CLAIM = timedelta(minutes=2)
IDEMPOTENCY_PREFIX = "scheduled:"

metrics.describe(
    "fedihub_scheduled_statuses_published_total", "Scheduled statuses this process published"
)
metrics.describe(
    "fedihub_scheduled_statuses_lateness_seconds_total",
    "Sum of the delays between a scheduled status's time and its publication (this process)",
)


class NotPublishable(Exception):
    """Publishing must wait: another worker holds the claim, or the time has not come here yet."""


def parse_time(raw: str | None) -> datetime | None:
    """Mastodon's `scheduled_at` (ISO 8601; without an offset it is UTC); None when blank."""
    if raw is None or not raw.strip():
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise Invalid(BAD_TIME, field="scheduled_at") from None
    if value.year > 9998:  # the day limit's arithmetic must stay within datetime's range
        raise Invalid(BAD_TIME, field="scheduled_at")
    return value


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


async def _check_time(
    actor_id: int, at: datetime, now: datetime, moving: int | None = None
) -> None:
    if at <= now + MIN_OFFSET:
        raise Invalid(TOO_SOON, field="scheduled_at")
    mine = models.ScheduledStatus.filter(actor_id=actor_id)
    if moving is not None:
        mine = mine.exclude(id=moving)
    elif await mine.count() >= TOTAL_LIMIT:
        raise Invalid(f"You have exceeded the limit of {TOTAL_LIMIT} scheduled posts")
    day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if (
        await mine.filter(scheduled_at__gte=day, scheduled_at__lt=day + timedelta(days=1)).count()
        >= DAILY_LIMIT
    ):
        raise Invalid(f"You have exceeded the limit of {DAILY_LIMIT} scheduled posts for today")


async def schedule(
    author: models.User,
    scheduled_at: datetime,
    draft: statuses.Draft,
    *,
    application_id: int | None = None,
    now: datetime | None = None,
) -> models.ScheduledStatus:
    """Keep a post of `author`'s for `scheduled_at`; its media are held by it until then."""
    key = draft.idempotency_key
    mine = models.ScheduledStatus.filter(actor_id=author.actor_id)
    earlier = await mine.get_or_none(idempotency_key=key) if key else None
    if earlier is not None:  # the same request again (Mastodon's Idempotency-Key)
        return earlier
    actor = await models.Actor.get(id=author.actor_id)
    media, _ = await statuses.check_new(actor, draft)
    await _check_time(actor.id, scheduled_at, now or datetime.now(UTC))
    # Mastodon's `params`, as its API shows them (scheduled_at and idempotency are null there)
    params: dict[str, object] = {
        "text": draft.text_source,
        "poll": draft.poll.as_params() if draft.poll is not None else None,
        "media_ids": [str(m.id) for m in media] or None,
        "sensitive": draft.sensitive,
        "spoiler_text": draft.spoiler_text,
        "visibility": draft.visibility_level.value,
        "in_reply_to_id": draft.in_reply_to_id,
        "language": draft.language or None,
        "application_id": application_id,
        "scheduled_at": None,
        "idempotency": None,
        "with_rate_limit": False,
    }
    try:
        async with in_transaction():
            row = await models.ScheduledStatus.create(
                actor_id=actor.id, scheduled_at=scheduled_at, params=params, idempotency_key=key
            )
            for position, item in enumerate(media):
                held = await models.MediaAttachment.filter(
                    id=item.id, status_id=None, scheduled_status_id=None
                ).update(scheduled_status_id=row.id, position=position)
                if not held:  # taken by another post since it was checked
                    raise Invalid(statuses.MEDIA_UNAVAILABLE, field="media_ids")
    except IntegrityError:  # the same Idempotency-Key twice at once
        if not key:
            raise
        return await models.ScheduledStatus.get(actor_id=actor.id, idempotency_key=key)
    return row


async def own(actor: models.Actor, scheduled_id: int) -> models.ScheduledStatus:
    """One of `actor`'s scheduled statuses that is not being published (others are not found)."""
    row = await models.ScheduledStatus.get_or_none(
        id=scheduled_id, actor_id=actor.id, publishing_at__isnull=True
    )
    if row is None:
        raise NotFound("Record not found")
    return row


async def reschedule(
    actor: models.Actor, scheduled_id: int, scheduled_at: datetime, *, now: datetime | None = None
) -> models.ScheduledStatus:
    """Move one of `actor`'s scheduled statuses to another time (Mastodon's rules apply again)."""
    row = await own(actor, scheduled_id)
    await _check_time(actor.id, scheduled_at, now or datetime.now(UTC), moving=row.id)
    moved = await models.ScheduledStatus.filter(id=row.id, publishing_at__isnull=True).update(
        scheduled_at=scheduled_at
    )
    if not moved:  # its time came while this request ran: it is being published
        raise NotFound("Record not found")
    row.scheduled_at = scheduled_at
    return row


async def cancel(actor: models.Actor, scheduled_id: int) -> None:
    """Delete one of `actor`'s scheduled statuses; its media become free uploads again."""
    async with in_transaction():
        gone = await models.ScheduledStatus.filter(
            id=scheduled_id, actor_id=actor.id, publishing_at__isnull=True
        ).delete()
        if not gone:
            raise NotFound("Record not found")
        await models.MediaAttachment.filter(scheduled_status_id=scheduled_id).update(
            scheduled_status_id=None
        )


# ---- publishing --------------------------------------------------------------------------------


async def sweep(rt: Runtime) -> None:
    """The periodic task (every SWEEP_EVERY_S): enqueue what comes due."""
    await enqueue_due(rt)


async def enqueue_due(rt: Runtime, now: datetime | None = None) -> int:
    """Enqueue a publishing job, to run at its time, for each status due by `now` + HORIZON;
    returns how many jobs were new (a status already enqueued for its time is skipped)."""
    horizon = (now or datetime.now(UTC)) + HORIZON
    due = await (
        models.ScheduledStatus.filter(scheduled_at__lte=horizon, publishing_at__isnull=True)
        .order_by("scheduled_at")
        .limit(SWEEP_BATCH)
        .values_list("id", "scheduled_at")
    )
    made = 0
    for scheduled_id, at in due:
        at_ms = _ms(at)
        job = await queue.enqueue(
            rt,
            JOB_KIND,
            {"id": scheduled_id, "at": at_ms},
            dedupe_key=f"{JOB_KIND}:{scheduled_id}:{at_ms}",
            delay_ms=max(0, at_ms - queue.now_ms()),
        )
        made += job is not None
    return made


async def publish_job(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of JOB_KIND."""
    await publish(rt, int(payload["id"]), int(payload["at"]))


async def publish(rt: Runtime, scheduled_id: int, at_ms: int | None = None) -> models.Status | None:
    """Publish a due scheduled status once; None when there is nothing to publish (cancelled,
    published already, or moved away from `at_ms`). Raises NotPublishable to be tried later."""
    now = datetime.now(UTC)
    row = await models.ScheduledStatus.get_or_none(id=scheduled_id)
    if row is None or (at_ms is not None and _ms(row.scheduled_at) != at_ms):
        return None
    if row.scheduled_at > now:  # this worker's clock is behind the one that enqueued the job
        raise NotPublishable(f"scheduled status {scheduled_id} is not due yet")
    claimed = await models.ScheduledStatus.filter(
        Q(publishing_at__isnull=True) | Q(publishing_at__lt=now - STALE_CLAIM),
        id=scheduled_id,
        scheduled_at__lte=now,
    ).update(publishing_at=now)
    if not claimed:
        if await models.ScheduledStatus.exists(id=scheduled_id, publishing_at__isnull=False):
            raise NotPublishable(
                f"scheduled status {scheduled_id} is being published by another worker"
            )
        return None  # cancelled or moved meanwhile
    try:
        status = await _post(rt, row)
    except (Invalid, NotFound, Forbidden) as exc:
        # it can never be posted (the status it replies to is gone, the account is disabled):
        # Mastodon drops it too; the job keeps the reason
        await _drop(row.id)
        raise queue.PermanentError(
            f"scheduled status {scheduled_id} cannot be posted: {exc.public}"
        ) from exc
    except BaseException:
        # hand the claim back at once; a status it did post is found again by its idempotency key
        await models.ScheduledStatus.filter(id=scheduled_id, publishing_at=now).update(
            publishing_at=None
        )
        raise
    await models.ScheduledStatus.filter(id=scheduled_id).delete()
    late = max(0.0, (datetime.now(UTC) - row.scheduled_at).total_seconds())
    metrics.inc("fedihub_scheduled_statuses_published_total")
    metrics.inc("fedihub_scheduled_statuses_lateness_seconds_total", late)
    log.info(
        "published scheduled status %s as status %s, %.1f s after its time",
        scheduled_id,
        status.id,
        late,
    )
    return status


async def _post(rt: Runtime, row: models.ScheduledStatus) -> models.Status:
    user = await models.User.get_or_none(actor_id=row.actor_id)
    if user is None or user.disabled:
        raise Forbidden("the author's account is disabled")
    p = row.params
    key = f"{IDEMPOTENCY_PREFIX}{row.id}"
    reply_to = p.get("in_reply_to_id")
    draft = statuses.Draft(
        text_source=str(p.get("text") or ""),
        visibility_level=Visibility(str(p.get("visibility") or Visibility.PUBLIC.value)),
        spoiler_text=str(p.get("spoiler_text") or ""),
        sensitive=bool(p.get("sensitive")),
        language=str(p["language"]) if p.get("language") else None,
        in_reply_to_id=int(str(reply_to)) if reply_to else None,
        media_ids=_ids(p.get("media_ids")),
        idempotency_key=key,
        poll=poll_rows.PollDraft.from_params(p.get("poll")),
    )
    try:
        return await statuses.create(rt, user, draft, scheduled_status_id=row.id)
    except IntegrityError:
        # a publisher whose claim went stale (but who lived) posted it meanwhile: one status
        return await models.Status.get(actor_id=row.actor_id, idempotency_key=key)


def _ids(value: object) -> tuple[int, ...]:
    return tuple(int(str(v)) for v in value) if isinstance(value, list) else ()


async def _drop(scheduled_id: int) -> None:
    async with in_transaction():
        await models.ScheduledStatus.filter(id=scheduled_id).delete()
        await models.MediaAttachment.filter(scheduled_status_id=scheduled_id).update(
            scheduled_status_id=None
        )


async def overdue_seconds(now: datetime | None = None) -> float:
    """How long the oldest scheduled status past its time has waited (0 when none has)."""
    at = now or datetime.now(UTC)
    oldest = (
        await models.ScheduledStatus.filter(scheduled_at__lte=at).order_by("scheduled_at").first()
    )
    return max(0.0, (at - oldest.scheduled_at).total_seconds()) if oldest else 0.0
