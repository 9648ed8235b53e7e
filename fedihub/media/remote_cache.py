"""The remote media cache: attachments of remote statuses copied into this node's storage.

As on Mastodon, a remote status's attachments are downloaded in the background (one job per
attachment) into the node's storage (disk or object storage alike), and clients load them from
here: the entity's `url` is ours, `remote_url` the origin's. Copies older than
`media_cache_retention_days` are deleted again by a periodic task (expire_past_retention); the
attachment then falls back to its remote URL, as Mastodon's vacuum of cached media does. Local
uploads (no remote_url) are never touched. A failed download leaves the attachment linked to its
origin; the status itself never depends on it.

Remote URLs are untrusted: the download goes through the node's SSRF-guarded client, must be
declared as media (image/video/audio, or the generic octet-stream some object stores answer),
must sniff as a media kind uploads accept, and is bounded in size and time. The storage interface
takes whole files, so a download is held in memory, up to its size limit. An image is kept as an
upload is (images.py: bounded pixels, no metadata, a preview), under an unguessable name.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from fedihub import jobs, models
from fedihub.accounts import resolver
from fedihub.activitypub import parse
from fedihub.errors import (
    FedihubError,
    Invalid,
    PayloadTooLarge,
    RemoteForbidden,
    RemoteUnavailable,
)
from fedihub.media import images, peer_meta, probe, processing, storage, timed
from fedihub.moderation import policy
from fedihub.runtime import Runtime
from fedihub.security import http

log = logging.getLogger(__name__)

KIND = "media_fetch"
ATTEMPTS = 5  # with the queue's back-off, the last try is some ten minutes after the first
DEADLINE_S = 45.0  # whole download; under the job's 60-s attempt timeout, so the error says why
ACCEPT = "image/*, video/*, audio/*"
_MEDIA = ("image", "video", "audio")
_GENERIC = "application/octet-stream"
EXPIRE_BATCH = 100
EXPIRE_BUDGET_S = 30.0  # per run: the rest waits for the next period


@dataclass(frozen=True)
class Download:
    data: bytes
    kind: probe.Kind


async def enqueue_for_status(rt: Runtime, status_id: int) -> int:
    """One download job per remote attachment of the status not cached yet; returns how many."""
    ids = await models.MediaAttachment.filter(
        status_id=status_id, remote_url__not_isnull=True, storage_key__isnull=True
    ).values_list("id", flat=True)
    made = 0
    for media_id in ids:
        job = await jobs.enqueue(
            rt, KIND, {"media_id": media_id}, dedupe_key=f"{KIND}:{media_id}", max_attempts=ATTEMPTS
        )
        made += job is not None
    return made


def _limit(rt: Runtime, declared: str) -> int:
    # images are held to the upload limit (Mastodon: IMAGE_LIMIT); video and audio to a larger one
    if declared.startswith("image/"):
        return rt.settings.max_media_bytes
    return rt.settings.remote_media_max_bytes


def _check_answer(url: str, response: httpx.Response) -> str:
    """The declared media type of a usable answer; raises when there is none."""
    status = response.status_code
    if status == 429 or status >= 500:
        raise RemoteUnavailable(f"{url} answered {status}")
    if status >= 300:
        raise jobs.PermanentError(f"{url} answered {status}")
    declared = str(response.headers.get("content-type", "")).split(";", 1)[0].strip().lower()
    if declared.split("/", 1)[0] not in _MEDIA and declared != _GENERIC:
        raise jobs.PermanentError(f"{url} is {declared or 'untyped'}, not image, video or audio")
    return declared


async def download(rt: Runtime, url: str, *, signed: bool = False) -> Download:
    """The media file at `url`, checked; PermanentError when retrying cannot make it acceptable
    (refused address, too large, not media), RemoteUnavailable when a later try may succeed.
    `signed`: fetched with the instance actor's signature (a followers-only post's file, which
    its node serves only to the nodes it went to)."""
    auth = await resolver.signed_auth(rt, url) if signed else None
    try:
        async with asyncio.timeout(DEADLINE_S):
            async with rt.http.stream(
                "GET", url, headers={"Accept": ACCEPT}, auth=auth or httpx.USE_CLIENT_DEFAULT
            ) as response:
                declared = _check_answer(url, response)
                data = await http.read_limited(response, _limit(rt, declared))
    except TimeoutError:
        raise RemoteUnavailable(f"{url} took longer than {DEADLINE_S:.0f} s") from None
    except (RemoteForbidden, PayloadTooLarge) as exc:
        raise jobs.PermanentError(f"{url}: {exc.public}") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.TooManyRedirects) as exc:
        raise jobs.PermanentError(f"{url}: {exc}") from None
    except (httpx.TimeoutException, httpx.TransportError) as exc:
        raise RemoteUnavailable(f"{url}: {type(exc).__name__}") from None
    kind = probe.sniff(data)
    if kind is None:
        raise jobs.PermanentError(f"{url} is not an image, video or audio file we accept")
    if kind.kind == "image" and len(data) > rt.settings.max_media_bytes:
        limit = rt.settings.max_media_bytes
        raise jobs.PermanentError(f"{url}: image of {len(data)} bytes exceeds {limit}")
    return Download(data, kind)


async def keep(rt: Runtime, item: models.MediaAttachment, got: Download) -> bool:
    """Store a downloaded file and point the attachment at it; False when another copy won.

    An image is kept as an upload is: under an unguessable name, without its metadata, with a
    preview; one with too many pixels or that does not decode is not kept (PermanentError: the
    attachment stays linked to its origin). The peer's blurhash and focal point are kept; the
    sizes are the file's own."""
    data, rendition, measured = got.data, None, probe.meta_of(got.kind, got.data)
    if got.kind.kind == "image":
        try:
            checked = await asyncio.to_thread(images.check, got.kind, got.data)
            rendition = await processing.render(checked)
        except Invalid as exc:
            raise jobs.PermanentError(f"{item.remote_url}: {exc.public}") from None
        data, measured = checked.data, images.meta(checked, rendition)
    else:
        try:  # a peer's video gets its preview and sizes as an upload does
            found = await asyncio.to_thread(timed.inspect, got.kind, got.data)
            measured, rendition = dict(found.meta), found.rendition
        except Invalid:
            pass  # FFmpeg cannot read it: kept as the peer sent it, described by the peer's meta
    stored = await processing.store(
        rt, got.kind, data, rendition, storage.new_folder(restricted=await _restricted(item))
    )
    # a gifv arrives as video/mp4: keep the finer type the peer gave
    kind = item.kind if (item.kind, got.kind.kind) == ("gifv", "video") else got.kind.kind
    saved = await models.MediaAttachment.filter(id=item.id, storage_key__isnull=True).update(
        storage_key=stored.original,
        preview_key=stored.preview,
        size=len(data),
        content_type=got.kind.content_type,
        kind=kind,
        # the peer's FEP-1311 digest describes the file its `url` serves, which stays remote_url
        meta={
            "digest_multibase": probe.digest_multibase(data),
            **peer_meta.shown(item.meta),
            **measured,
        },
        blurhash=item.blurhash or (rendition.blurhash if rendition else None),
    )
    if saved:
        return True
    current = await models.MediaAttachment.get_or_none(id=item.id)
    if current is None or current.storage_key != stored.original:  # no orphaned files
        await processing.discard(rt, stored.original, stored.preview)
    return False


async def _restricted(item: models.MediaAttachment) -> bool:
    """A copy of a followers-only or direct post's file is served only to its readers here
    (media/placement.py)."""
    if item.status_id is None:
        return False
    status = await models.Status.get_or_none(id=item.status_id).only("id", "visibility")
    return status is not None and status.visibility not in (
        models.Visibility.PUBLIC,
        models.Visibility.UNLISTED,
    )


async def fetch(rt: Runtime, payload: dict[str, Any]) -> None:
    item = await models.MediaAttachment.get_or_none(id=int(payload["media_id"]))
    if item is None or item.storage_key or not item.remote_url:
        return  # gone, cached already, or a local upload
    deleted = models.Status.filter(id=item.status_id, deleted_at__not_isnull=True)
    if item.status_id and await deleted.exists():
        return  # nobody will see it
    owner = await models.Actor.get_or_none(id=item.actor_id).only("id", "domain")
    for domain in {parse.host_of(item.remote_url), owner.domain if owner else None}:
        if domain and await policy.rejects_media(rt, domain):
            raise jobs.PermanentError(f"media from {domain} is rejected by this node's policy")
    signed = await _restricted(item)
    await keep(rt, item, await download(rt, item.remote_url, signed=signed))


async def _uncache(
    store: storage.Storage, media_id: int, key: str, preview: str | None, size: int
) -> bool:
    cached = models.MediaAttachment.filter(id=media_id, storage_key=key)
    if not await cached.update(storage_key=None, preview_key=None, size=0):
        return False
    try:
        if preview:
            await store.delete(preview)
        await store.delete(key)
    except (FedihubError, OSError) as exc:
        # point at the files again rather than orphan them; the next run tries once more
        log.warning("cached media %s: deleting %s failed: %s", media_id, key, exc)
        cleared = models.MediaAttachment.filter(id=media_id, storage_key__isnull=True)
        await cleared.update(storage_key=key, preview_key=preview, size=size)
        return False
    return True


async def expire_past_retention(rt: Runtime) -> None:
    """The periodic task: delete cached copies older than FEDIHUB_MEDIA_CACHE_RETENTION_DAYS
    (0 days: keep them)."""
    days = rt.settings.media_cache_retention_days
    if days > 0:
        await expire(rt, older_than=timedelta(days=days))


async def expire(
    rt: Runtime,
    *,
    older_than: timedelta,
    batch: int = EXPIRE_BATCH,
    budget_s: float = EXPIRE_BUDGET_S,
) -> int:
    """Delete cached copies of remote media created more than `older_than` ago, in batches until
    none is left or the time budget is spent; their attachments fall back to the remote URL.
    Returns how many were deleted."""
    cutoff = datetime.now(UTC) - older_than
    store = rt.storage
    started, removed, after = time.monotonic(), 0, 0
    while time.monotonic() - started < budget_s:
        due = models.MediaAttachment.filter(
            remote_url__not_isnull=True,  # only copies of remote files: local uploads have none
            storage_key__not_isnull=True,
            created_at__lt=cutoff,
            id__gt=after,
        )
        rows = (
            await due.order_by("id")
            .limit(batch)
            .values_list("id", "storage_key", "preview_key", "size")
        )
        if not rows:
            break
        for media_id, key, preview, size in rows:
            after = media_id  # a file whose delete failed is not tried again in this run
            removed += await _uncache(store, media_id, key, preview, size)
    return removed
