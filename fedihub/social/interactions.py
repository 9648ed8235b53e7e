"""Favourites (Like) and boosts (Announce), local and from the inbox, with their undos."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.errors import Forbidden, Invalid, NotFound
from fedihub.ids import new_id
from fedihub.models import Visibility
from fedihub.outbox import publish
from fedihub.runtime import Runtime
from fedihub.social import (
    activities,
    counters,
    events_hooks,
    notifications,
    threads,
    timelines,
    visibility,
)


async def _visible(actor: models.Actor, status_id: int) -> models.Status:
    status = await models.Status.get_or_none(
        id=status_id, deleted_at__isnull=True
    ).prefetch_related("actor")
    if status is None or not await visibility.can_see(actor, status):
        raise NotFound("Record not found")
    if status.reblog_of_id:  # acting on a boost acts on what it boosts, as Mastodon does
        return await _visible(actor, status.reblog_of_id)
    return status


def _audience(status: models.Status) -> list[models.Actor]:
    return [status.actor] if status.actor.domain is not None else []


async def favourite(rt: Runtime, actor: models.Actor, status_id: int) -> models.Status:
    status = await _visible(actor, status_id)
    try:
        async with in_transaction():
            fav = await models.Favourite.create(actor=actor, status=status)
            fav.uri = f"{actor.uri}#likes/{fav.id}"
            await fav.save(update_fields=["uri"])
            if visibility.federates(status.visibility):
                await publish.publish(
                    rt, actor, activities.like(actor, status, fav), _audience(status)
                )
    except IntegrityError:
        return status  # already favourited: idempotent, as Mastodon
    await counters.refresh_interaction_counts(status.id)
    await notifications.notify(rt, status.actor, "favourite", actor, status)
    return await models.Status.get(id=status.id).prefetch_related("actor")


async def unfavourite(rt: Runtime, actor: models.Actor, status_id: int) -> models.Status:
    status = await _visible(actor, status_id)
    fav = await models.Favourite.get_or_none(actor_id=actor.id, status_id=status.id)
    if fav is not None:
        async with in_transaction():
            await fav.delete()
            if visibility.federates(status.visibility):
                inner = activities.like(actor, status, fav)
                await publish.publish(rt, actor, activities.undo(actor, inner), _audience(status))
        await counters.refresh_interaction_counts(status.id)
        await notifications.withdraw(status.actor_id, "favourite", actor.id, status.id)
    return await models.Status.get(id=status.id).prefetch_related("actor")


async def reblog(
    rt: Runtime, actor: models.Actor, status_id: int, level: Visibility | None = None
) -> models.Status:
    """Boost a status; returns the boost (a status whose reblog_of is the original).

    `level`: the boost's visibility, public when None; a boost of a followers-only or
    institution-only status (its author's own, the only one allowed) takes that status's level
    whatever is asked (visibility.boost_level). Forbidden for a direct status, and for a
    followers-only or institution-only one of someone else; Invalid for a direct boost."""
    status = await _visible(actor, status_id)
    if not visibility.boostable(status, actor.id):
        raise Forbidden("This action is not allowed")
    existing = await models.Status.get_or_none(
        actor_id=actor.id, reblog_of_id=status.id, deleted_at__isnull=True
    )
    if existing is not None:
        return existing
    if level is Visibility.DIRECT:  # Mastodon's Status validation: a reblog is never direct
        raise Invalid("visibility of a boost cannot be direct", field="visibility")
    level = visibility.boost_level(status.visibility, level or Visibility.PUBLIC)
    boost_id = new_id()
    async with in_transaction():
        boost = await models.Status.create(
            id=boost_id,
            uri=f"{actor.uri}/statuses/{boost_id}/activity",
            actor=actor,
            local=True,
            object_type="Announce",
            visibility=level,
            reblog_of=status,
            published=datetime.now(UTC),
        )
        recipients = await publish.follower_actors(actor.id)
        if status.actor.domain is not None:
            recipients.append(status.actor)
        if visibility.federates(level) and recipients:
            await publish.publish(
                rt, actor, activities.announce(rt, actor, boost, status), recipients
            )
    await counters.refresh_interaction_counts(status.id)
    await notifications.notify(rt, status.actor, "reblog", actor, status)
    boost.actor = actor
    await events_hooks.status_changed(rt, events_hooks.CREATED, boost)
    return boost


async def unreblog(rt: Runtime, actor: models.Actor, status_id: int) -> models.Status:
    status = await _visible(actor, status_id)
    boost = await models.Status.get_or_none(
        actor_id=actor.id, reblog_of_id=status.id, deleted_at__isnull=True
    )
    if boost is not None:
        async with in_transaction():
            boost.deleted_at = datetime.now(UTC)
            await boost.save(update_fields=["deleted_at"])
            recipients = await publish.follower_actors(actor.id)
            if status.actor.domain is not None:
                recipients.append(status.actor)
            if visibility.federates(boost.visibility) and recipients:
                inner = activities.announce(rt, actor, boost, status)
                await publish.publish(rt, actor, activities.undo(actor, inner), recipients)
        await counters.refresh_interaction_counts(status.id)
        await notifications.withdraw(status.actor_id, "reblog", actor.id, status.id)
        await events_hooks.status_changed(rt, events_hooks.DELETED, boost)
    return await models.Status.get(id=status.id).prefetch_related("actor")


async def bookmark(actor: models.Actor, status_id: int) -> models.Status:
    """Keep a status the actor may see among their bookmarks (private: nobody is told)."""
    status = await threads.visible_status(status_id, actor)
    await models.Bookmark.get_or_create(actor_id=actor.id, status_id=status.id)
    return status


async def unbookmark(actor: models.Actor, status_id: int) -> models.Status:
    status = await threads.visible_status(status_id, actor)
    await models.Bookmark.filter(actor_id=actor.id, status_id=status.id).delete()
    return status


def favourited_by(status: models.Status, viewer: models.Actor | None) -> QuerySet[models.Favourite]:
    """The favourites of `status` whose authors the viewer is shown (none of an account that
    blocks the viewer or that the viewer blocks or mutes, as Mastodon's favourited_by)."""
    query = models.Favourite.filter(status_id=status.id)
    return query if viewer is None else query.exclude(timelines.hidden_from(viewer.id))


def reblogged_by(status: models.Status, viewer: models.Actor | None) -> QuerySet[models.Status]:
    """The boosts of `status` listed in reblogged_by: public and unlisted ones only, as Mastodon
    lists them (a followers-only boost is its booster's followers' business), and none by an
    account that blocks the viewer or that the viewer blocks or mutes."""
    query = models.Status.filter(
        reblog_of_id=status.id,
        deleted_at__isnull=True,
        visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED],
    )
    return query if viewer is None else query.exclude(timelines.hidden_from(viewer.id))


# ---- from the inbox ----------------------------------------------------------------------------


async def receive_like(rt: Runtime, remote: models.Actor, status: models.Status, uri: str) -> None:
    try:
        async with in_transaction():  # the like and its notification, or neither (a replay skips)
            await models.Favourite.create(actor=remote, status=status, uri=uri)
            note = await notifications.record(await status.actor, "favourite", remote, status)
    except IntegrityError:
        return
    await counters.refresh_interaction_counts(status.id)
    await notifications.announce(rt, note)


async def receive_undo_like(remote: models.Actor, uri: str | None, status_uri: str | None) -> None:
    fav = await models.Favourite.get_or_none(uri=uri, actor_id=remote.id) if uri else None
    if fav is None and status_uri:
        fav = await models.Favourite.filter(actor_id=remote.id, status__uri=status_uri).first()
    if fav is None:
        return
    await fav.delete()
    await counters.refresh_interaction_counts(fav.status_id)
    status = await models.Status.get(id=fav.status_id)
    await notifications.withdraw(status.actor_id, "favourite", remote.id, status.id)


async def receive_announce(
    rt: Runtime,
    remote: models.Actor,
    original: models.Status,
    uri: str,
    published: datetime,
    level: Visibility,
) -> None:
    """Store a remote boost of `original` at `level` (its audience's level, never wider than the
    original's); Forbidden unless the original is public or unlisted, or `remote`'s own
    (Mastodon's Announce#announceable?): knowing a status's URI does not make it boostable."""
    if not visibility.boostable(original, remote.id):
        raise Forbidden("only a public or unlisted status, or one's own, can be announced")
    if await models.Status.filter(uri=uri).exists():
        return
    if await models.Status.filter(
        actor_id=remote.id, reblog_of_id=original.id, deleted_at__isnull=True
    ).exists():
        return  # one boost per account and status, as on Mastodon
    level = visibility.boost_level(original.visibility, level)
    if level is Visibility.DIRECT:
        return  # a boost addressed to nobody's followers is no boost (Mastodon refuses it too)
    now = datetime.now(UTC)
    at_ms = int(min(published, now).timestamp() * 1000)
    try:
        async with in_transaction():  # the boost and its notification, or neither
            boost = await models.Status.create(
                id=new_id(at_ms),
                uri=uri,
                actor=remote,
                local=False,
                object_type="Announce",
                visibility=level,
                reblog_of=original,
                published=published,
            )
            note = await notifications.record(await original.actor, "reblog", remote, original)
    except IntegrityError:
        return
    await counters.refresh_interaction_counts(original.id)
    await notifications.announce(rt, note)
    await events_hooks.status_changed(rt, events_hooks.CREATED, boost)


async def receive_undo_announce(rt: Runtime, remote: models.Actor, uri: str | None) -> None:
    if not uri:
        return
    boost = await models.Status.get_or_none(uri=uri, actor_id=remote.id, reblog_of_id__isnull=False)
    if boost is None or boost.deleted_at is not None:
        return
    boost.deleted_at = datetime.now(UTC)
    await boost.save(update_fields=["deleted_at"])
    if boost.reblog_of_id:
        await counters.refresh_interaction_counts(boost.reblog_of_id)
        original = await models.Status.get(id=boost.reblog_of_id)
        await notifications.withdraw(original.actor_id, "reblog", remote.id, original.id)
    await events_hooks.status_changed(rt, events_hooks.DELETED, boost)
