"""Conversation mutes (Mastodon's POST /api/v1/statuses/:id/mute): no more notifications from a
thread. A thread is named by its `conversation` URI, or by its first status's URI when its
statuses carry none."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.exceptions import IntegrityError

from fedihub import models


def key(status: models.Status) -> str:
    return status.conversation_uri or status.uri


async def _keys_of(status: models.Status) -> set[str]:
    # a reply from a peer that names no conversation belongs to its parent's thread
    found = {key(status)}
    if status.conversation_uri is None and status.in_reply_to_id is not None:
        parent = await models.Status.get_or_none(id=status.in_reply_to_id)
        if parent is not None:
            found.add(key(parent))
    return found


async def mute(actor_id: int, status: models.Status) -> None:
    try:
        await models.ConversationMute.create(actor_id=actor_id, conversation=key(status))
    except IntegrityError:
        pass  # muted already: the same answer


async def unmute(actor_id: int, status: models.Status) -> None:
    await models.ConversationMute.filter(actor_id=actor_id, conversation=key(status)).delete()


async def is_muted(actor_id: int, status: models.Status) -> bool:
    return await models.ConversationMute.filter(
        actor_id=actor_id, conversation__in=sorted(await _keys_of(status))
    ).exists()


async def muted_among(actor_id: int, statuses: Iterable[models.Status]) -> set[int]:
    """The ids of those of `statuses` whose thread the actor muted (one query)."""
    by_key: dict[str, list[int]] = {}
    for status in statuses:
        by_key.setdefault(key(status), []).append(status.id)
    if not by_key:
        return set()
    muted = await models.column(
        models.ConversationMute.filter(
            actor_id=actor_id, conversation__in=list(by_key)
        ).values_list("conversation", flat=True)
    )
    return {i for k in muted for i in by_key.get(str(k), [])}
