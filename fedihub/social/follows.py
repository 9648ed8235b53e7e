"""Follows: requests, approval of locked accounts, unfollows, and their federation.

A follow of a local account is settled at once (accepted, or pending for a locked account). A
follow of a remote account is stored pending and a Follow activity is sent; the peer's Accept
settles it (shared/README: clients expect `requested: true` at once).
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.errors import Forbidden, Invalid, NotFound
from fedihub.models import FollowState
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.social import activities, counters, notifications


async def _blocked_either_way(a: int, b: int) -> bool:
    return await models.Block.filter(actor_id__in=[a, b], target_id__in=[a, b]).exists()


async def follow(rt: Runtime, follower: models.Actor, target: models.Actor) -> models.Follow:
    """`follower` (local) follows `target`; returns the Follow (accepted or pending)."""
    if follower.id == target.id:
        raise Invalid("you cannot follow yourself", field="id")
    if await _blocked_either_way(follower.id, target.id):
        raise Forbidden("this account cannot be followed")
    existing = await models.Follow.get_or_none(follower_id=follower.id, target_id=target.id)
    if existing is not None:
        return existing
    state = (
        FollowState.PENDING
        if (target.domain is not None or target.manually_approves)
        else FollowState.ACCEPTED
    )
    try:
        async with in_transaction():
            row = await models.Follow.create(follower=follower, target=target, state=state)
            row.uri = f"{follower.uri}#follows/{row.id}"
            await row.save(update_fields=["uri"])
            if target.domain is not None:
                await publish.publish(
                    rt, follower, activities.follow(follower, target, row), [target]
                )
    except IntegrityError:  # a concurrent request made the same follow
        return await models.Follow.get(follower_id=follower.id, target_id=target.id)
    if target.domain is None:
        await notifications.notify(
            rt, target, "follow" if state is FollowState.ACCEPTED else "follow_request", follower
        )
        await counters.refresh_follow_counts(follower.id, target.id)
    return row


async def unfollow(rt: Runtime, follower: models.Actor, target: models.Actor) -> None:
    row = await models.Follow.get_or_none(follower_id=follower.id, target_id=target.id)
    if row is None:
        return
    async with in_transaction():
        await row.delete()
        if target.domain is not None and follower.domain is None:
            inner = activities.follow(follower, target, row)
            await publish.publish(
                rt, follower, activities.undo(follower, inner, to=[target.uri]), [target]
            )
    await notifications.withdraw(target.id, "follow", follower.id)
    await notifications.withdraw(target.id, "follow_request", follower.id)
    await counters.refresh_follow_counts(follower.id, target.id)


async def _pending_request(target: models.Actor, follower_id: int) -> models.Follow:
    row = await models.Follow.get_or_none(
        follower_id=follower_id, target_id=target.id, state=FollowState.PENDING
    ).prefetch_related("follower")
    if row is None:
        raise NotFound("no such follow request")
    return row


async def accept(rt: Runtime, target: models.Actor, follower_id: int) -> models.Follow:
    """A local locked `target` approves a pending request from `follower_id`."""
    row = await _pending_request(target, follower_id)
    async with in_transaction():
        row.state = FollowState.ACCEPTED
        await row.save(update_fields=["state"])
        if row.follower.domain is not None:
            await publish.publish(
                rt, target, activities.accept_follow(target, row.follower, row), [row.follower]
            )
    await notifications.withdraw(target.id, "follow_request", row.follower_id)
    await notifications.notify(rt, target, "follow", row.follower)
    await counters.refresh_follow_counts(target.id, row.follower_id)
    return row


async def reject(rt: Runtime, target: models.Actor, follower_id: int) -> None:
    row = await _pending_request(target, follower_id)
    async with in_transaction():
        await row.delete()
        if row.follower.domain is not None:
            await publish.publish(
                rt, target, activities.reject_follow(target, row.follower, row), [row.follower]
            )
    await notifications.withdraw(target.id, "follow_request", row.follower_id)


# ---- from the inbox ----------------------------------------------------------------------------


async def receive_follow(
    rt: Runtime, follower: models.Actor, target: models.Actor, uri: str
) -> None:
    """A remote `follower` asks to follow local `target` (Follow activity `uri`)."""
    if await models.Block.filter(actor_id=target.id, target_id=follower.id).exists():
        row = models.Follow(id=0, follower=follower, target=target, uri=uri)
        await publish.publish(
            rt, target, activities.reject_follow(target, follower, row), [follower]
        )
        return
    existing = await models.Follow.get_or_none(follower_id=follower.id, target_id=target.id)
    if existing is None:
        state = FollowState.PENDING if target.manually_approves else FollowState.ACCEPTED
        kind = "follow" if state is FollowState.ACCEPTED else "follow_request"
        try:
            async with in_transaction():  # the follow and its notification, or neither
                row = await models.Follow.create(
                    follower=follower, target=target, state=state, uri=uri
                )
                note = await notifications.record(target, kind, follower)
        except IntegrityError:
            row = await models.Follow.get(follower_id=follower.id, target_id=target.id)
        else:
            await notifications.announce(rt, note)
    else:
        row = existing
        if row.uri != uri:
            # a repeated Follow (the peer lost our Accept): answer the new id
            row.uri = uri
            await row.save(update_fields=["uri"])
    if row.state is FollowState.ACCEPTED:
        await publish.publish(
            rt, target, activities.accept_follow(target, follower, row), [follower]
        )
    await counters.refresh_follow_counts(follower.id, target.id)


async def find_outgoing(
    follower: models.Actor, target_uri: str | None, follow_uri: str | None
) -> models.Follow | None:
    """Our follow that a peer's Accept/Reject refers to, by the Follow's id or by its target."""
    if follow_uri:
        row = await models.Follow.get_or_none(uri=follow_uri, target_id=follower.id)
        if row is not None:
            return row
    if target_uri:
        # bovine's Accept carries only the Follow's id; Mastodon's carries the whole Follow
        local = await models.Actor.get_or_none(uri=target_uri, domain=None)
        if local is not None:
            return await models.Follow.get_or_none(follower_id=local.id, target_id=follower.id)
    return None


async def receive_accept(rt: Runtime, remote: models.Actor, follow_row: models.Follow) -> None:
    if follow_row.state is not FollowState.ACCEPTED:
        follow_row.state = FollowState.ACCEPTED
        await follow_row.save(update_fields=["state"])
        await counters.refresh_follow_counts(follow_row.follower_id, remote.id)


async def receive_reject(rt: Runtime, remote: models.Actor, follow_row: models.Follow) -> None:
    await follow_row.delete()
    await counters.refresh_follow_counts(follow_row.follower_id, remote.id)


async def receive_undo(
    rt: Runtime, follower: models.Actor, target_uri: str | None, uri: str | None
) -> None:
    query = models.Follow.filter(follower_id=follower.id)
    row = await query.filter(uri=uri).first() if uri else None
    if row is None and target_uri:
        target = await models.Actor.get_or_none(uri=target_uri, domain=None)
        row = await query.filter(target_id=target.id).first() if target else None
    if row is None:
        return
    await row.delete()
    await notifications.withdraw(row.target_id, "follow", follower.id)
    await notifications.withdraw(row.target_id, "follow_request", follower.id)
    await counters.refresh_follow_counts(follower.id, row.target_id)
