"""Acting on a received activity: a table of small handlers by activity type.

Runs as the "inbox" job; which handler acts on which type is the table node.INBOX_HANDLERS.
The signature was checked on receipt; here the trust rules are applied per type: a created or
updated object must belong to the signer's server and name the signer as its author; an announced
object is fetched from its own origin, and only a public or unlisted status, or the signer's own,
may be announced; only the owner deletes; unknown types are dropped without error.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from fedihub import jobs, models
from fedihub.accounts import resolver
from fedihub.activitypub import parse
from fedihub.activitypub.vocabulary import ACTOR_TYPES
from fedihub.errors import BadRequest, FedihubError, Forbidden, RemoteError
from fedihub.meetings import inbox as meetings_inbox
from fedihub.models import Visibility
from fedihub.moderation import policy
from fedihub.runtime import Runtime
from fedihub.social import blocks, follows, interactions, polls, remote, statuses, visibility

log = logging.getLogger(__name__)
# objects that are not posts (Mastodon drops them too): a project's tasks and data sets, kept
# by projects/remote_tasks.py and projects/datasets.py
NOT_POSTS = frozenset({"Ticket", "Document"})


async def process(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of receive.INBOX_JOB: act on one verified activity through
    node.INBOX_HANDLERS."""
    doc = payload["activity"]
    activity = parse.activity(doc)
    signer = await models.Actor.get_or_none(id=payload["signer"])
    if signer is None or await policy.is_refused(rt, signer.domain or ""):
        return  # gone, or its server was suspended after the activity was received
    if await models.AccountModeration.filter(
        actor_id=signer.id, suspended_at__not_isnull=True
    ).exists():
        return  # a suspended account: nothing it sends is acted on
    fn = rt.wiring.inbox_handlers.get(activity.type)
    if fn is None:
        return  # unknown types are accepted and ignored
    try:
        await fn(rt, signer, activity)
    except (BadRequest, Forbidden) as exc:
        # malformed or not allowed: retrying cannot change the answer
        raise jobs.PermanentError(f"{activity.type} {activity.id}: {exc.public}") from None


async def _local_actor(uri: str | None) -> models.Actor | None:
    if not uri:
        return None
    return await models.Actor.get_or_none(uri=uri, domain=None)


async def _local_status(uri: str | None) -> models.Status | None:
    if not uri:
        return None
    return await models.Status.get_or_none(uri=uri, local=True, deleted_at__isnull=True)


async def _active_local_actor(uri: str | None) -> models.Actor | None:
    """A local user's actor whose account is neither disabled nor deleted: nobody else can be
    followed (a disabled account's personal inbox answers 404; its shared-inbox traffic is
    dropped here alike)."""
    if not uri:
        return None
    return await models.Actor.get_or_none(
        uri=uri, domain=None, deleted_at__isnull=True, user__disabled=False
    )


async def _status_of_active_account(uri: str | None) -> models.Status | None:
    """A local status whose author's account is neither disabled nor deleted."""
    if not uri:
        return None
    return await models.Status.get_or_none(
        uri=uri,
        local=True,
        deleted_at__isnull=True,
        actor__deleted_at__isnull=True,
        actor__user__disabled=False,
    )


async def on_follow(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    target = await _active_local_actor(activity.object_id)
    if target is None or target.actor_type == "Application":
        return
    await follows.receive_follow(rt, signer, target, activity.id)


async def on_accept_or_reject(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    inner = activity.inner
    follow_uri = activity.object_id
    follower_uri = inner.actor if inner else None
    row = await follows.find_outgoing(signer, follower_uri, follow_uri)
    if row is None or row.target_id != signer.id:
        return  # not a follow of ours, or not addressed to this signer
    if activity.type == "Accept":
        await follows.receive_accept(rt, signer, row)
    else:
        await follows.receive_reject(rt, signer, row)


async def on_undo(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    inner = activity.inner
    kind = inner.type if inner else ""
    if inner and inner.actor and inner.actor != signer.uri:
        raise Forbidden("an actor can only undo its own activities")
    inner_object = inner.object_id if inner else None
    uri = activity.object_id
    if kind in ("Follow", ""):
        await follows.receive_undo(rt, signer, inner_object if kind else None, uri)
    if kind in ("Like", ""):
        await interactions.receive_undo_like(signer, uri, inner_object)
    if kind in ("Announce", ""):
        await interactions.receive_undo_announce(rt, signer, uri)
    if kind in ("Block", ""):
        await blocks.receive_undo_block(signer, uri, inner_object)


async def _relevant(rt: Runtime, signer: models.Actor, obj: parse.ObjectDoc) -> bool:
    """Mastodon stores a post only when someone here can see why it came."""
    if await models.Follow.filter(target_id=signer.id, follower__domain__isnull=True).exists():
        return True
    audience = set(obj.to) | set(obj.cc) | {t.href for t in obj.tags if t.href}
    if any(resolver.is_local_uri(rt, uri) for uri in audience):
        return True
    return bool(obj.in_reply_to and await models.Status.filter(uri=obj.in_reply_to).exists())


async def _own_object(
    rt: Runtime, signer: models.Actor, activity: parse.Activity
) -> parse.ObjectDoc:
    """The object of a Create/Update, trusted only when it is the signer's own; else fetched."""
    obj = activity.embedded
    if isinstance(obj, parse.ObjectDoc):
        if parse.host_of(obj.id) == signer.domain and obj.attributed_to == signer.uri:
            return obj
    if not activity.object_id:
        raise BadRequest("activity has no object")
    if parse.host_of(activity.object_id) != signer.domain:
        raise Forbidden("an actor can only create or update objects on its own server")
    obj = parse.object_doc(await resolver.fetch_document(rt, activity.object_id))
    if obj.id != activity.object_id or obj.attributed_to != signer.uri:
        raise Forbidden("the object is not attributed to the signing actor")
    return obj


async def on_create(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    if meetings_inbox.is_project_event(signer, activity):
        return  # a project's meeting, kept by meetings/ for its members, never a status
    obj = await _own_object(rt, signer, activity)
    if obj.type in ACTOR_TYPES or obj.type in rt.wiring.inbox_handlers or obj.type in NOT_POSTS:
        return
    if await polls.receive_vote(rt, signer, obj):
        return  # a vote on a local poll: counted, never a status
    if await models.Status.filter(uri=obj.id).exists():
        # a Create of an object we hold already (a replay, or our own job run again after a
        # crash) changes nothing: edits come as Update, as on Mastodon
        return
    if not await _relevant(rt, signer, obj):
        return
    if obj.in_reply_to and not await models.Status.filter(uri=obj.in_reply_to).exists():
        try:
            await remote.fetch_status(rt, obj.in_reply_to, remote.FetchBudget(left=6))
        except (RemoteError, BadRequest):
            pass
    await statuses.insert_remote(rt, signer, obj)


async def on_update(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    embedded = activity.embedded
    if isinstance(embedded, parse.ActorDoc):
        if embedded.id != signer.uri:
            raise Forbidden("an actor can only update itself")
        await resolver.store_actor(rt, embedded, fetched_from=signer.uri)
        return
    if activity.object_id == signer.uri:
        # an Update of the actor whose document did not come embedded (or did not read): its
        # own server says what changed
        await resolver.fetch_actor(rt, signer.uri, refresh=True)
        return
    if meetings_inbox.is_project_event(signer, activity):
        return
    obj = await _own_object(rt, signer, activity)
    if await models.Status.filter(uri=obj.id).exists():
        await statuses.store_remote(rt, signer, obj, notify=False)


async def on_delete(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    uri = activity.object_id
    if not uri:
        return
    if uri == signer.uri:
        await _delete_actor(signer)
        return
    if parse.host_of(uri) != signer.domain:
        raise Forbidden("an actor can only delete objects on its own server")
    await statuses.delete_remote(rt, signer, uri)


async def _delete_actor(actor: models.Actor) -> None:
    now = datetime.now(UTC)
    await models.Follow.filter(follower_id=actor.id).delete()
    await models.Follow.filter(target_id=actor.id).delete()
    await models.Status.filter(actor_id=actor.id, deleted_at__isnull=True).update(deleted_at=now)
    actor.deleted_at = now
    await actor.save(update_fields=["deleted_at"])


async def on_like(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    status = await _status_of_active_account(activity.object_id)
    if status is not None:
        await interactions.receive_like(rt, signer, status, activity.id)


async def on_announce(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    # a group's Announce(Create(Page)) (Lemmy, WordPress) shares the Create's object
    shared = parse.announced_object_id(activity)
    if not shared:
        return
    local = await _local_status(shared)
    followed = await models.Follow.filter(
        target_id=signer.id, follower__domain__isnull=True
    ).exists()
    if local is None and not followed:
        return
    try:
        original = local or await remote.fetch_status(rt, shared, remote.FetchBudget(left=4))
    except FedihubError as exc:
        log.info("announce of %s dropped: %s", shared, exc.public)
        return
    if original.visibility is Visibility.MEMBERS:
        return  # a members-only project's post, kept above; it is never boosted (visibility.py)
    if await models.Status.filter(
        actor_id=signer.id, reblog_of_id=original.id, deleted_at__isnull=True
    ).exists():
        return  # a group announces each edit of a post too: one boost per post, as on Mastodon
    # the boost's level is its audience's (Mastodon's Announce#visibility_from_audience);
    # receive_announce refuses what the signer may not boost and narrows the rest
    level = visibility.visibility_from_addressing(activity.to, activity.cc, signer.followers_url)
    await interactions.receive_announce(
        rt, signer, original, activity.id, activity.published or datetime.now(UTC), level
    )


async def on_block(rt: Runtime, signer: models.Actor, activity: parse.Activity) -> None:
    target = await _local_actor(activity.object_id)
    if target is not None:
        await blocks.receive_block(signer, target, activity.id)
