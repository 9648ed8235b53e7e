"""An image made ready for clients: its stripped original and its preview stored, its blurhash and
`meta` on the attachment; at once, or in a background job (`KIND`) for a large upload.

Mastodon answers POST /api/v2/media with 202 and `url: null` while it processes a file, and
clients poll GET /api/v1/media/:id (206 until it is done). fedihub does the cheap part before it
answers (the pixel bound and the metadata stripped: images.check), so no file is ever stored with
its metadata, and only the decoding (preview and blurhash: images.render) waits for the job.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from fedihub import jobs, models
from fedihub.errors import Invalid, NotFound
from fedihub.media import images, probe, storage
from fedihub.models import MediaProcessing
from fedihub.runtime import Runtime

log = logging.getLogger(__name__)

KIND = "media_process"
ATTEMPTS = 5  # storage errors are retried; an image that will not decode fails at once


@dataclass(frozen=True)
class Stored:
    original: str
    preview: str | None


async def render(checked: images.Checked) -> images.Rendition:
    """images.render in a thread (decoding holds the CPU for tens of milliseconds)."""
    return await asyncio.to_thread(images.render, checked)


async def store(
    rt: Runtime,
    kind: probe.Kind,
    data: bytes,
    rendition: images.Rendition | None,
    folder: str | None = None,
) -> Stored:
    """Put an attachment's original and its preview (if any) under a new unguessable folder."""
    folder = folder or storage.new_folder()
    target = rt.storage
    original = storage.original_key(folder, kind.extension)
    await target.put(original, data, kind.content_type)
    preview = await _store_preview(target, folder, rendition) if rendition else None
    return Stored(original, preview)


async def _store_preview(
    target: storage.Storage, folder: str, rendition: images.Rendition
) -> str | None:
    if rendition.preview is None or rendition.preview_kind is None:
        return None
    key = storage.preview_key(folder, rendition.preview_kind.extension)
    await target.put(key, rendition.preview, rendition.preview_kind.content_type)
    return key


async def discard(rt: Runtime, *keys: str | None) -> None:
    """Delete stored files (those of a row that was never written, or is gone)."""
    target = rt.storage
    for key in keys:
        if key:
            await target.delete(key)


async def enqueue(rt: Runtime, media_id: int) -> None:
    await jobs.enqueue(
        rt, KIND, {"media_id": media_id}, dedupe_key=f"{KIND}:{media_id}", max_attempts=ATTEMPTS
    )


async def _fail(rt: Runtime, item: models.MediaAttachment) -> None:
    """The image would not decode: it cannot be posted, and its file goes."""
    failed = await models.MediaAttachment.filter(
        id=item.id, processing=MediaProcessing.QUEUED
    ).update(processing=MediaProcessing.FAILED, storage_key=None)
    if failed:
        await discard(rt, item.storage_key)


async def process(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of KIND: decode a queued upload, store its preview, record its blurhash
    and sizes, and mark it complete."""
    item = await models.MediaAttachment.get_or_none(
        id=int(payload["media_id"]), processing=MediaProcessing.QUEUED
    )
    if item is None or not item.storage_key:
        return  # deleted, or done already
    target = rt.storage
    try:
        data = await target.get(item.storage_key)
    except NotFound:
        return  # deleted while the job waited
    kind = probe.sniff(data)
    try:
        if kind is None:
            raise Invalid(images.DAMAGED, field="file")
        checked = await asyncio.to_thread(images.check, kind, data)
        rendition = await render(checked)
    except Invalid as exc:
        await _fail(rt, item)
        raise jobs.PermanentError(f"media {item.id}: {exc.public}") from None
    preview = await _store_preview(target, item.storage_key.rsplit("/", 1)[0], rendition)
    # read again: a PUT may have set a focal point while the image was decoded
    current = await models.MediaAttachment.get_or_none(id=item.id)
    meta = {**((current.meta if current else None) or {}), **images.meta(checked, rendition)}
    done = await models.MediaAttachment.filter(
        id=item.id, processing=MediaProcessing.QUEUED
    ).update(
        processing=MediaProcessing.COMPLETE,
        preview_key=preview,
        blurhash=rendition.blurhash,
        meta=meta,
    )
    if not done:  # deleted meanwhile, or done by another run of this job (a lease that ran out)
        kept = await models.MediaAttachment.get_or_none(id=item.id)
        if kept is None or kept.preview_key != preview:  # no orphaned preview
            await discard(rt, preview)
