"""Which streams hear of a status or a notification, and what they are sent (Mastodon's events).

`on_status` and `on_notification` are the listeners of social/ in node.STATUS_LISTENERS and
node.NOTIFICATION_LISTENERS; they publish only where a bus runs (the web app, `fedihub worker`).
Channels, per visibility (social/visibility.py's rules, so nothing reaches a stream whose user
may not see it):
- `user:<actor id>`: the local author, local accepted followers (not for direct) but those who put
  the author in an exclusive list, local mentioned, and for a public status the local followers of
  its hashtags (timelines.home's rules); minus those who blocked or muted the author or whom the
  author blocked;
- `list:<list id>`: the lists whose timeline shows the status (social/lists.hearing);
- for a boost, of all these, only those who may read what it boosts (visibility.local_audience);
- `public`, `public:local` | `public:remote`, `hashtag:<tag>`, `hashtag:local:<tag>`: public
  statuses only (never unlisted, private, direct or institution), boosts excepted;
- `direct:<actor id>`: the local author and local mentioned actors of a direct status.
Payloads are rendered once for everybody (viewer-free, as Mastodon's streaming does); a
conversation event is rendered per recipient.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from tortoise.queryset import QuerySet

from fedihub import events, models
from fedihub.activitypub.vocabulary import STATUS_TYPES
from fedihub.api import conversations
from fedihub.api.entities import notification as notification_entities
from fedihub.api.entities import status as status_entities
from fedihub.models import FollowState, Visibility
from fedihub.moderation import policy
from fedihub.runtime import Runtime
from fedihub.social import events_hooks, followed_tags, lists, visibility

_EVENT = {events_hooks.CREATED: "update", events_hooks.EDITED: "status.update"}
_FOLLOWER_LEVELS = (
    Visibility.PUBLIC,
    Visibility.UNLISTED,
    Visibility.PRIVATE,
    Visibility.INSTITUTION,
)
log = logging.getLogger(__name__)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


async def _ids(query: QuerySet[Any], column: str) -> set[int]:
    return {int(value) for (value,) in await query.values_list(column)}


async def _hidden(author_id: int) -> set[int]:
    """Those who blocked or muted the author, and those the author blocked: a handful of rows,
    fetched by the author's id (never an IN list of every follower)."""
    hidden: set[int] = set()
    for query, column in (
        (models.Block.filter(target_id=author_id), "actor_id"),
        (models.Block.filter(actor_id=author_id), "target_id"),
        (models.Mute.filter(target_id=author_id), "actor_id"),
    ):
        hidden.update(await _ids(query, column))
    hidden.discard(author_id)
    return hidden


async def _followers(status: models.Status) -> set[int]:
    """Local accepted followers whose home shows the author: not those with the author in an
    exclusive list."""
    followers = models.Follow.filter(
        target_id=status.actor_id, state=FollowState.ACCEPTED, follower__domain__isnull=True
    )
    exclusive = models.ListAccount.filter(actor_id=status.actor_id, list__exclusive=True)
    return await _ids(followers, "follower_id") - await _ids(exclusive, "list__owner_id")


async def _local_recipients(
    status: models.Status, tags: list[str], hidden: set[int]
) -> tuple[set[int], set[int]]:
    """(home-stream actor ids, direct-stream actor ids) for a status, blocks and mutes removed."""
    author = await models.Actor.get(id=status.actor_id)
    mentions = models.Mention.filter(status_id=status.id, actor__domain__isnull=True)
    mentioned = await _ids(mentions, "actor_id")
    home = set(mentioned)
    if status.visibility in _FOLLOWER_LEVELS:
        home.update(await _followers(status))
    if status.visibility is Visibility.PUBLIC:
        home.update(await followed_tags.local_followers(tags))
    if author.domain is None:
        home.add(author.id)
    home -= hidden
    direct = (mentioned - hidden) | ({author.id} if author.domain is None else set())
    return home, (direct if status.visibility is Visibility.DIRECT else set())


async def _may_read_boost(boost: models.Status, candidates: set[int]) -> set[int]:
    original = await models.Status.get_or_none(id=boost.reblog_of_id)
    if original is None or original.reblog_of_id is not None:
        return set()
    return await visibility.local_audience([boost, original], candidates)


async def channels_for(status: models.Status) -> tuple[list[str], list[int]]:
    """Every channel that hears of `status` except the direct ones, and the direct recipients."""
    if status.object_type not in STATUS_TYPES and status.reblog_of_id is None:
        return [], []
    listed = status.visibility is Visibility.PUBLIC and status.reblog_of_id is None
    if listed and not status.local:
        # a silenced server's posts reach only its accounts' followers (home), as on Mastodon
        silenced = models.Status.filter(policy.silenced_authors(), id=status.id)
        listed = not await silenced.exists()
    # boosts carry no tags of their own
    tagged = models.StatusTag.filter(status_id=status.id)
    tags = [str(name) for (name,) in await tagged.values_list("name")] if listed else []
    hidden = await _hidden(status.actor_id)
    home, direct = await _local_recipients(status, tags, hidden)
    heard = await lists.hearing_with_owners(status, hidden)
    if status.reblog_of_id is not None:
        # a boost reaches only those who may read what it boosts (whatever let it in)
        allowed = await _may_read_boost(status, home | {owner for _, owner in heard})
        home &= allowed
        heard = [(list_id, owner) for list_id, owner in heard if owner in allowed]
    channels = [f"user:{i}" for i in sorted(home)]
    channels.extend(f"list:{i}" for i in sorted(list_id for list_id, _ in heard))
    if listed:
        channels.append("public")
        channels.append("public:local" if status.local else "public:remote")
        for name in tags:
            channels.append(f"hashtag:{name}")
            if status.local:
                channels.append(f"hashtag:local:{name}")
    return channels, sorted(direct)


async def status_payload(rt: Runtime, status_id: int) -> str | None:
    status = await models.Status.get_or_none(id=status_id, deleted_at__isnull=True)
    return None if status is None else _json(await status_entities.broadcast(rt, status))


async def conversation_payload(rt: Runtime, status_id: int, viewer_id: int) -> str | None:
    status = await models.Status.get_or_none(id=status_id, deleted_at__isnull=True)
    viewer = await models.Actor.get_or_none(id=viewer_id)
    if status is None or viewer is None:
        return None
    bodies = await conversations.entities(rt, [status], viewer)
    return _json(bodies[0]) if bodies else None


async def notification_payload(rt: Runtime, notification_id: int) -> str | None:
    row = await models.Notification.get_or_none(id=notification_id)
    if row is None:
        return None
    viewer = await models.Actor.get(id=row.recipient_id)
    bodies = await notification_entities.notifications(rt, [row], viewer)
    return _json(bodies[0]) if bodies else None


async def payload_of(rt: Runtime, event: events.Event) -> str | None:
    """The event's payload, reloaded from its `ref` when it travelled without one."""
    if event.get("payload") is not None:
        return str(event["payload"])
    ref = event.get("ref") or {}
    if "notification_id" in ref:
        return await notification_payload(rt, int(ref["notification_id"]))
    if "viewer_id" in ref:
        return await conversation_payload(rt, int(ref["status_id"]), int(ref["viewer_id"]))
    if "status_id" in ref:
        return await status_payload(rt, int(ref["status_id"]))
    return None


def _heard(rt: Runtime) -> bool:
    """Whether events published now can reach a stream: on a node whose only bus is this
    process's (SQLite) and no client streams, working out channels and payloads is skipped."""
    return rt.bus is not None and rt.bus.may_reach()


async def on_status(rt: Runtime, change: str, status: models.Status) -> None:
    """A status listener: publish update / status.update / delete to the streams concerned."""
    if not _heard(rt):
        return
    channels, direct = await channels_for(status)
    ref = {"status_id": str(status.id)}
    common = {"actor_id": status.actor_id, "ref": ref}
    batch: list[events.Event] = []
    if change == events_hooks.DELETED:
        for channel in [*channels, *(f"direct:{i}" for i in direct)]:
            batch.append(
                {"channel": channel, "event": "delete", "payload": str(status.id), **common}
            )
    else:
        if status.deleted_at is not None:
            return
        # the status as its change left it: no need to read it back
        payload = _json(await status_entities.broadcast(rt, status))
        name = _EVENT[change]
        batch.extend({"channel": c, "event": name, "payload": payload, **common} for c in channels)
        for viewer_id in direct:
            batch.append(
                {
                    "channel": f"direct:{viewer_id}",
                    "event": "conversation",
                    "actor_id": status.actor_id,
                    "payload": await conversation_payload(rt, status.id, viewer_id),
                    "ref": {**ref, "viewer_id": str(viewer_id)},
                }
            )
    await events.publish_many(rt.bus, batch)


async def on_notification(rt: Runtime, row: models.Notification) -> None:
    """A notification listener: publish it to the recipient's user streams."""
    if not _heard(rt):
        return
    payload = await notification_payload(rt, row.id)
    if payload is None:
        return
    ref = {"notification_id": str(row.id)}
    await events.publish_many(
        rt.bus,
        [
            {
                "channel": channel,
                "event": "notification",
                "payload": payload,
                "ref": ref,
                "actor_id": row.from_actor_id,
            }
            for channel in (f"user:{row.recipient_id}", f"user:notification:{row.recipient_id}")
        ],
    )
