"""Status (and its MediaAttachment, Mention, Tag parts), built in a constant number of queries for
any number of statuses: authors, boosted originals, mentions, tags, media and the viewer's own
favourites/boosts/bookmarks are each loaded once for the whole list.

Only what the viewer may see is rendered (social/visibility.py decides, in bulk): a status they
may not see, or a boost of one, is left out of a list and is "Record not found" alone, whatever
route asked, so a route that forgot to check shows nothing it should not. Stream payloads, whose
recipients were chosen by the same rules, are rendered viewer-free by `broadcast`."""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

from fedihub import models
from fedihub.api.entities.account import account, acct
from fedihub.api.entities.common import iso
from fedihub.api.entities.poll import polls_by_status
from fedihub.errors import NotFound
from fedihub.media import peer_meta, placement, storage
from fedihub.notifications import threads
from fedihub.runtime import Runtime
from fedihub.social import pins, visibility

# remote types whose title (`name`) Mastodon shows above the text (its "converted" types)
TITLED_TYPES = frozenset({"Article", "Page", "Event"})
# clients know four levels; the closest safe one (a limited audience, never shown as public)
_MASTODON_VISIBILITY = {"institution": "private", "members": "private"}


def media_attachment(rt: Runtime, item: models.MediaAttachment) -> dict[str, Any]:
    """Mastodon's MediaAttachment: `url` is null while an upload is processed (or failed);
    `preview_url` is the small preview, or the file itself when it is its own preview."""
    url = item.remote_url  # a remote file not copied here (yet, or any more)
    # only a picture previews: a video's or an audio file's preview is an image made of it, or
    # none (Mastodon's null)
    preview_url = url if item.kind == "image" else None
    if item.storage_key and item.processing == models.MediaProcessing.COMPLETE:
        # signed when restricted: apps load images without a token (media/capability.py); this
        # entity is rendered only for viewers who may see its post
        url = placement.viewer_url(rt, item.storage_key)
        own_preview = url if item.kind == "image" else None
        preview_url = (
            placement.viewer_url(rt, item.preview_key) if item.preview_key else own_preview
        )
    return {
        "id": str(item.id),
        "type": item.kind,
        "url": url,
        "preview_url": preview_url,
        "remote_url": _remote_url(rt, item.remote_url),
        "preview_remote_url": None,
        "text_url": None,
        # the file's digest is for ActivityPub (FEP-1311), not part of Mastodon's `meta`
        "meta": {k: v for k, v in peer_meta.shown(item.meta).items() if k != "digest_multibase"},
        "description": item.description,
        "blurhash": item.blurhash,
    }


def _remote_url(rt: Runtime, remote: str | None) -> str | None:
    """The origin's URL; when that is this node's restricted route, its capability URL."""
    prefix = rt.urls.media(storage.RESTRICTED)
    if remote and remote.startswith(prefix) and "?" not in remote:
        try:
            key = storage.check_key(remote.removeprefix(rt.urls.media("")))
        except ValueError:
            return remote
        return placement.viewer_url(rt, key)
    return remote


def _tag(rt: Runtime, name: str) -> dict[str, Any]:
    return {"name": name, "url": rt.urls.tag(name)}


async def statuses(
    rt: Runtime, items: list[models.Status], viewer: models.Actor | None
) -> list[dict[str, Any]]:
    """Mastodon Status entities for those of `items` the viewer may see, in order; boosts embed
    their original as `reblog`, and a boost whose original the viewer may not see is left out."""
    if not items:
        return []
    originals = await visibility.originals_of(items)
    shown = await visibility.visible(viewer, items, originals)
    return await _render(rt, shown, originals, viewer)


async def statuses_by_id(
    rt: Runtime, items: list[models.Status], viewer: models.Actor | None
) -> dict[int, dict[str, Any]]:
    """The entities of those of `items` the viewer may see, by status id (for notifications and
    conversations, which leave out an entry whose status is not shown)."""
    return {int(body["id"]): body for body in await statuses(rt, items, viewer)}


async def shown_by_id(
    rt: Runtime, ids: set[int], viewer: models.Actor | None
) -> dict[int, dict[str, Any]]:
    """The entities of the statuses of `ids` that still exist and the viewer may see, by id."""
    if not ids:
        return {}
    found = await models.Status.filter(id__in=ids, deleted_at__isnull=True)
    return await statuses_by_id(rt, list(found), viewer)


async def status(rt: Runtime, item: models.Status, viewer: models.Actor | None) -> dict[str, Any]:
    """The entity of one status; NotFound when the viewer may not see it."""
    found = await statuses(rt, [item], viewer)
    if not found:
        raise NotFound("Record not found")
    return found[0]


async def broadcast(rt: Runtime, item: models.Status) -> dict[str, Any]:
    """The entity of a status for a stream event, viewer-free as Mastodon's streaming sends it.
    Only for stream_events, whose channels were chosen by visibility.py's rules (the original of
    a boost included, visibility.local_audience)."""
    return (await _render(rt, [item], await visibility.originals_of([item]), None))[0]


def _pinnable(status: models.Status, viewer: models.Actor | None) -> bool:
    return (
        viewer is not None
        and status.actor_id == viewer.id
        and status.reblog_of_id is None
        and status.visibility is not models.Visibility.DIRECT
    )


async def _render(
    rt: Runtime,
    items: list[models.Status],
    originals: dict[int, models.Status],
    viewer: models.Actor | None,
) -> list[dict[str, Any]]:
    if not items:
        return []
    wanted = {s.reblog_of_id for s in items if s.reblog_of_id}
    originals = {i: original for i, original in originals.items() if i in wanted}
    every = [*items, *originals.values()]
    ids = [s.id for s in every]
    actor_ids = {s.actor_id for s in every}
    mentions_by: dict[int, list[models.Actor]] = defaultdict(list)
    for mention in await models.Mention.filter(status_id__in=ids).prefetch_related("actor"):
        mentions_by[mention.status_id].append(mention.actor)
    actors = {a.id: a for a in await models.Actor.filter(id__in=actor_ids)}
    tags_by: dict[int, list[str]] = defaultdict(list)
    for status_id, name in await models.StatusTag.filter(status_id__in=ids).values_list(
        "status_id", "name"
    ):
        tags_by[status_id].append(name)
    media_by: dict[int, list[models.MediaAttachment]] = defaultdict(list)
    for item in await models.MediaAttachment.filter(status_id__in=ids).order_by("position"):
        media_by[item.status_id or 0].append(item)
    parents = {s.in_reply_to_id for s in every if s.in_reply_to_id}
    parent_authors = (
        dict(await models.Status.filter(id__in=parents).values_list("id", "actor_id"))
        if parents
        else {}
    )
    polls = await polls_by_status(every, viewer)
    own = [s.id for s in every if viewer is not None and s.actor_id == viewer.id]
    pinned = await pins.pinned_ids(viewer.id, own) if viewer is not None else set()
    faved: set[int] = set()
    boosted: set[int] = set()
    marked: set[int] = set()
    muted: set[int] = set()
    if viewer is not None:
        muted = await threads.muted_among(viewer.id, every)
        faved = set(
            await models.column(
                models.Favourite.filter(actor_id=viewer.id, status_id__in=ids).values_list(
                    "status_id", flat=True
                )
            )
        )
        boosted = set(
            await models.column(
                models.Status.filter(
                    actor_id=viewer.id, reblog_of_id__in=ids, deleted_at__isnull=True
                ).values_list("reblog_of_id", flat=True)
            )
        )
        marked = set(
            await models.column(
                models.Bookmark.filter(actor_id=viewer.id, status_id__in=ids).values_list(
                    "status_id", flat=True
                )
            )
        )

    def build(status: models.Status) -> dict[str, Any]:
        author = actors[status.actor_id]
        original = originals.get(status.reblog_of_id) if status.reblog_of_id else None
        in_reply_to_account = (
            parent_authors.get(status.in_reply_to_id)
            if status.in_reply_to_id
            else status.in_reply_to_actor_id
        )
        content = status.content
        if status.object_type in TITLED_TYPES and status.name:
            # Mastodon shows an article as its title and a link (knowledge posts use the same);
            # a Lemmy post (Page) or a Mobilizon event has its title in `name` as well
            content = f"<p><strong>{html.escape(status.name)}</strong></p>{content}"
        body = {
            "id": str(status.id),
            "uri": status.uri,
            "url": status.url or status.uri,
            "created_at": iso(status.published),
            "account": account(rt, author),
            "content": "" if original else content,
            "visibility": _MASTODON_VISIBILITY.get(
                status.visibility.value, status.visibility.value
            ),
            "sensitive": status.sensitive,
            "spoiler_text": status.summary or "",
            "media_attachments": [media_attachment(rt, m) for m in media_by.get(status.id, [])],
            "application": None,
            "mentions": [
                {"id": str(a.id), "username": a.username, "url": a.url or a.uri, "acct": acct(a)}
                for a in mentions_by.get(status.id, [])
            ],
            "tags": [_tag(rt, name) for name in tags_by.get(status.id, [])],
            "emojis": [],
            "reblogs_count": status.reblogs_count,
            "favourites_count": status.favourites_count,
            "replies_count": status.replies_count,
            "in_reply_to_id": str(status.in_reply_to_id) if status.in_reply_to_id else None,
            "in_reply_to_account_id": str(in_reply_to_account) if in_reply_to_account else None,
            "reblog": build(original) if original else None,
            "poll": polls.get(status.id),
            "card": None,
            "language": status.language,
            "text": None,
            "edited_at": iso(status.edited_at),
            "favourited": status.id in faved,
            "reblogged": status.id in boosted,
            "muted": status.id in muted,
            "bookmarked": status.id in marked,
            "filtered": [],
        }
        if _pinnable(status, viewer):  # Mastodon shows `pinned` to the author alone
            body["pinned"] = status.id in pinned
        return body

    return [build(s) for s in items]
