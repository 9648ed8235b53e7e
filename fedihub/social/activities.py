"""The activities local actors send about statuses, follows, likes, boosts and blocks, built from
domain rows (the objects come from documents.py; actors' own documents and their Update live in
accounts/activities.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fedihub import models
from fedihub.activitypub import documents as as2
from fedihub.activitypub.vocabulary import AS_CONTEXT
from fedihub.runtime import Runtime
from fedihub.social import documents, visibility


def _wrap(kind: str, ident: str, actor: models.Actor, obj: Any, **extra: Any) -> dict[str, Any]:
    return as2.activity(kind, ident, actor.uri, obj, **extra)


async def create(rt: Runtime, status: models.Status) -> dict[str, Any]:
    note = await documents.note_document(rt, status)
    activity = _wrap(
        "Create",
        f"{status.uri}/activity",
        status.actor,
        note,
        to=note.get("to", []),
        cc=note.get("cc", []),
        published=note.get("published"),
    )
    activity["@context"] = note.get("@context", AS_CONTEXT)
    note.pop("@context", None)
    return activity


async def update(rt: Runtime, status: models.Status) -> dict[str, Any]:
    note = await documents.note_document(rt, status)
    stamp = int((status.edited_at or datetime.now(UTC)).timestamp())
    activity = _wrap(
        "Update",
        f"{status.uri}#updates/{stamp}",
        status.actor,
        note,
        to=note.get("to", []),
        cc=note.get("cc", []),
    )
    activity["@context"] = note.get("@context", AS_CONTEXT)
    note.pop("@context", None)
    return activity


async def delete(
    rt: Runtime, status: models.Status, to: list[str], cc: list[str]
) -> dict[str, Any]:
    # Mastodon sends the Tombstone embedded; some peers drop a bare id (shared/README traps)
    tombstone = documents.tombstone_document(rt, status)
    tombstone.pop("@context", None)
    return _wrap("Delete", f"{status.uri}#delete", status.actor, tombstone, to=to, cc=cc)


def follow(
    follower: models.Actor, target: models.Actor, follow_row: models.Follow
) -> dict[str, Any]:
    return _wrap(
        "Follow", follow_row.uri or f"{follower.uri}#follows/{follow_row.id}", follower, target.uri
    )


def accept_follow(
    target: models.Actor, follower: models.Actor, follow_row: models.Follow
) -> dict[str, Any]:
    inner = {"id": follow_row.uri, "type": "Follow", "actor": follower.uri, "object": target.uri}
    return _wrap(
        "Accept", f"{target.uri}#accepts/follows/{follow_row.id}", target, inner, to=[follower.uri]
    )


def reject_follow(
    target: models.Actor, follower: models.Actor, follow_row: models.Follow
) -> dict[str, Any]:
    inner = {"id": follow_row.uri, "type": "Follow", "actor": follower.uri, "object": target.uri}
    return _wrap(
        "Reject", f"{target.uri}#rejects/follows/{follow_row.id}", target, inner, to=[follower.uri]
    )


def undo(actor: models.Actor, inner: dict[str, Any], **extra: Any) -> dict[str, Any]:
    inner = {k: v for k, v in inner.items() if k != "@context"}
    return _wrap("Undo", f"{inner['id']}/undo", actor, inner, **extra)


def like(actor: models.Actor, status: models.Status, fav: models.Favourite) -> dict[str, Any]:
    return _wrap("Like", fav.uri or f"{actor.uri}#likes/{fav.id}", actor, status.uri)


def announce(
    rt: Runtime, actor: models.Actor, boost: models.Status, original: models.Status
) -> dict[str, Any]:
    """The Announce of a local boost, addressed by the boost's level (a followers-only boost goes
    to the followers only), with the original's author in cc as Mastodon sends it."""
    followers = actor.followers_url or rt.urls.followers(actor.username)
    audience = visibility.addressing(boost.visibility, followers, [original.actor.uri])
    return _wrap(
        "Announce",
        boost.uri,
        actor,
        original.uri,
        to=audience.to,
        cc=audience.cc,
        published=as2.now(),
    )


def block(actor: models.Actor, target: models.Actor, row: models.Block) -> dict[str, Any]:
    return _wrap("Block", row.uri or f"{actor.uri}#blocks/{row.id}", actor, target.uri)


async def poll_update(rt: Runtime, status: models.Status, ident: str) -> dict[str, Any]:
    """The Update of a local Question whose counts changed or which closed: the same object with
    its new counts, under an id of its own (`ident`) so every one is delivered."""
    activity = await update(rt, status)
    activity["id"] = ident
    return activity


def vote(
    voter: models.Actor,
    status: models.Status,
    author: models.Actor,
    row: models.PollVote,
    title: str,
) -> dict[str, Any]:
    """A vote as Mastodon sends it: the Create of a Note whose `name` is the chosen option, in reply
    to the Question, addressed to the poll's author only (never shown as a status)."""
    ident = f"{voter.uri}#votes/{row.id}"
    note = {
        "id": ident,
        "type": "Note",
        "name": title,
        "attributedTo": voter.uri,
        "inReplyTo": status.uri,
        "to": [author.uri],
    }
    return _wrap("Create", f"{ident}/activity", voter, note, to=[author.uri])
