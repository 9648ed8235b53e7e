"""Blocks: a block ends follows both ways and hides each from the other; remote blocks too."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.errors import Invalid
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.social import activities, counters


async def _sever(a: models.Actor, b: models.Actor) -> None:
    await models.Follow.filter(follower_id=a.id, target_id=b.id).delete()
    await models.Follow.filter(follower_id=b.id, target_id=a.id).delete()
    await counters.refresh_follow_counts(a.id, b.id)


async def block(rt: Runtime, actor: models.Actor, target: models.Actor) -> models.Block:
    if actor.id == target.id:
        raise Invalid("you cannot block yourself", field="id")
    existing = await models.Block.get_or_none(actor_id=actor.id, target_id=target.id)
    if existing is not None:
        return existing
    try:
        async with in_transaction():
            row = await models.Block.create(actor=actor, target=target)
            row.uri = f"{actor.uri}#blocks/{row.id}"
            await row.save(update_fields=["uri"])
            if target.domain is not None:
                await publish.publish(rt, actor, activities.block(actor, target, row), [target])
    except IntegrityError:
        return await models.Block.get(actor_id=actor.id, target_id=target.id)
    await _sever(actor, target)
    return row


async def unblock(rt: Runtime, actor: models.Actor, target: models.Actor) -> None:
    row = await models.Block.get_or_none(actor_id=actor.id, target_id=target.id)
    if row is None:
        return
    async with in_transaction():
        await row.delete()
        if target.domain is not None:
            inner = activities.block(actor, target, row)
            await publish.publish(rt, actor, activities.undo(actor, inner), [target])


async def receive_block(remote: models.Actor, target: models.Actor, uri: str) -> None:
    try:
        await models.Block.create(actor=remote, target=target, uri=uri)
    except IntegrityError:
        return
    await _sever(remote, target)


async def receive_undo_block(remote: models.Actor, uri: str | None, target_uri: str | None) -> None:
    query = models.Block.filter(actor_id=remote.id)
    if uri:
        await query.filter(uri=uri).delete()
    elif target_uri:
        await query.filter(target__uri=target_uri).delete()


async def unmute(actor: models.Actor, target_id: int) -> None:
    """Hear `target_id` again (a mute is private: nobody is told)."""
    await models.Mute.filter(actor_id=actor.id, target_id=target_id).delete()
