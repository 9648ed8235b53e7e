"""Polls' lives after they are posted: votes cast here (counted at once on a local poll, sent to
the author's server for a peer's), votes peers send to local polls, the Update(Question) that
tells followers and voters the new counts, and each poll's end (a `poll` notification to local
voters and to its local author; a local poll's closing federated).

Votes are Mastodon's: the Create of a Note whose `name` is the option's title, in reply to the
Question, addressed to its author alone; they are never stored or shown as statuses. Updates
after votes are grouped: at most one per poll every UPDATE_EVERY_MS (Mastodon waits 3 minutes).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from fedihub import jobs, models
from fedihub.accounts import resolver
from fedihub.activitypub import parse
from fedihub.errors import Invalid, NotFound
from fedihub.jobs import queue
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.social import activities, notifications, poll_rows, statuses, visibility

log = logging.getLogger(__name__)

UPDATE_JOB = "poll_update"
UPDATE_EVERY_MS = 5_000
CLOSE_EVERY_S = 60  # how often ended polls are looked for (PERIODIC_TASKS)
CLOSE_BATCH = 200
REFRESH_JOB = "poll_refresh"
REFRESH_EVERY_MS = 60_000
# Mastodon's words (polls.errors.*)
EXPIRED = "The poll has already ended"
INVALID_CHOICE = "The chosen vote option does not exist"
SELF_VOTE = "You cannot vote in your own polls"
ALREADY_VOTED = "You have already voted on this poll"


async def visible_poll(
    viewer: models.Actor | None, poll_id: int
) -> tuple[models.Poll, models.Status]:
    """A poll and its status, when the viewer may see the status; else NotFound, as for a poll
    that does not exist."""
    poll = await models.Poll.get_or_none(id=poll_id)
    status = (
        await models.Status.get_or_none(id=poll.status_id, deleted_at__isnull=True)
        if poll is not None
        else None
    )
    if poll is None or status is None or not await visibility.can_see(viewer, status):
        raise NotFound("Record not found")
    return poll, status


async def vote(rt: Runtime, voter: models.Actor, poll_id: int, choices: list[int]) -> models.Poll:
    """Cast `voter`'s vote; a local poll counts it at once, a peer's gets it sent (and shows it
    counted here until the peer's next Update). Invalid with Mastodon's words when refused."""
    poll, status = await visible_poll(voter, poll_id)
    if poll_rows.expired(poll):
        raise Invalid(EXPIRED, field="choices")
    chosen = sorted(set(choices))
    if not chosen or any(c < 0 or c >= len(poll.options) for c in chosen):
        raise Invalid(INVALID_CHOICE, field="choices")
    if status.actor_id == voter.id:
        raise Invalid(SELF_VOTE, field="choices")
    earlier = set(
        await models.column(
            models.PollVote.filter(poll_id=poll.id, actor_id=voter.id).values_list(
                "choice", flat=True
            )
        )
    )
    if (not poll.multiple and (earlier or len(chosen) > 1)) or earlier & set(chosen):
        raise Invalid(ALREADY_VOTED, field="choices")
    author = await models.Actor.get(id=status.actor_id)
    try:
        async with in_transaction():
            rows = [
                await models.PollVote.create(poll=poll, actor=voter, choice=choice)
                for choice in chosen
            ]
            if status.local:
                await poll_rows.recount(poll)
            else:
                tallies = list(poll.tallies)
                for choice in chosen:
                    tallies[choice] += 1
                poll.tallies = tallies
                if not earlier and poll.voters_count is not None:
                    poll.voters_count += 1
                await poll.save(update_fields=["tallies", "voters_count"])
                for row in rows:
                    title = poll.options[row.choice]
                    activity = activities.vote(voter, status, author, row, title)
                    await publish.publish(rt, voter, activity, [author])
    except IntegrityError:  # the same vote sent twice at once
        raise Invalid(ALREADY_VOTED, field="choices") from None
    if status.local:
        await schedule_update(rt, poll)
    return poll


async def receive_vote(rt: Runtime, voter: models.Actor, obj: parse.ObjectDoc) -> bool:
    """Count a peer's vote on a local poll: a reply to it whose `name` is one of its options
    (Mastodon's test). Returns whether `obj` was a vote, counted or not: one is never stored as
    a status."""
    if not obj.in_reply_to or not obj.name:
        return False
    status = await models.Status.get_or_none(
        uri=obj.in_reply_to, local=True, deleted_at__isnull=True, object_type="Question"
    )
    poll = await models.Poll.get_or_none(status_id=status.id) if status is not None else None
    if status is None or poll is None or obj.name not in poll.options:
        return False
    if poll_rows.expired(poll) or not await visibility.can_see(voter, status):
        return True
    if (
        not poll.multiple
        and await models.PollVote.filter(poll_id=poll.id, actor_id=voter.id).exists()
    ):
        return True
    try:
        await models.PollVote.create(
            poll_id=poll.id,
            actor_id=voter.id,
            choice=poll.options.index(obj.name),
            uri=obj.id[:768],
        )
    except IntegrityError:  # this vote again, or this option twice
        return True
    await poll_rows.recount(poll)
    await schedule_update(rt, poll)
    return True


async def schedule_update(rt: Runtime, poll: models.Poll) -> None:
    """One Update(Question) per poll at the end of each UPDATE_EVERY_MS with votes in it."""
    now = queue.now_ms()
    bucket = now // UPDATE_EVERY_MS
    key = f"{UPDATE_JOB}:{poll.id}:{bucket}"
    if await models.Job.filter(dedupe_key=key).exists():
        return  # the usual case while votes pour in: a read, not a refused insert
    await queue.enqueue(
        rt,
        UPDATE_JOB,
        {"poll": poll.id, "bucket": bucket},
        dedupe_key=key,
        delay_ms=(bucket + 1) * UPDATE_EVERY_MS - now,
    )


async def send_update(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of UPDATE_JOB: the poll's counts, as they are now, to its audience."""
    poll = await models.Poll.get_or_none(id=int(payload["poll"]))
    if poll is None:
        return
    status = await models.Status.get_or_none(
        id=poll.status_id, local=True, deleted_at__isnull=True
    ).prefetch_related("actor")
    if status is not None:
        await _distribute(rt, status, poll, f"{status.uri}#updates/poll/{payload['bucket']}")


async def _distribute(rt: Runtime, status: models.Status, poll: models.Poll, ident: str) -> None:
    """Update(Question) to those who got the status and to the poll's remote voters."""
    mentioned = await models.Actor.filter(mentioned_in__status_id=status.id)
    recipients = await statuses.recipients_of(status, mentioned)
    if visibility.federates(status.visibility):
        recipients += await models.Actor.filter(
            poll_votes__poll_id=poll.id, domain__not_isnull=True
        ).distinct()
    if recipients:
        activity = await activities.poll_update(rt, status, ident)
        await publish.publish(rt, status.actor, activity, recipients)


async def refresh_soon(rt: Runtime, poll: models.Poll, *, delay_ms: int = 0) -> None:
    """Have a peer's poll read again from its origin, at most once per REFRESH_EVERY_MS (as
    Mastodon refreshes a poll someone looks at, and one that ended, for its final counts)."""
    bucket = (queue.now_ms() + delay_ms) // REFRESH_EVERY_MS
    key = f"{REFRESH_JOB}:{poll.id}:{bucket}"
    if not await models.Job.filter(dedupe_key=key).exists():
        await queue.enqueue(
            rt, REFRESH_JOB, {"poll": poll.id}, dedupe_key=key, delay_ms=delay_ms, max_attempts=3
        )


async def refresh(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of REFRESH_JOB: the Question fetched from its origin, its counts kept."""
    poll = await models.Poll.get_or_none(id=int(payload["poll"]))
    status = (
        await models.Status.get_or_none(
            id=poll.status_id, local=False, deleted_at__isnull=True
        ).prefetch_related("actor")
        if poll is not None
        else None
    )
    if status is None:
        return
    obj = parse.object_doc(await resolver.fetch_document(rt, status.uri))
    if obj.id != status.uri or obj.attributed_to != status.actor.uri:
        raise jobs.PermanentError(f"{status.uri} answered with another object or author")
    await statuses.store_remote(rt, status.actor, obj, notify=False)


async def close_ended(rt: Runtime) -> None:
    """The periodic task: each poll past its end, once, tells its local voters and its local
    author (a `poll` notification), and a local poll's closing goes to its audience."""
    now = datetime.now(UTC)
    due = await models.Poll.filter(expires_at__lte=now, ended_at__isnull=True).limit(CLOSE_BATCH)
    for poll in due:
        status = await models.Status.get_or_none(
            id=poll.status_id, deleted_at__isnull=True
        ).prefetch_related("actor")
        notes: list[models.Notification | None] = []
        async with in_transaction():
            # claimed by whoever sets ended_at first: two workers never notify twice
            if not await models.Poll.filter(id=poll.id, ended_at__isnull=True).update(ended_at=now):
                continue
            if status is None:
                continue
            author = status.actor
            voters = await models.Actor.filter(
                poll_votes__poll_id=poll.id, domain__isnull=True
            ).distinct()
            told = {a.id: a for a in voters if a.id != author.id}
            if author.domain is None:
                told[author.id] = author
            for recipient in told.values():
                notes.append(
                    await notifications.record(recipient, "poll", author, status, own=True)
                )
            if status.local:
                await _distribute(rt, status, poll, f"{status.uri}#updates/closed")
            else:  # its final counts, once its origin has closed it too
                await refresh_soon(rt, poll, delay_ms=REFRESH_EVERY_MS)
        for note in notes:
            await notifications.announce(rt, note)
