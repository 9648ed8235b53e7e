"""Pinned statuses (Mastodon's StatusPin): a local author pins up to MAX_PINS of their own public,
unlisted or followers-only statuses, announced to followers by Add/Remove on the actor's
`featured` collection; a peer's pins are read from its actor's `featured` collection (at most
MAX_REMOTE_PINS, by a job after the actor is fetched) and kept up by its Add and Remove.
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise.exceptions import IntegrityError

from fedihub import models
from fedihub.accounts import resolver
from fedihub.activitypub import documents as as2
from fedihub.activitypub import parse
from fedihub.errors import BadRequest, Invalid, NotFound, RemoteError
from fedihub.models import Visibility
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.social import documents, remote, statuses, visibility

log = logging.getLogger(__name__)

MAX_PINS = 5  # Mastodon's StatusPinValidator::PIN_LIMIT
MAX_REMOTE_PINS = 10  # of a peer's featured collection, read at most
SYNC_JOB = resolver.FEATURED_JOB
# Mastodon's words (statuses.pin_errors.*)
REBLOG = "A boost cannot be pinned"
OWNERSHIP = "Someone else's post cannot be pinned"
DIRECT = "Posts that are only visible to mentioned users cannot be pinned"
LIMIT = "You have already pinned the maximum number of posts"


async def _visible(actor: models.Actor, status_id: int) -> models.Status:
    status = await models.Status.get_or_none(id=status_id, deleted_at__isnull=True)
    if status is None or not await visibility.can_see(actor, status):
        raise NotFound("Record not found")
    return status


def featured_url(rt: Runtime, actor: models.Actor) -> str:
    return actor.featured_url or rt.urls.featured(actor.username)


async def pin(rt: Runtime, actor: models.Actor, status_id: int) -> models.Status:
    """Pin one's own status (again: no change); Invalid with Mastodon's words when refused."""
    status = await _visible(actor, status_id)
    if status.reblog_of_id is not None:
        raise Invalid(REBLOG, field="id")
    if status.actor_id != actor.id:
        raise Invalid(OWNERSHIP, field="id")
    if status.visibility is Visibility.DIRECT:
        raise Invalid(DIRECT, field="id")
    if await models.Pin.filter(actor_id=actor.id, status_id=status.id).exists():
        return status
    if await models.Pin.filter(actor_id=actor.id).count() >= MAX_PINS:
        raise Invalid(LIMIT, field="id")
    try:
        row = await models.Pin.create(actor=actor, status=status)
    except IntegrityError:  # pinned twice at once
        return status
    await _announce(rt, actor, status, "Add", f"{actor.uri}#pins/{row.id}")
    return status


async def unpin(rt: Runtime, actor: models.Actor, status_id: int) -> models.Status:
    status = await _visible(actor, status_id)
    row = await models.Pin.get_or_none(actor_id=actor.id, status_id=status.id)
    if row is not None:
        await row.delete()
        await _announce(rt, actor, status, "Remove", f"{actor.uri}#pins/{row.id}/remove")
    return status


async def _announce(
    rt: Runtime, actor: models.Actor, status: models.Status, kind: str, ident: str
) -> None:
    """Add/Remove of the status on the featured collection, to the followers (Mastodon's)."""
    if not visibility.federates(status.visibility):
        return
    followers = await publish.follower_actors(actor.id)
    if followers:
        activity = as2.activity(kind, ident, actor.uri, status.uri, target=featured_url(rt, actor))
        await publish.publish(rt, actor, activity, followers)


async def pinned_ids(actor_id: int, status_ids: list[int]) -> set[int]:
    """Which of `status_ids` `actor_id` pinned (one query)."""
    if not status_ids:
        return set()
    return set(
        await models.column(
            models.Pin.filter(actor_id=actor_id, status_id__in=status_ids).values_list(
                "status_id", flat=True
            )
        )
    )


async def featured_items(
    rt: Runtime, actor: models.Actor, requester: models.Actor | None
) -> list[Any]:
    """The `featured` collection's items: the pins `requester` may see, newest pin first; public
    and unlisted ones embedded, followers-only ones by id (Mastodon's); never an institution one."""
    pins = await models.Pin.filter(actor_id=actor.id).order_by("-id").prefetch_related("status")
    shown = [
        p.status
        for p in pins
        if p.status.deleted_at is None and visibility.federates(p.status.visibility)
    ]
    visible = await visibility.visible(requester, shown)
    embedded = [s for s in visible if s.visibility in (Visibility.PUBLIC, Visibility.UNLISTED)]
    notes = dict(
        zip(
            [s.id for s in embedded],
            await documents.note_documents(rt, embedded, with_context=False),
            strict=True,
        )
    )
    return [notes.get(s.id, s.uri) for s in visible]


# ---- peers' pins ---------------------------------------------------------------------------


async def sync_featured(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of SYNC_JOB: read a peer actor's `featured` collection (its first
    MAX_REMOTE_PINS items, one page fetch at most) and keep its pins as it lists them."""
    actor = await models.Actor.get_or_none(
        id=int(payload["actor"]), domain__not_isnull=True, deleted_at__isnull=True
    )
    if actor is None or not actor.featured_url:
        return
    if parse.origin_of(actor.featured_url) != parse.origin_of(actor.uri):
        return  # a server answers for its own actors only
    listed = parse.collection_items(
        await resolver.fetch_document(rt, actor.featured_url), limit=MAX_REMOTE_PINS
    )
    if not listed.items and (listed.first_page is not None or listed.first):
        page = listed.first_page or await resolver.fetch_document(rt, listed.first or "")
        listed = parse.collection_items(page, limit=MAX_REMOTE_PINS)
    budget = remote.FetchBudget(left=2 * MAX_REMOTE_PINS)
    found: list[int] = []
    for item in listed.items:
        try:
            status = await _status_of(rt, actor, item, budget)
        except (RemoteError, BadRequest, NotFound) as exc:
            log.info("a pin of %s not read: %s", actor.uri, exc)
            continue
        if status is not None and status.id not in found:
            found.append(status.id)
    await models.Pin.filter(actor_id=actor.id).exclude(status_id__in=found).delete()
    kept = await pinned_ids(actor.id, found)
    # the collection lists the newest pin first: created oldest first, ids keep that order
    for status_id in reversed(found):
        if status_id not in kept:
            await models.Pin.get_or_create(actor_id=actor.id, status_id=status_id)


async def _status_of(
    rt: Runtime, actor: models.Actor, item: str | parse.ObjectDoc, budget: remote.FetchBudget
) -> models.Status | None:
    """The actor's own status an item names: an embedded object only when it is the actor's own
    on its own server, else fetched from its origin."""
    if isinstance(item, parse.ObjectDoc):
        if parse.host_of(item.id) == actor.domain and item.attributed_to == actor.uri:
            known = await models.Status.get_or_none(uri=item.id)
            status = known or await statuses.insert_remote(rt, actor, item, notify=False)
        else:
            status = await remote.fetch_status(rt, item.id, budget)
    else:
        status = await remote.fetch_status(rt, item, budget)
    if status.actor_id != actor.id or status.deleted_at is not None or status.reblog_of_id:
        return None
    return status


async def receive_add(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """A peer pinned one of its statuses (Add to its featured collection)."""
    if not activity.object_id or not _is_featured(signer, activity.target):
        return
    if await models.Pin.filter(actor_id=signer.id).count() >= MAX_REMOTE_PINS:
        return
    try:
        status = await _status_of(rt, signer, activity.object_id, remote.FetchBudget(left=2))
    except (RemoteError, BadRequest, NotFound):
        return
    if status is not None:
        await models.Pin.get_or_create(actor_id=signer.id, status_id=status.id)


async def receive_remove(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """A peer unpinned one of its statuses."""
    if activity.object_id and _is_featured(signer, activity.target):
        await models.Pin.filter(actor_id=signer.id, status__uri=activity.object_id).delete()


def _is_featured(signer: models.Actor, target: str | None) -> bool:
    return bool(target) and target == signer.featured_url
