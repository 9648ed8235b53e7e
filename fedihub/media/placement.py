"""Where an attachment's files live, by who may see its post: public posts' files under
`attachments/` (served to anyone who has the URL, from the disk route or the bucket, as now),
files of posts not everyone may see (followers-only, direct, institution-only, drafts) under
`restricted/`, served only through the route that checks who asks (web/media.py with
social/media_access.py).

An unguessable name is not access control: a followers-only file's URL travels in timelines and
logs, and a reader who saw it once could hand it on. So the place follows the post: uploads start
public-placed (unattached, known only to their uploader, as Mastodon's are), a post that is not
public moves its files to `restricted/` before any document names them, and a post made public
moves them back. Moving is a copy, the row's keys switched in one conditional update, then the
old copy deleted: a reader never finds a row pointing at a missing file.
"""

from __future__ import annotations

from collections.abc import Iterable

from fedihub import models
from fedihub.media import capability, storage
from fedihub.runtime import Runtime

_PUBLIC = "attachments/"
_PREVIEW_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}


def url(rt: Runtime, key: str) -> str:
    """Where clients fetch a stored file: a restricted one always from this node's checking
    route (never a bucket or CDN URL), any other where the storage serves it."""
    return rt.urls.media(key) if storage.is_restricted(key) else rt.storage.url(key)


def viewer_url(rt: Runtime, key: str) -> str:
    """Where a viewer's app or browser fetches a stored file shown to them (a Mastodon entity, a
    page): a restricted one through a capability URL (media/capability.py), which works with no
    token or cookie, so call it only when rendering for someone who may see the post. ActivityPub
    documents take `url` instead."""
    return capability.signed_url(rt, key) if storage.is_restricted(key) else rt.storage.url(key)


def moved_key(key: str, restricted: bool) -> str:
    """The key of the same file in the other place (unchanged when it is already there; keys of
    other folders, such as avatars', never move)."""
    if restricted and key.startswith(_PUBLIC):
        return storage.RESTRICTED + key.removeprefix(_PUBLIC)
    if not restricted and storage.is_restricted(key):
        return _PUBLIC + key.removeprefix(storage.RESTRICTED)
    return key


async def place(rt: Runtime, media_ids: Iterable[int], *, restricted: bool) -> int:
    """Put the stored files of these attachments where a post of that audience keeps them;
    returns how many attachments moved."""
    ids = list(dict.fromkeys(media_ids))
    if not ids:
        return 0
    moved = 0
    for item in await models.MediaAttachment.filter(id__in=ids, storage_key__not_isnull=True):
        moved += await _move(rt, item, restricted)
    return moved


async def _move(rt: Runtime, item: models.MediaAttachment, restricted: bool) -> bool:
    old_original, old_preview = item.storage_key, item.preview_key
    if not old_original:
        return False
    new_original = moved_key(old_original, restricted)
    new_preview = moved_key(old_preview, restricted) if old_preview else None
    if new_original == old_original and new_preview == old_preview:
        return False
    target = rt.storage
    await _copy(target, old_original, new_original, item.content_type)
    if old_preview and new_preview and new_preview != old_preview:
        kind = _PREVIEW_TYPES.get(new_preview.rsplit(".", 1)[-1], "application/octet-stream")
        await _copy(target, old_preview, new_preview, kind)
    switched = await models.MediaAttachment.filter(id=item.id, storage_key=old_original).update(
        storage_key=new_original, preview_key=new_preview
    )
    # the row moved: the old copies go; it changed meanwhile (deleted, moved by another call):
    # the new copies go, so no file is left without a row
    for old, new in ((old_original, new_original), (old_preview, new_preview)):
        if old and new and old != new:
            await target.delete(old if switched else new)
    return bool(switched)


async def _copy(target: storage.Storage, old: str, new: str, content_type: str) -> None:
    if old != new:
        await target.put(new, await target.get(old), content_type)
