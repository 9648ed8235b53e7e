"""Inbox handlers for peers' long-form posts: Create, Update and Delete act as for any status
(dispatch.py), then the knowledge post of an `Article` or `Page` follows its status
(knowledge/remote.py). Listed in node.INBOX_HANDLERS in place of the plain ones."""

from __future__ import annotations

from fedihub import models
from fedihub.activitypub import parse
from fedihub.inbox import dispatch
from fedihub.knowledge import remote
from fedihub.runtime import Runtime


async def _follow_status(uri: str | None, signer: models.Actor, rt: Runtime) -> None:
    if not uri:
        return
    status = await models.Status.get_or_none(uri=uri, actor_id=signer.id, local=False)
    if status is None:
        return
    if status.deleted_at is not None:
        await remote.deleted(status)
    elif status.object_type in remote.TYPES:
        await remote.sync(rt, status)


def _object_uri(activity: parse.Activity) -> str | None:
    embedded = activity.embedded
    if isinstance(embedded, parse.ObjectDoc):
        return embedded.id
    return activity.object_id


async def on_create(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    await dispatch.on_create(rt, signer, activity)
    await _follow_status(_object_uri(activity), signer, rt)


async def on_update(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    await dispatch.on_update(rt, signer, activity)
    await _follow_status(_object_uri(activity), signer, rt)


async def on_delete(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    await dispatch.on_delete(rt, signer, activity)
    await _follow_status(activity.object_id, signer, rt)
