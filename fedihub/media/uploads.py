"""Uploads: check the bytes (size, sniffed type; an image's pixels and metadata: images.py), store
them, and record a MediaAttachment that a later status may claim (statuses.create(media_ids=...));
edit an unattached upload's description and focal point.

Errors carry Mastodon's wording: clients show them as they are.
"""

from __future__ import annotations

import asyncio

from tortoise.transactions import in_transaction

from fedihub import models
from fedihub.errors import Invalid, NotFound
from fedihub.media import images, probe, processing, timed
from fedihub.models import MediaProcessing
from fedihub.runtime import Runtime

MAX_DESCRIPTION = 1500  # Mastodon's limit for alt text
TOO_LARGE = "File is too large"
BAD_TYPE = "File content type is invalid"
BAD_TYPE_DETAIL = (
    f"{BAD_TYPE}: accepted are images, video, audio, PDF, zip, and UTF-8 CSV, JSON or plain text"
)


def parse_focus(raw: str | None) -> dict[str, float] | None:
    """Mastodon's focal point "x,y" with both in [-1, 1]; None when absent."""
    if raw is None or not str(raw).strip():
        return None
    try:
        x, y = (float(part) for part in str(raw).split(","))
    except ValueError:
        raise Invalid("Focus must be two numbers: x,y", field="focus") from None
    if not (-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0):
        raise Invalid("Focus must be between -1.0 and 1.0", field="focus")
    return {"x": x, "y": y}


def _description(text: str | None) -> str | None:
    if text is None:
        return None
    if len(text) > MAX_DESCRIPTION:
        message = f"Description is too long (maximum is {MAX_DESCRIPTION} characters)"
        raise Invalid(message, field="description")
    return text or None


async def upload(
    rt: Runtime,
    owner: models.Actor,
    data: bytes,
    *,
    description: str | None = None,
    focus: str | None = None,
    defer_large: bool = False,
    declared_type: str | None = None,
    filename: str | None = None,
) -> models.MediaAttachment:
    """Check and store an upload of `owner`'s; returns its unattached MediaAttachment.

    Documents and data files (PDF, zip, CSV, JSON, plain text: probe.sniff_upload) are kept as
    they are, of Mastodon's type `unknown`; the declared type and file name only choose among
    text kinds. Every stored file records its FEP-1311 digest (`meta["digest_multibase"]`).

    An image is stored without its metadata, and refused when it has more pixels than Mastodon
    allows or does not decode. With `defer_large` (API v2), an image of more than
    settings.media_inline_pixels is decoded by a job: it comes back queued, without preview
    and blurhash yet."""
    if len(data) > rt.settings.max_media_bytes:
        raise Invalid(TOO_LARGE, field="file")
    try:
        kind = await asyncio.to_thread(probe.sniff_upload, data, declared_type, filename)
    except probe.TooLarge as exc:
        raise Invalid(f"{TOO_LARGE}: {exc}", field="file") from None
    if kind is None:
        raise Invalid(BAD_TYPE_DETAIL, field="file")
    alt = _description(description)
    point = parse_focus(focus)
    rendition, deferred = None, False
    if kind.kind == "image":
        checked = await asyncio.to_thread(images.check, kind, data)
        data = checked.data
        deferred = defer_large and checked.pixels > rt.settings.media_inline_pixels
        if not deferred:
            rendition = await processing.render(checked)
        meta = images.meta(checked, rendition)
    elif kind.kind == "unknown":  # a document or data file: kept as it is, no preview
        meta = {}
    else:  # video or audio: meta from the container, a video's first frame as its preview
        found = await asyncio.to_thread(timed.inspect, kind, data)
        meta, rendition = dict(found.meta), found.rendition
    if point is not None:
        meta["focus"] = point
    meta["digest_multibase"] = probe.digest_multibase(data)
    stored = await processing.store(rt, kind, data, rendition)
    try:
        async with in_transaction():
            item = await models.MediaAttachment.create(
                actor_id=owner.id,
                kind=kind.kind,
                content_type=kind.content_type,
                storage_key=stored.original,
                preview_key=stored.preview,
                blurhash=rendition.blurhash if rendition else None,
                processing=MediaProcessing.QUEUED if deferred else MediaProcessing.COMPLETE,
                description=alt,
                meta=meta,
                size=len(data),
            )
            if deferred:
                await processing.enqueue(rt, item.id)
        return item
    except BaseException:
        # no orphaned file for a row that was never written
        await processing.discard(rt, stored.original, stored.preview)
        raise


async def own_unattached(owner: models.Actor, media_id: int) -> models.MediaAttachment:
    """An upload of `owner`'s not yet attached to a status (Mastodon: others are not found)."""
    item = await models.MediaAttachment.get_or_none(id=media_id, actor_id=owner.id, status_id=None)
    if item is None:
        raise NotFound("Record not found")
    return item


async def update(
    owner: models.Actor,
    media_id: int,
    *,
    description: str | None = None,
    focus: str | None = None,
) -> models.MediaAttachment:
    """Change an unattached upload's description and focal point (None leaves one unchanged)."""
    item = await own_unattached(owner, media_id)
    if description is not None:
        # a nullable column that tortoise types as str
        item.description = _description(description)  # type: ignore[assignment]
    point = parse_focus(focus)
    if point is not None:
        item.meta = {**(item.meta or {}), "focus": point}
    await item.save(update_fields=["description", "meta"])
    return item


async def remove(rt: Runtime, owner: models.Actor, media_id: int) -> None:
    """Delete an unattached upload of `owner`'s, its row and its file (one a scheduled status
    holds is attached: not found)."""
    item = await own_unattached(owner, media_id)
    if not await models.MediaAttachment.filter(
        id=item.id, status_id=None, scheduled_status_id=None
    ).delete():
        raise NotFound("Record not found")
    await processing.discard(rt, item.storage_key, item.preview_key)
