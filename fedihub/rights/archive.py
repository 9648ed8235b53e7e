"""The account archive, as Mastodon's archive has it: a zip of `actor.json` (the actor document),
`outbox.json` (an OrderedCollection of the account's posts as Create activities), `bookmarks.json`
and the account's media under `media_attachments/`. Made by a background job (`KIND`) that
records its progress on the AccountArchive row; stored under an unguessable key and downloaded
only by its owner through the settings page.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import secrets
import zipfile
from datetime import UTC, datetime
from typing import Any

from fedihub import jobs, models
from fedihub.accounts import activities
from fedihub.activitypub.vocabulary import AS_CONTEXT
from fedihub.models import TransferState
from fedihub.runtime import Runtime
from fedihub.social import documents

log = logging.getLogger(__name__)
KIND = "rights_archive"
BATCH = 200


async def request(rt: Runtime, user: models.User) -> models.AccountArchive:
    """Queue an archive; an archive already on its way is the one returned."""
    unfinished = await models.AccountArchive.filter(
        user_id=user.id, state__in=(TransferState.PENDING, TransferState.RUNNING)
    ).first()
    if unfinished is not None:
        return unfinished
    row = await models.AccountArchive.create(user_id=user.id)
    await jobs.enqueue(rt, KIND, {"id": row.id}, dedupe_key=f"{KIND}:{row.id}")
    return row


async def read(rt: Runtime, row: models.AccountArchive) -> bytes:
    assert row.storage_key is not None
    return await rt.storage.get(row.storage_key)


def _zip(entries: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in entries:
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode()


async def build(rt: Runtime, payload: dict[str, Any]) -> None:
    """The job handler of KIND."""
    row = await models.AccountArchive.get_or_none(id=int(payload["id"]))
    if row is None or row.state is TransferState.DONE:
        return
    user = await models.User.get(id=row.user_id).prefetch_related("actor")
    actor = user.actor
    posts = models.Status.filter(actor_id=actor.id, local=True, deleted_at=None)
    row.state, row.total, row.processed = TransferState.RUNNING, await posts.count(), 0
    await row.save(update_fields=["state", "total", "processed"])
    # the documents are gathered here; the zip is written in a thread (deflating is CPU work)
    entries: list[tuple[str, bytes, int]] = []
    entries.append(
        ("actor.json", _json(await activities.actor_document(rt, actor)), zipfile.ZIP_DEFLATED)
    )
    items: list[dict[str, Any]] = []
    media_keys: list[str] = []
    last = 0
    while True:
        batch = await posts.filter(id__gt=last).order_by("id").limit(BATCH)
        if not batch:
            break
        last = batch[-1].id
        notes = await documents.note_documents(rt, batch, with_context=False)
        for status, note in zip(batch, notes, strict=True):
            if status.reblog_of_id is None:
                items.append(documents.create_document(rt, status, note, with_context=False))
        for media in await models.MediaAttachment.filter(
            status_id__in=[s.id for s in batch], storage_key__not_isnull=True
        ):
            assert media.storage_key is not None
            media_keys.append(media.storage_key)
        row.processed += len(batch)
        await row.save(update_fields=["processed"])
    outbox = {
        "@context": AS_CONTEXT,
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }
    entries.append(("outbox.json", _json(outbox), zipfile.ZIP_DEFLATED))
    marked = models.Bookmark.filter(actor_id=actor.id).values_list("status_id", flat=True)
    uris = await models.column(
        models.Status.filter(id__in=await models.column(marked)).values_list("uri", flat=True)
    )
    bookmarks = {
        "@context": AS_CONTEXT,
        "id": "bookmarks.json",
        "type": "OrderedCollection",
        "orderedItems": list(uris),
    }
    entries.append(("bookmarks.json", _json(bookmarks), zipfile.ZIP_DEFLATED))
    for key in media_keys:
        try:
            media_bytes = await rt.storage.get(key)
        except (OSError, KeyError):  # a file gone from storage: the archive goes on without it
            log.warning("archive %s: media %s missing from storage", row.id, key)
            continue
        # media files are compressed already: stored as they are
        entries.append((f"media_attachments/{key}", media_bytes, zipfile.ZIP_STORED))
    data = await asyncio.to_thread(_zip, entries)
    key = f"archives/{secrets.token_urlsafe(24)}.zip"
    await rt.storage.put(key, data, "application/zip")
    row.state, row.storage_key, row.size = TransferState.DONE, key, len(data)
    row.finished_at = datetime.now(UTC)
    await row.save(update_fields=["state", "storage_key", "size", "finished_at"])
