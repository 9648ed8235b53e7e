"""Moving accounts, as Mastodon does it: aliases (`alsoKnownAs`), a local user's Move to her new
account, a peer's Move received, and the job that carries followers over.

- Aliases: a local user names her other accounts (`user@domain`, resolved through WebFinger); her
  actor document lists their URIs as `alsoKnownAs` (accounts/activities.py), so she may move
  here from them.
- Moving out (`move`): the new account's actor, fetched fresh, must list the old one among its
  aliases; the old actor then names it in `movedTo`, sends an Update and a `Move` (actor = object =
  old, target = new) to its followers, and its followers on this node move in the job below. A
  moved account posts no more and moves again only after MOVE_COOLDOWN (Mastodon's 30 days).
- Receiving (`on_move`): only an account moves itself (the signer is the Move's object), and the
  target, fetched fresh from its origin (or read here when local), must list the old account in
  its `alsoKnownAs`; otherwise the Move is refused and nothing changes.
- Following over (`move_followers`, the job MOVE_JOB): each local follower of the old account
  follows the new one (a Follow is sent when it is remote), unfollows the old one and gets a
  `move` notification (Pleroma's and Akkoma's type, whose entity names the new account as
  `target`; Mastodon moves followers without one), BATCH followers per job, the next batch
  enqueued by the last.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from fedihub import jobs, models
from fedihub.accounts import activities as actor_activities
from fedihub.accounts import resolver
from fedihub.activitypub import parse
from fedihub.activitypub.documents import activity as as2_activity
from fedihub.errors import (
    BadRequest,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    RemoteGone,
    RemoteNotFound,
)
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.social import follows, notifications

log = logging.getLogger(__name__)
MOVE_JOB = "move_followers"
MOVE_COOLDOWN = timedelta(days=30)
MAX_ALIASES = parse.MAX_ALIASES
BATCH = 100


# ---- aliases -----------------------------------------------------------------------------------


async def aliases(actor: models.Actor) -> list[models.Actor]:
    """The accounts a local actor lists as her other ones, in the order she added them (those
    the node no longer knows are left out)."""
    known = {a.uri: a for a in await models.Actor.filter(uri__in=list(actor.also_known_as or []))}
    return [known[uri] for uri in actor.also_known_as or [] if uri in known]


async def add_alias(rt: Runtime, actor: models.Actor, handle: str) -> models.Actor:
    """List the account `handle` (user@domain or an actor URL) among `actor`'s aliases and tell
    her followers (an Update of her actor); returns the alias."""
    if not handle.strip():
        raise Invalid("acct: name the account, as user@example.org", field="acct")
    try:
        other = await resolver.resolve_account(rt, handle)
    except (NotFound, RemoteNotFound):
        raise Invalid(f"acct: no account {handle.strip()} was found", field="acct") from None
    if other.id == actor.id:
        raise Invalid("acct: an account cannot be its own alias", field="acct")
    current = list(actor.also_known_as or [])
    if other.uri in current:
        return other
    if len(current) >= MAX_ALIASES:
        raise Invalid(f"acct: at most {MAX_ALIASES} aliases", field="acct")
    actor.also_known_as = [*current, other.uri]
    await actor.save(update_fields=["also_known_as"])
    await _announce_profile(rt, actor)
    return other


async def remove_alias(rt: Runtime, actor: models.Actor, uri: str) -> None:
    """Drop an alias (by actor URI); nothing happens when it is not one."""
    current = list(actor.also_known_as or [])
    if uri not in current:
        return
    actor.also_known_as = [u for u in current if u != uri]
    await actor.save(update_fields=["also_known_as"])
    await _announce_profile(rt, actor)


async def _announce_profile(rt: Runtime, actor: models.Actor) -> None:
    update = await actor_activities.update_actor(rt, actor)
    await publish.publish(rt, actor, update, await publish.follower_actors(actor.id))


# ---- moving out --------------------------------------------------------------------------------


def may_move_at(actor: models.Actor) -> datetime | None:
    """When `actor` may move again (None: now)."""
    if actor.moved_at is None:
        return None
    at = actor.moved_at + MOVE_COOLDOWN
    return at if at > datetime.now(UTC) else None


def move_activity(old: models.Actor, new: models.Actor, at: datetime) -> dict[str, Any]:
    return as2_activity(
        "Move",
        f"{old.uri}#moves/{int(at.timestamp())}",
        old.uri,
        old.uri,
        target=new.uri,
        to=[old.followers_url] if old.followers_url else [],
    )


async def move(rt: Runtime, actor: models.Actor, handle: str) -> models.Actor:
    """Move the local `actor` to the account `handle`, which must list her as an alias; her
    followers are told (remote ones by a Move, local ones moved by a job). Returns the target."""
    if actor.domain is not None:
        raise Forbidden("only a local account moves from here")
    if may_move_at(actor) is not None:
        raise RateLimited("an account moves at most once in 30 days")
    if not handle.strip():
        raise Invalid("acct: name the new account, as user@example.org", field="acct")
    try:
        target = await resolver.resolve_account(rt, handle)
        if target.domain is not None:
            # its aliases as they are now, not as cached: the list decides who may move in
            target = await resolver.fetch_actor(rt, target.uri, refresh=True)
    except (NotFound, RemoteNotFound):
        raise Invalid(f"acct: no account {handle.strip()} was found", field="acct") from None
    if target.id == actor.id:
        raise Invalid("acct: an account cannot move to itself", field="acct")
    if target.moved_to_id is not None or target.deleted_at is not None:
        raise Invalid("acct: that account has itself moved or is gone", field="acct")
    if actor.uri not in (target.also_known_as or []):
        raise Invalid(
            f"acct: {handle.strip()} does not list this account as an alias: add it there first",
            field="acct",
        )
    now = datetime.now(UTC)
    actor.moved_to_id, actor.moved_to_uri, actor.moved_at = target.id, target.uri, now
    await actor.save(update_fields=["moved_to_id", "moved_to_uri", "moved_at"])
    followers = await publish.follower_actors(actor.id)
    await publish.publish(rt, actor, await actor_activities.update_actor(rt, actor), followers)
    await publish.publish(rt, actor, move_activity(actor, target, now), followers)
    await enqueue_followers(rt, actor, target)
    log.info("%s moved to %s", actor.uri, target.uri)
    return target


# ---- receiving ---------------------------------------------------------------------------------


async def on_move(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    """The inbox handler of Move: checked, then the followers here follow the target (a job)."""
    if activity.actor != signer.uri or activity.object_id != signer.uri:
        raise Forbidden("an account can only move itself")
    target_uri = parse.http_url(activity.target)
    if target_uri is None or target_uri == signer.uri:
        raise BadRequest("a Move names the new account as its target")
    if resolver.is_local_uri(rt, target_uri):
        target = await models.Actor.get_or_none(
            uri=target_uri, domain=None, deleted_at__isnull=True
        )
        if target is None:
            raise BadRequest("the Move's target is no account here")
    else:
        # fetched fresh from its own origin: a cached list could be stale or planted
        try:
            target = await resolver.fetch_actor(rt, target_uri, refresh=True)
        except (RemoteNotFound, RemoteGone):
            raise BadRequest("the Move's target is no account on its server") from None
    if signer.uri not in (target.also_known_as or []):
        raise Forbidden("the Move's target does not list the moving account in alsoKnownAs")
    now = datetime.now(UTC)
    await models.Actor.filter(id=signer.id).update(
        moved_to_id=target.id, moved_to_uri=target.uri, moved_at=now
    )
    signer.moved_to_id, signer.moved_to_uri, signer.moved_at = target.id, target.uri, now
    await enqueue_followers(rt, signer, target)


# ---- following over ----------------------------------------------------------------------------


async def enqueue_followers(rt: Runtime, old: models.Actor, new: models.Actor) -> None:
    stamp = int((old.moved_at or datetime.now(UTC)).timestamp())
    await jobs.enqueue(
        rt,
        MOVE_JOB,
        {"from": old.id, "to": new.id, "after": 0},
        dedupe_key=f"{MOVE_JOB}:{old.id}:{new.id}:{stamp}:0",
    )


async def move_followers(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of MOVE_JOB: one batch of the old account's local followers."""
    old = await models.Actor.get_or_none(id=int(payload["from"]))
    new = await models.Actor.get_or_none(id=int(payload["to"]), deleted_at__isnull=True)
    if old is None or new is None or old.moved_to_id != new.id:
        return  # gone, or moved elsewhere since
    after = int(payload.get("after") or 0)
    rows = (
        await models.Follow.filter(
            target_id=old.id,
            id__gt=after,
            state=models.FollowState.ACCEPTED,
            follower__domain__isnull=True,
            follower__deleted_at__isnull=True,
        )
        .order_by("id")
        .limit(BATCH)
        .prefetch_related("follower")
    )
    for row in rows:
        await _move_one(rt, row.follower, old, new)
    if len(rows) == BATCH:
        stamp = int((old.moved_at or datetime.now(UTC)).timestamp())
        await jobs.enqueue(
            rt,
            MOVE_JOB,
            {"from": old.id, "to": new.id, "after": rows[-1].id},
            dedupe_key=f"{MOVE_JOB}:{old.id}:{new.id}:{stamp}:{rows[-1].id}",
        )


async def _move_one(
    rt: Runtime, follower: models.Actor, old: models.Actor, new: models.Actor
) -> None:
    if follower.id != new.id:
        try:
            await follows.follow(rt, follower, new)
        except (Forbidden, Invalid) as exc:
            # a block either way: the follower stays where she was, as on Mastodon
            log.info("%s not moved to %s: %s", follower.uri, new.uri, exc.public)
            return
    await follows.unfollow(rt, follower, old)
    told = models.Notification.filter(recipient_id=follower.id, kind="move", from_actor_id=old.id)
    if not await told.exists():  # a retried batch tells nobody twice
        await notifications.notify(rt, follower, "move", old)


__all__ = [
    "BATCH",
    "MAX_ALIASES",
    "MOVE_COOLDOWN",
    "MOVE_JOB",
    "add_alias",
    "aliases",
    "enqueue_followers",
    "may_move_at",
    "move",
    "move_activity",
    "move_followers",
    "on_move",
    "remove_alias",
]
